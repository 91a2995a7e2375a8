import { describe, expect, it } from 'vitest';
import { ControlledClock } from '../src/modules/clock/controlled-clock.js';

/** Real time that moves a millisecond every time it is read: what a busy server sees. */
function tickingClock(start = Date.parse('2026-11-27T12:00:00Z')) {
  let now = start;
  return { now: () => new Date(now++), nowMs: () => now++ };
}

describe('ControlledClock', () => {
  it('answers exactly the time it was set to, even while real time moves between readings', () => {
    const clock = new ControlledClock(tickingClock());
    expect(clock.change({ set: '2031-01-01T00:00:00Z' }).now).toBe('2031-01-01T00:00:00Z');
  });

  it('applies set, then advance, then freeze against one reading, and then stands still', () => {
    const clock = new ControlledClock(tickingClock());
    const state = clock.change({ set: '2031-01-01T00:00:00Z', advance_seconds: 60, freeze: true });
    expect(state).toMatchObject({ now: '2031-01-01T00:01:00Z', frozen: true, real: false });
    expect(clock.now().toISOString()).toBe('2031-01-01T00:01:00.000Z');
    expect(clock.now().toISOString()).toBe('2031-01-01T00:01:00.000Z');
  });

  it('runs on from a frozen time when thawed, and returns to real time on reset', () => {
    const base = tickingClock();
    const clock = new ControlledClock(base);
    clock.change({ set: '2031-01-01T00:00:00Z', freeze: true });
    clock.change({ freeze: false });
    expect(clock.now().getTime()).toBeGreaterThan(Date.parse('2031-01-01T00:00:00Z'));
    expect(clock.reset()).toMatchObject({ frozen: false, real: true });
    expect(clock.now().getFullYear()).toBe(2026);
  });
});
