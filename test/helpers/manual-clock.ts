// A clock that tests move by hand, for code that takes a Schedule (core/worker/client.ts): timers
// fire only when advance() passes their time, so a test of a grace period or an idle timeout does
// not depend on how busy the machine is.
import type { Schedule } from '../../src/core/worker/client';

export interface ManualClock {
  schedule: Schedule;
  /** Moves the clock on by ms and runs, in time order, every timer that has come due. */
  advance(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  pending(): number;
}

export function manualClock(): ManualClock {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    schedule: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return () => { timers.delete(id); };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}
