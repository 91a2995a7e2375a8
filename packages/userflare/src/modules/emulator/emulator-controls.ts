import type { EnforcementMode } from '@userflare/contract';
import type { Clock } from '../../clock.js';
import { ControlledClock } from '../clock/controlled-clock.js';
import { FaultRules } from '../faults/fault-rules.js';
import { Journal } from '../journal/journal.js';

/** The state test authors drive through the admin plane, one set per namespace (issue 7). Per process. */
export interface EmulatorControls {
  clock: ControlledClock;
  enforcement: { mode: EnforcementMode };
  journal: Journal;
  faults: FaultRules;
}

export function createEmulatorControls(base: Clock, journalSize: number): EmulatorControls {
  return {
    clock: new ControlledClock(base),
    enforcement: { mode: 'enforce' },
    journal: new Journal(journalSize),
    faults: new FaultRules(),
  };
}

/** Back to a new server's controls: the clock as it started, no faults, `enforce`, an empty journal. */
export function resetEmulatorControls(controls: EmulatorControls): void {
  controls.clock.reset();
  controls.enforcement.mode = 'enforce';
  controls.journal.clear();
  controls.faults.clear();
}
