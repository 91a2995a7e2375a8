import { Navigate, Route, Routes } from 'react-router';
import { ClockScreen } from './ClockScreen';
import { EnforcementScreen } from './EnforcementScreen';
import { ExplainScreen } from './ExplainScreen';
import { FaultsScreen } from './FaultsScreen';
import { JournalScreen } from './JournalScreen';
import { NamespacesScreen } from './NamespacesScreen';
import { OverviewScreen } from './OverviewScreen';
import { SnapshotsScreen } from './SnapshotsScreen';
import { StoreScreen } from './StoreScreen';

/** The Emulator pages, mounted by the shell at `/emulator/*`. Each asks for the admin key while locked. */
export function EmulatorRoutes() {
  return (
    <Routes>
      <Route index element={<OverviewScreen />} />
      <Route path="clock" element={<ClockScreen />} />
      <Route path="snapshots" element={<SnapshotsScreen />} />
      <Route path="enforcement" element={<EnforcementScreen />} />
      <Route path="journal" element={<JournalScreen />} />
      <Route path="faults" element={<FaultsScreen />} />
      <Route path="namespaces" element={<NamespacesScreen />} />
      <Route path="explain" element={<ExplainScreen />} />
      <Route path="store" element={<StoreScreen />} />
      <Route path="*" element={<Navigate to="/emulator" replace />} />
    </Routes>
  );
}
