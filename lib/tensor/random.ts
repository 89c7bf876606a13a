// Seeded random numbers. A Generator is (seed, offset) over the counter-based Philox
// stream of the native side: the same seed gives the same numbers on every machine and
// thread count. Each draw of n numbers advances the offset by n.
export class Generator {
  private _seed: number;
  private _offset = 0;

  constructor(seed = 0) {
    this._seed = Generator.check(seed);
  }

  private static check(seed: number): number {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`recforge: seed must be a non-negative safe integer, got ${seed}`);
    return seed;
  }

  get seed(): number {
    return this._seed;
  }
  get offset(): number {
    return this._offset;
  }

  manualSeed(seed: number): this {
    this._seed = Generator.check(seed);
    this._offset = 0;
    return this;
  }

  /** Reserves n consecutive counters and returns the first. */
  take(n: number): number {
    const o = this._offset;
    this._offset += n;
    return o;
  }

  getState(): { seed: number; offset: number } {
    return { seed: this._seed, offset: this._offset };
  }
  setState(s: { seed: number; offset: number }): void {
    this._seed = Generator.check(s.seed);
    if (!Number.isSafeInteger(s.offset) || s.offset < 0) throw new RangeError(`recforge: bad generator offset ${s.offset}`);
    this._offset = s.offset;
  }
}

export const defaultGenerator = new Generator(0);

/** Re-seeds the default generator. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
