// The one progress event of every public trainer (lib/api/*.ts) and the options they share:
// `signal` (AbortSignal), `onProgress` (a callback) and `events` (an EventTarget that receives a
// CustomEvent "progress" whose `detail` is the event). docs/api.md describes the shape.
import type { Loop, Phase, Tick } from "../methods/step_loop.js";

export type { Phase } from "../methods/step_loop.js";

export type TrainerMethod = "dti" | "multibalance" | "seqrec" | "greener" | "compexp" | "lsdqn";

export interface TrainerProgress {
  method: TrainerMethod;
  /** "prepare": building features, labels, graphs; "train": optimiser steps; "valid": model selection on validation data; "eval": the final test evaluation. */
  phase: Phase;
  /** Which pass of the phase, where a phase has several (e.g. GREENer's "prepare": "sentence features", "labels", "graphs"); a new stage restarts step, steps and the ETA. */
  stage?: string;
  /** 1-based epoch (0 before the first one). */
  epoch: number;
  /** "train": optimiser steps done in the whole run (never decreases); other phases: items done in the current pass. */
  step: number;
  /** Units planned for the same count (an upper bound where early stopping may end a run sooner). */
  steps: number;
  /** The last step's training loss ("train" only). */
  loss?: number;
  /** Method-specific numbers (e.g. lossEma, epsilon, a validation score). */
  metrics?: Record<string, number>;
  /** Seconds since the trainer was called. */
  elapsedS: number;
  /** Estimated seconds to finish this phase's count (from its rate so far); null before a rate exists. */
  etaS: number | null;
}

/** Options every public trainer takes. */
export interface TrainerControl {
  /** Aborting stops the run at the next step boundary, disposes its tensors and rejects with signal.reason (an AbortError by default). */
  signal?: AbortSignal;
  /** Called at step boundaries with the event (synchronously; a callback that throws stops the run). */
  onProgress?: (e: TrainerProgress) => void;
  /** Receives `new CustomEvent("progress", { detail: event })` at the same points. */
  events?: EventTarget;
}

/** The Loop a public trainer drives its core with: stamps ticks into TrainerProgress events. */
export function progressLoop(method: TrainerMethod, ctl: TrainerControl = {}): Loop {
  ctl.signal?.throwIfAborted();
  const t0 = performance.now();
  // Rate of the current pass per phase: "train" keeps one for the run, the others restart when a new pass begins.
  const pass = new Map<Phase, { t: number; step: number; last: number; stage?: string; steps: number }>();
  let lastPhase: Phase | null = null;
  const emit = ctl.onProgress || ctl.events;
  return {
    signal: ctl.signal,
    tick(t: Tick) {
      if (!emit) return;
      const now = performance.now();
      let p = pass.get(t.phase);
      // A pass restarts with a new stage, or (outside "train") when the phase comes back, counts down or changes its total.
      if (!p || p.stage !== t.stage || (t.phase !== "train" && (lastPhase !== t.phase || t.step < p.last || t.steps !== p.steps))) {
        p = { t: now, step: t.step, last: t.step, stage: t.stage, steps: t.steps };
        pass.set(t.phase, p);
      }
      // A rate needs two events of the pass: the first one only starts its clock.
      let eta: number | null = null;
      if (t.step > p.step) eta = ((now - p.t) / 1000 / (t.step - p.step)) * Math.max(0, t.steps - t.step);
      p.last = t.step;
      lastPhase = t.phase;
      const e: TrainerProgress = { method, phase: t.phase, ...(t.stage !== undefined ? { stage: t.stage } : {}), epoch: t.epoch, step: t.step, steps: t.steps, elapsedS: (now - t0) / 1000, etaS: eta };
      if (t.loss !== undefined) e.loss = t.loss;
      if (t.metrics) e.metrics = t.metrics;
      ctl.onProgress?.(e);
      ctl.events?.dispatchEvent(new CustomEvent("progress", { detail: e }));
    },
  };
}
