// Evaluation of a CTR model, always with SW prompts (the inference form) whatever paradigm it
// was trained with: ROC AUC and log loss over the targets of one split.
import { noGrad } from "../../autograd/engine.js";
import { tidy } from "../../tensor/scope.js";
import type { Tensor } from "../../tensor/tensor.js";
import { auc, logLoss } from "../../metrics/classification.js";
import { splitRange, type Split } from "./data/dataset.js";
import { PromptBuilder, swUnits } from "./prompts.js";
import type { PackedBatch } from "./types.js";
import { runSync, type Steps } from "../step_loop.js";

/** What training and evaluation need of a model: logits at batch.sumIndex, one per [SUM]. */
export interface CtrModel {
  call(batch: PackedBatch): Tensor;
  parameters(): Tensor[];
  train(mode?: boolean): unknown;
  eval(): unknown;
}

export interface EvaluateOptions {
  split?: Split;
  /** Tokens per packed row (default 16384). */
  rowTokens?: number;
  /** Called after each row with (targets done, total targets). */
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluateResult {
  split: Split;
  auc: number;
  logloss: number;
  targets: number;
  positives: number;
  tokens: number;
  seconds: number;
  /** Predicted probability of each evaluated target, with its label and target id. */
  probs: Float64Array;
  labels: Uint8Array;
  targetIds: Int32Array;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Scores every target of `split` with its SW prompt. `prompts` supplies the data, vocabulary
 * and n (its DTI options are not used). The model is left in eval mode.
 */
export function evaluateCtr(model: CtrModel, prompts: PromptBuilder, opts: EvaluateOptions = {}): EvaluateResult {
  return runSync(evaluateCtrSteps(model, prompts, opts));
}

/** evaluateCtr as a trainer core (lib/methods/step_loop.ts): a boundary after each packed row. */
export function* evaluateCtrSteps(model: CtrModel, prompts: PromptBuilder, opts: EvaluateOptions & { epoch?: number } = {}): Steps<EvaluateResult> {
  const split = opts.split ?? "test";
  const t0 = performance.now();
  const data = prompts.data;
  const units = swUnits(data, (u) => splitRange(data.users[u], split));
  const rows = prompts.pack(units, opts.rowTokens ?? 16384);
  const probs = new Float64Array(units.length);
  const labels = new Uint8Array(units.length);
  const targetIds = new Int32Array(units.length);
  let at = 0, tokens = 0;
  model.eval();
  for (const row of rows) {
    const logits = noGrad(() => tidy(() => model.call(row).toTypedArray() as Float32Array));
    if (logits.length !== row.sumIndex.length)
      throw new RangeError(`recforge: evaluateCtr: the model returned ${logits.length} logits for ${row.sumIndex.length} [SUM] tokens`);
    for (let i = 0; i < logits.length; i++, at++) {
      probs[at] = sigmoid(logits[i]);
      labels[at] = row.labels[i];
      targetIds[at] = row.targetIds[i];
    }
    tokens += row.tokens.length;
    opts.onProgress?.(at, units.length);
    yield { phase: split === "test" ? "eval" : "valid", epoch: opts.epoch ?? 0, step: at, steps: units.length };
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return {
    split,
    auc: units.length ? auc(probs, labels) : NaN,
    logloss: logLoss(probs, labels),
    targets: units.length,
    positives,
    tokens,
    seconds: (performance.now() - t0) / 1000,
    probs,
    labels,
    targetIds,
  };
}
