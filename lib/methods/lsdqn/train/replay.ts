// Replay memory of N-step transitions (s, a, R, s_N, discount): R = Σ_{j<N} γ^j r_{t+j} (rewards
// scaled by 1/n), discount = γ^N, or 0 when the episode ended within the N steps (no bootstrap).
// A state is its instance (matrix, coordinates) plus the solution; a ring buffer of fixed capacity.
import type { Rng } from "../../../prng.js";

export interface Transition {
  matrix: Float64Array;
  coords?: Float64Array;
  sol: Int32Array;
  action: number; // Q index (stop = A)
  ret: number;
  next: Int32Array;
  discount: number;
}

export class ReplayBuffer {
  private items: Transition[] = [];
  private at = 0;
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`recforge: ReplayBuffer: capacity must be an integer >= 1, got ${capacity}`);
  }
  get size(): number {
    return this.items.length;
  }
  push(t: Transition): void {
    if (this.items.length < this.capacity) this.items.push(t);
    else this.items[this.at] = t;
    this.at = (this.at + 1) % this.capacity;
  }
  sample(count: number, rng: Rng): Transition[] {
    if (!this.items.length) throw new RangeError("recforge: ReplayBuffer.sample: the buffer is empty");
    return Array.from({ length: count }, () => this.items[Math.floor(rng.next() * this.items.length)]);
  }
}

/** Per-instance N-step accumulator: feed (s, a, r) each step, get the transitions that completed. */
export class NStep {
  private hist: { sol: Int32Array; action: number; r: number }[] = [];
  constructor(readonly steps: number, readonly gamma: number) {}

  /** After a move from `sol` with `action` and scaled reward r, now at `next` (done: the episode ended). */
  add(sol: Int32Array, action: number, r: number, next: Int32Array, done: boolean, emit: (t: Omit<Transition, "matrix" | "coords">) => void): void {
    this.hist.push({ sol, action, r });
    const flush = (h: { sol: Int32Array; action: number }, k: number, terminal: boolean) => {
      let ret = 0;
      for (let j = this.hist.length - 1; j >= this.hist.length - k; j--) ret = this.hist[j].r + this.gamma * ret;
      emit({ sol: h.sol, action: h.action, ret, next, discount: terminal ? 0 : this.gamma ** k });
    };
    if (this.hist.length === this.steps) {
      flush(this.hist[0], this.steps, done);
      this.hist.shift();
    }
    if (done) {
      while (this.hist.length) {
        flush(this.hist[0], this.hist.length, true);
        this.hist.shift();
      }
    }
  }
}
