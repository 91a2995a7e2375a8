import { PageHeader } from '../../components/PageHeader';

export function EmulatorRoutes() {
  return <PageHeader title="Emulator" description="This screen is being built." />;
}
