// Timestamps of a window batch as the time-aware models (CTA, TiSASRec) read them: every real
// action's time and the target's time finite, and non-decreasing within the row (a user's actions
// are time-ordered, the target last). The loaders sort each user's actions by (time, line) and
// reject missing times, so this fires for hand-built or altered data; a clear RangeError naming
// the row, the position and the values beats silent garbage (NaN intervals, negative Δt).
import type { SeqInputs } from "./model.js";

export function assertWindowTimes(inp: SeqInputs, who: string): void {
  const w = inp.window, T = w.W;
  for (let b = 0; b < w.B; b++) {
    const tt = w.targetTimes[b];
    const at = `recforge: ${who}: row ${b} (target position ${inp.positions[b]})`;
    if (!Number.isFinite(tt)) throw new RangeError(`${at}: the target's timestamp ${tt} is not a finite number`);
    let prev = -Infinity;
    for (let i = 0; i < w.lengths[b]; i++) {
      const ti = w.times[b * T + i];
      if (!Number.isFinite(ti)) throw new RangeError(`${at}: timestamp ${ti} of action ${i} is not a finite number`);
      if (ti < prev) throw new RangeError(`${at}: timestamps decrease within the user (action ${i - 1} at ${prev}, then action ${i} at ${ti})`);
      prev = ti;
    }
    if (tt < prev) throw new RangeError(`${at}: timestamps decrease within the user (the last action at ${prev} is after the target at ${tt})`);
  }
}
