// The step boundary shared by every trainer (lib/methods/*; the public async trainers in lib/api
// drive it). A trainer's core is written once, as a generator that yields a Tick after each unit
// of work (an optimiser step, an evaluation batch, a chunk of data preparation) and cleans up in
// `finally`. Two drivers run it:
//   runSync  — to the end without pausing: the synchronous trainers (trainMultiTask, trainCop, ...)
//              that the CLI, the benchmarks and the tests call keep their exact behaviour;
//   runAsync — reports each tick, lets the event loop run (timers, I/O, an abort), then stops with
//              the signal's reason if it was aborted: generator.return() runs the core's `finally`
//              blocks, so its tensors are disposed before the promise rejects.
// The async trainers (trainCtr, trainSeqRec) call `boundary` at the same points.

export type Phase = "prepare" | "train" | "valid" | "eval";

/** What a trainer core reports at a step boundary (the public event adds method, elapsedS, etaS). */
export interface Tick {
  phase: Phase;
  /** Which pass of the phase (e.g. "sentence features", "labels", "graphs" while preparing); a new stage starts a new count. */
  stage?: string;
  /** 1-based epoch (0 before the first one). */
  epoch: number;
  /** Units done: optimiser steps of the whole run ("train"), else items of the current pass. */
  step: number;
  /** Units planned (an upper bound where early stopping may end a run sooner). */
  steps: number;
  loss?: number;
  metrics?: Record<string, number>;
}

/** How a driven run reports and stops: made by the public trainers (lib/api/progress.ts). */
export interface Loop {
  signal?: AbortSignal;
  tick(t: Tick): void;
}

/** A trainer core: yields ticks (or undefined: a boundary with nothing to report), returns its result. */
export type Steps<R> = Generator<Tick | undefined, R, void>;

/** Lets timers, I/O and abort handlers run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs a core to its end without pausing. */
export function runSync<R>(g: Steps<R>): R {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Runs a core to its end without pausing, handing each tick to `onTick` (synchronous progress of a harness). */
export function runSyncReporting<R>(g: Steps<R>, onTick: (t: Tick) => void): R {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (r.value) onTick(r.value);
  }
}

/**
 * Runs a core, pausing at each boundary; without a loop it is runSync in a promise. With a loop
 * it starts after a first pause, so the caller's turn of the event loop does none of the work.
 */
export async function runAsync<R>(g: Steps<R>, loop?: Loop): Promise<R> {
  if (!loop) return runSync(g);
  try {
    await yieldToEventLoop();
    for (;;) {
      loop.signal?.throwIfAborted();
      const r = g.next();
      if (r.done) return r.value;
      if (r.value) loop.tick(r.value);
      await yieldToEventLoop();
    }
  } catch (e) {
    // Aborted (or a progress callback threw): close the core so its `finally` blocks dispose what it holds.
    g.return(undefined as R);
    throw e;
  }
}

/** The same boundary for async cores: report, yield, stop if aborted. A no-op without a loop. */
export async function boundary(loop: Loop | undefined, t?: Tick): Promise<void> {
  if (!loop) return;
  if (t) loop.tick(t);
  await yieldToEventLoop();
  loop.signal?.throwIfAborted();
}
