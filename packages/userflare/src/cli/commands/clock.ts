import type { ClockState, UserflareAdmin } from '@userflare/client';
import { printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import {
  ADMIN_OPTIONS_HELP,
  adminTarget,
  NAMESPACE_OPTION,
  NAMESPACE_OPTION_HELP,
  parseAdminArgs,
  withAdmin,
} from './admin-client.js';

export const CLOCK_HELP = `Usage: userflare clock [show|set <time>|advance <duration>|freeze|unfreeze|reset] [options]

Shows or changes the clock a running server judges token expiry (expires_on, not_before) and
timestamps by. Each subcommand prints the clock afterwards.

Subcommands:
  show                  the server's time, whether it is frozen and its offset from real time (default)
  set <time>            jump to a time, e.g. 2030-01-01T00:00:00Z or 2030-01-01; a frozen clock stays frozen
  advance <duration>    move by seconds (3600) or 90s, 15m, 2h, 7d; negative goes back (-1d)
  freeze                stop the clock where it is
  unfreeze              let a frozen clock run again, keeping its offset
  reset                 back to real time, running

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}

Example:
  userflare clock set 2030-01-01T00:00:00Z && userflare clock freeze && userflare clock advance 1d
`;

const DURATION = /^(-?\d+(?:\.\d+)?)([smhd]?)$/;
const SECONDS_PER_UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** `userflare clock`: `GET`, `PUT` and `DELETE /__userflare/clock`. */
export async function clock(args: string[]): Promise<void> {
  // A negative duration (`advance -1d`) would otherwise be read as an unknown short flag.
  const durations = args.filter((arg) => arg.startsWith('-') && DURATION.test(arg));
  const rest = args.filter((arg) => !durations.includes(arg));
  const { values, positionals } = parseAdminArgs('clock', [...rest, '--', ...durations], NAMESPACE_OPTION);
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(CLOCK_HELP);
    return;
  }
  const [subcommand = 'show', ...operands] = positionals;
  const change = clockChange(subcommand, operands);
  const state = await withAdmin(adminTarget(values), values.namespace, change);
  if (values.json) {
    printJson(state);
    return;
  }
  printLines(describeClock(state));
}

/** The call a subcommand makes, checked before anything is sent. */
function clockChange(subcommand: string, operands: string[]): (admin: UserflareAdmin) => Promise<ClockState> {
  switch (subcommand) {
    case 'show':
      expectNoOperands(subcommand, operands);
      return (admin) => admin.clock.get();
    case 'set': {
      const time = parseTime(onlyOperand('set <time>', operands));
      return (admin) => admin.clock.set({ set: time });
    }
    case 'advance': {
      const seconds = parseDuration(onlyOperand('advance <duration>', operands));
      return (admin) => admin.clock.advance(seconds);
    }
    case 'freeze':
      expectNoOperands(subcommand, operands);
      return (admin) => admin.clock.freeze();
    case 'unfreeze':
      expectNoOperands(subcommand, operands);
      return (admin) => admin.clock.unfreeze();
    case 'reset':
      expectNoOperands(subcommand, operands);
      return (admin) => admin.clock.reset();
    default:
      throw new UsageError(
        `unknown clock subcommand "${subcommand}": use show, set, advance, freeze, unfreeze or reset (\`userflare clock --help\`)`,
      );
  }
}

/** `now: 2030-01-01T00:00:00Z (frozen, 1d 2h 3m 4s ahead of real time)`. */
export function describeClock(state: ClockState): string {
  if (state.real) return `now: ${state.now} (real time)`;
  const seconds = Math.round(Math.abs(state.offset_ms) / 1000);
  const offset =
    seconds === 0
      ? 'within a second of real time'
      : `${formatDuration(seconds)} ${state.offset_ms > 0 ? 'ahead of' : 'behind'} real time`;
  return `now: ${state.now} (${state.frozen ? 'frozen' : 'running'}, ${offset})`;
}

/** `93784` → `1d 2h 3m 4s`, leaving out the zero parts. */
function formatDuration(totalSeconds: number): string {
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = SECONDS_PER_UNIT[unit] ?? 1;
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join(' ');
}

function expectNoOperands(subcommand: string, operands: string[]): void {
  if (operands.length > 0)
    throw new UsageError(`clock ${subcommand} takes no arguments, got "${operands.join(' ')}"`);
}

function onlyOperand(usage: string, operands: string[]): string {
  const [operand, ...extra] = operands;
  if (operand === undefined || extra.length > 0)
    throw new UsageError(`give exactly one argument: userflare clock ${usage}`);
  return operand;
}

/** An RFC 3339 time as given, or anything `Date` parses (`2030-01-01`) as RFC 3339 UTC. */
function parseTime(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return text;
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new UsageError(`"${text}" is not a time: give one like 2030-01-01T00:00:00Z or 2030-01-01`);
  return new Date(time).toISOString();
}

function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match)
    throw new UsageError(
      `"${text}" is not a duration: give seconds (3600) or a number with s, m, h or d (90m, -1d)`,
    );
  return Number(match[1]) * (SECONDS_PER_UNIT[match[2] ?? ''] ?? 1);
}
