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
  /** Where the instance came from (the trainer's round and row), so a checkpoint can store the key instead of the matrix. */
  round?: number;
  row?: number;
}

/** A transition without its instance, for checkpoints (JSON). */
export interface StoredTransition { round: number; row: number; sol: number[]; action: number; ret: number; next: number[]; discount: number }

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
  /** Contents for a checkpoint; every transition must carry its round and row. */
  save(): { at: number; items: StoredTransition[] } {
    return { at: this.at, items: this.items.map((t) => {
      if (t.round === undefined || t.row === undefined) throw new TypeError("recforge: ReplayBuffer.save: a transition has no instance key");
      return { round: t.round, row: t.row, sol: Array.from(t.sol), action: t.action, ret: t.ret, next: Array.from(t.next), discount: t.discount };
    }) };
  }

  /** Refills from save() output; `instance` gives the matrix (and coordinates) of a key. */
  load(s: { at: number; items: StoredTransition[] }, instance: (round: number, row: number) => { matrix: Float64Array; coords?: Float64Array }): void {
    if (s.items.length > this.capacity || !(s.at >= 0 && s.at < this.capacity)) throw new RangeError(`recforge: ReplayBuffer.load: ${s.items.length} items / position ${s.at} do not fit capacity ${this.capacity}`);
    this.items = s.items.map((t) => ({ ...instance(t.round, t.row), round: t.round, row: t.row, sol: Int32Array.from(t.sol), action: t.action, ret: t.ret, next: Int32Array.from(t.next), discount: t.discount }));
    this.at = s.at;
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

  /** The pending history (for checkpoints). */
  save(): { sol: number[]; action: number; r: number }[] {
    return this.hist.map((h) => ({ sol: Array.from(h.sol), action: h.action, r: h.r }));
  }
  load(h: { sol: number[]; action: number; r: number }[]): void {
    this.hist = h.map((x) => ({ sol: Int32Array.from(x.sol), action: x.action, r: x.r }));
  }

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
