// Learning-rate schedules, as pure functions lr(step) and as scheduler objects that set an
// optimizer's group learning rates. Steps count from 0; the usual loop is
//   opt.step(); sched.step();
// so update k (0-based) uses the schedule's value at step k (the constructor applies step 0).
// Warm-up ramps linearly from startFactor·baseLr at step 0 to baseLr at step warmupSteps
// (startFactor 0 as Hugging Face's schedules: the very first update uses lr 0).
import type { Optimizer } from "./optimizer.js";

export interface WarmupOptions {
  baseLr: number;
  warmupSteps: number;
  /** Fraction of baseLr at step 0 (default 0). */
  startFactor?: number;
}
export interface CosineOptions {
  baseLr: number;
  /** Step at which the cosine reaches minLr (and stays there). */
  totalSteps: number;
  warmupSteps?: number;
  minLr?: number;
  startFactor?: number;
}
export interface LinearDecayOptions {
  baseLr: number;
  /** Step at which the lr reaches endLr (and stays there). */
  totalSteps: number;
  warmupSteps?: number;
  endLr?: number;
  startFactor?: number;
}
export interface StepDecayOptions {
  baseLr: number;
  /** Multiply by gamma every stepSize steps. */
  stepSize: number;
  gamma?: number;
}

function checkStep(step: number, fn: string): void {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`recforge: ${fn}: step must be a non-negative integer, got ${step}`);
}
function checkCount(v: unknown, what: string, fn: string, min = 0): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new RangeError(`recforge: ${fn}: ${what} must be an integer >= ${min}, got ${String(v)}`);
  return v as number;
}
function checkLr(v: unknown, what: string, fn: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`recforge: ${fn}: ${what} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

// Fraction of baseLr during warm-up, or null once warm-up is over.
function warmupFactor(step: number, warmupSteps: number, startFactor: number): number | null {
  if (step >= warmupSteps) return null;
  return startFactor + ((1 - startFactor) * step) / warmupSteps;
}

/** Linear warm-up to baseLr over warmupSteps, then constant. */
export function warmupLr(step: number, o: WarmupOptions): number {
  checkStep(step, "warmupLr");
  const base = checkLr(o.baseLr, "baseLr", "warmupLr");
  const w = checkCount(o.warmupSteps, "warmupSteps", "warmupLr");
  return base * (warmupFactor(step, w, o.startFactor ?? 0) ?? 1);
}

/** Optional linear warm-up, then half a cosine from baseLr down to minLr at totalSteps. */
export function cosineLr(step: number, o: CosineOptions): number {
  checkStep(step, "cosineLr");
  const base = checkLr(o.baseLr, "baseLr", "cosineLr");
  const minLr = checkLr(o.minLr ?? 0, "minLr", "cosineLr");
  const w = checkCount(o.warmupSteps ?? 0, "warmupSteps", "cosineLr");
  const total = checkCount(o.totalSteps, "totalSteps", "cosineLr", w);
  const f = warmupFactor(step, w, o.startFactor ?? 0);
  if (f !== null) return base * f;
  const progress = total === w ? 1 : Math.min(1, (step - w) / (total - w));
  return minLr + (base - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Optional linear warm-up, then a straight line from baseLr to endLr at totalSteps. */
export function linearDecayLr(step: number, o: LinearDecayOptions): number {
  checkStep(step, "linearDecayLr");
  const base = checkLr(o.baseLr, "baseLr", "linearDecayLr");
  const end = checkLr(o.endLr ?? 0, "endLr", "linearDecayLr");
  const w = checkCount(o.warmupSteps ?? 0, "warmupSteps", "linearDecayLr");
  const total = checkCount(o.totalSteps, "totalSteps", "linearDecayLr", w);
  const f = warmupFactor(step, w, o.startFactor ?? 0);
  if (f !== null) return base * f;
  const progress = total === w ? 1 : Math.min(1, (step - w) / (total - w));
  return base + (end - base) * progress;
}

/** baseLr · gamma^floor(step / stepSize). */
export function stepDecayLr(step: number, o: StepDecayOptions): number {
  checkStep(step, "stepDecayLr");
  const base = checkLr(o.baseLr, "baseLr", "stepDecayLr");
  const size = checkCount(o.stepSize, "stepSize", "stepDecayLr", 1);
  const gamma = o.gamma ?? 0.1;
  if (typeof gamma !== "number" || !Number.isFinite(gamma) || gamma < 0) throw new RangeError(`recforge: stepDecayLr: gamma must be a finite number >= 0, got ${gamma}`);
  return base * Math.pow(gamma, Math.floor(step / size));
}

/** lr for a group at a step, given that group's initial (base) lr. */
export type LrLambda = (step: number, baseLr: number) => number;

export interface SchedulerState {
  lastStep: number;
  baseLrs: number[];
}

/**
 * Sets every group's lr to fn(step, that group's lr at construction). Construction applies
 * step 0; each step() advances by one. stateDict() is plain JSON (store it in a
 * checkpoint's `extra`).
 */
export class LrScheduler {
  readonly optimizer: Optimizer<any>;
  readonly baseLrs: number[];
  private readonly fn: LrLambda;
  private _lastStep = 0;
  private _lastLrs: number[] = [];

  constructor(optimizer: Optimizer<any>, fn: LrLambda) {
    if (typeof fn !== "function") throw new TypeError("recforge: LrScheduler: fn must be a function (step, baseLr) => lr");
    this.optimizer = optimizer;
    this.fn = fn;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  get lastStep(): number {
    return this._lastStep;
  }

  /** The lrs last set, one per group. */
  getLastLr(): number[] {
    return this._lastLrs.slice();
  }

  private apply(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length)
      throw new RangeError(`recforge: LrScheduler: the optimizer has ${groups.length} groups, the scheduler was made for ${this.baseLrs.length}`);
    const lrs = this.baseLrs.map((b) => this.fn(this._lastStep, b));
    lrs.forEach((lr, i) => {
      if (typeof lr !== "number" || !Number.isFinite(lr) || lr < 0) throw new RangeError(`recforge: LrScheduler: schedule gave lr ${lr} at step ${this._lastStep}`);
    });
    lrs.forEach((lr, i) => (groups[i].lr = lr));
    this._lastLrs = lrs;
  }

  /** Advances one step and sets the new lrs. Returns them. */
  step(): number[] {
    this._lastStep++;
    this.apply();
    return this.getLastLr();
  }

  stateDict(): SchedulerState {
    return { lastStep: this._lastStep, baseLrs: this.baseLrs.slice() };
  }

  loadStateDict(s: SchedulerState): void {
    if (s === null || typeof s !== "object" || !Number.isInteger(s.lastStep) || s.lastStep < 0 || !Array.isArray(s.baseLrs))
      throw new TypeError("recforge: LrScheduler.loadStateDict: expected { lastStep: integer >= 0, baseLrs: number[] }");
    if (s.baseLrs.length !== this.baseLrs.length)
      throw new RangeError(`recforge: LrScheduler.loadStateDict: ${s.baseLrs.length} base lrs for ${this.baseLrs.length} groups`);
    for (const b of s.baseLrs) checkLr(b, "baseLrs", "LrScheduler.loadStateDict");
    this.baseLrs.splice(0, this.baseLrs.length, ...s.baseLrs);
    this._lastStep = s.lastStep;
    this.apply();
  }
}

type Rel<T> = Omit<T, "baseLr">;

export class WarmupLR extends LrScheduler {
  constructor(optimizer: Optimizer<any>, o: Rel<WarmupOptions>) {
    super(optimizer, (step, baseLr) => warmupLr(step, { ...o, baseLr }));
  }
}
export class CosineLR extends LrScheduler {
  constructor(optimizer: Optimizer<any>, o: Rel<CosineOptions>) {
    super(optimizer, (step, baseLr) => cosineLr(step, { ...o, baseLr }));
  }
}
export class LinearDecayLR extends LrScheduler {
  constructor(optimizer: Optimizer<any>, o: Rel<LinearDecayOptions>) {
    super(optimizer, (step, baseLr) => linearDecayLr(step, { ...o, baseLr }));
  }
}
export class StepLR extends LrScheduler {
  constructor(optimizer: Optimizer<any>, o: Rel<StepDecayOptions>) {
    super(optimizer, (step, baseLr) => stepDecayLr(step, { ...o, baseLr }));
  }
}
