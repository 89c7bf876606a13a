// GREENer end to end: prepared data → sentence features → training → scores on the held-out
// pairs → selection (top-K, trigram blocking, ILP) → the harness's quality metrics.
//
// Defaults (documented for a 2-core machine; the reference trains longer with a pretrained
// sentence encoder):
//   hidden 256, layer 1: 4 heads × 64 concatenated + ELU, layer 2: 1 head × 256,
//   DCN scorer: 2 vector cross layers + deep [256, 128] on [h_user; h_item; h_sentence],
//   embeddings (user, item, attribute) 64, feature dropout 0.2,
//   sentence features: TF-IDF → fixed random projection to 256 (encoder.ts),
//   residual GAT layers, sentence vectors with length and mean-idf features and the sentence's
//   typicality within its item (centrality.ts: mean TF-IDF cosine to the item's other training
//   sentences, and its rank), relevance labels of the spec (BLEU-2 + BLEU-3 against the review's
//   sentences; "review" labels are an option, measured worse),
//   Adam lr 1e-3 (the reference's 2e-4 is for long schedules: in 2 epochs it underfits, measured),
//   batch 32 graphs, 2 epochs, gradient-norm clip 5,
//   BPR pairs capped at 4096 per (graph, level) (sampled beyond),
//   selection: K = 5, ILP over the top P = 100 candidates, sim = TF-IDF cosine, α and the
//   length weight λ chosen on the VALIDATION pairs (max BLEU-4 × ROUGE-L, tuning.ts), plus rows
//   for the ILP without the length term and for the reference α = 1.
import type { Tensor } from "../../tensor/tensor.js";
import type { Device } from "../../tensor/dtype.js";
import { saveCheckpoint } from "../../io/checkpoint.js";
import { startProvenance, type Provenance } from "../../provenance.js";
import { prepareGreenerData, type GreenerData } from "./prepare.js";
import { SentenceVectors, ilpSelector, topKSelector, trigramBlockingSelector, type Selector } from "./baselines.js";
import { IlpSelector, type IlpResult } from "./ilp.js";
import { eligiblePairs, evaluateSelectorSteps, type QualityRow } from "./evaluate.js";
import { TfidfProjectionEncoder, encodeRowsSteps } from "./encoder.js";
import { itemCentralitySteps } from "./centrality.js";
import { GreenerModel, type GreenerModelConfig } from "./model.js";
import { trainGreenerSteps, type GreenerTrainOptions, type GreenerTrainReport } from "./train.js";
import { GreenerScorer, pairExample, trainingReviews } from "./examples.js";
import { RelevanceScorer, type RelevanceReference } from "./relevance.js";
import { chooseOnValidation } from "./tuning.js";
import { toDeviceRaw } from "../../ops/internal.js";
import { deviceOption } from "../device-option.js";
import { mulberry32 } from "../../prng.js";
import { runAsync, type Loop, type Steps } from "../step_loop.js";

export interface GreenerRunOptions {
  /** reviews file (JSON lines, optionally gzipped) */
  file: string;
  model?: Partial<Omit<GreenerModelConfig, "numUsers" | "numItems" | "numAttributes" | "sentenceDim">>;
  train?: Omit<GreenerTrainOptions, "log">;
  /** width of the sentence projection (default 256) */
  sentenceDim?: number;
  /** append length and mean-idf to the sentence vectors (default true; encoder.ts) */
  surfaceFeatures?: boolean;
  /** append the sentence's typicality within its item (mean cosine, rank; centrality.ts; default true) */
  centralityFeatures?: boolean;
  /**
   * relevance labels: "sentences" (default, the spec's: BLEU-2 + BLEU-3 against each review
   * sentence) or "review" (against the whole review with the brevity target |review| / k, as
   * the evaluation scores the selection). See relevance.ts and docs/greener.md (measured).
   */
  labels?: RelevanceReference;
  /** evaluate on the test pairs (default true) */
  evaluate?: boolean;
  /** sentences per explanation (default 5), ILP pool (default 100) */
  k?: number;
  topP?: number;
  /** the ILP's redundancy weight α: fixed when given; otherwise chosen on the validation pairs from `tuneAlpha` */
  alpha?: number;
  /** the ILP's length weight λ (baselines.ts ilpSelector): fixed when given; otherwise chosen on the validation pairs from `tuneLength` */
  lengthWeight?: number;
  /** λ values tried on the validation pairs together with `tuneAlpha` (default LENGTH_GRID; 0 = the spec's objective) */
  tuneLength?: number[];
  /** evaluate only the first n test (and validation) pairs */
  evalLimit?: number;
  /**
   * α values tried on the VALIDATION pairs (with every λ of `tuneLength`); the (α, λ) with the
   * best BLEU-4 × ROUGE-L there (tuning.ts) is the "greener-ilp" row's setting on the test pairs
   * (default ALPHA_GRID). Rows "greener-ilp-no-length-term" (λ = 0, α chosen the same way) and
   * "greener-ilp-alpha1" (the reference α = 1, λ = 0) are added when they differ.
   */
  tuneAlpha?: number[];
  /** save the trained model here (recforge checkpoint; config in `extra`) */
  checkpoint?: string;
  log?: (msg: string) => void;
  /** Reports each boundary and pauses there (runGreener's doc lists them); without it the run does not pause. */
  loop?: Loop;
  /** The command line for the provenance block (default: this process's, see lib/provenance.ts). */
  command?: string;
}

export interface GreenerRunResult {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, threads) and load at start and end. */
  provenance: Provenance;
  data: { file: string; reviews: number; sentences: number; attributes: number; users: number; items: number; train_pairs: number; test_pairs: number; from_cache: boolean; prepare_ms: number };
  settings: {
    model: GreenerModelConfig & { parameters: number };
    centrality_features: boolean;
    train: Required<Pick<GreenerTrainOptions, "epochs" | "batchSize" | "lr">> & Omit<GreenerTrainOptions, "log">;
    sentence_encoder: string;
    selection: { k: number; topP: number; alpha: number; lengthWeight: number; ilp_solver: string };
  };
  labels: { reference: RelevanceReference; levels: number[]; ms: number };
  training: GreenerTrainReport;
  quality: (QualityRow & { scores: string })[];
  ilp: { pairs: number; optimal: number; time_limit: number; fallback: number; median_ms: number };
  /** validation BLEU-4 / ROUGE-L per (α, length weight) tried, and the setting chosen (null when both were fixed) */
  selection_tuning: {
    chosen: { alpha: number; lengthWeight: number };
    chosen_without_length_term: { alpha: number } | null;
    criterion: string;
    validation_pairs: number;
    tried: { alpha: number; lengthWeight: number; bleu4: number; rougeL: number }[];
  } | null;
  seconds: { prepare: number; features: number; labels: number; train: number; evaluate: number; total: number };
}

export interface GreenerRun {
  result: GreenerRunResult;
  data: GreenerData;
  vectors: SentenceVectors;
  model: GreenerModel;
  sentenceTable: Tensor;
  scorer: GreenerScorer;
  /** frees the model and the sentence table */
  dispose(): void;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** α values tried on the validation pairs (the reference's 1 among them). */
export const ALPHA_GRID = [0.03, 0.1, 0.3, 1, 3];
/** Length weights λ tried on the validation pairs (0: the spec's objective). */
export const LENGTH_GRID = [0, 0.05, 0.1, 0.15, 0.2];

/** Training defaults of `train greener` / `bench explain` (see the header and docs/greener.md). */
export const TRAIN_DEFAULTS = { epochs: 2, batchSize: 32, lr: 1e-3 };

export const SENTENCE_ENCODER_NOTE =
  "TF-IDF (fitted on training sentences) projected by a fixed hashed Gaussian random projection, L2-normalised (lib/methods/greener/encoder.ts); no pretrained sentence encoder is available offline; plus length and mean idf, and (centrality features) the mean TF-IDF cosine to the item's other training sentences and its rank (centrality.ts)";

/** GREENer's selectors over a trained scorer: ILP and relevance-only top-K (plus trigram blocking). */
export function greenerSelectors(scorer: GreenerScorer, vectors: SentenceVectors, solver: IlpSelector, opts: { topP?: number; alpha?: number; lengthWeight?: number; onIlp?: (r: IlpResult) => void } = {}): [string, Selector][] {
  const s = scorer.scorer;
  return [
    ["greener-ilp", ilpSelector(s, vectors, solver, { solver: "bnb", topP: opts.topP ?? 100, alpha: opts.alpha ?? 1, lengthWeight: opts.lengthWeight ?? 0 }, opts.onIlp)],
    ["greener-topk", topKSelector(s)],
    ["greener-topk+trigram-blocking", trigramBlockingSelector(s)],
  ];
}

/**
 * Runs GREENer end to end. With `opts.loop` (e.g. lib/api's progressLoop, which the CLI's bars
 * read) it pauses at every boundary and reports it: "prepare" (stages "tf-idf", "centrality",
 * "sentence features", "labels", "graphs"), "train" per optimiser step, "valid" (stages "scoring",
 * "selection tuning": pairs × the (α, λ) tried), "eval" (stages "scoring", "selection": pairs × rows).
 */
export async function runGreener(opts: GreenerRunOptions): Promise<GreenerRun> {
  const done = startProvenance(opts.command);
  const log = opts.log ?? (() => {});
  // train.device: checked before the (long) data preparation; the sentence table moves there
  // once, so training and scoring both run on it.
  const device = deviceOption(opts.train?.device, "cpu", "train greener");
  const t0 = performance.now();
  const prep = await prepareGreenerData(opts.file, {}, { log });
  log(`greener: data ready (${prep.fromCache ? "cache" : "prepared"}, ${prep.ms.toFixed(0)} ms): ${prep.data.numReviews} reviews, ${prep.data.sentences.length} sentences, ${prep.data.attributes.names.length} attributes`);
  const solver = (opts.evaluate ?? true) ? await IlpSelector.create() : null;
  return runAsync(greenerRunSteps(opts, { prep, done, log, device, t0, solver }), opts.loop);
}

/** A core's ticks counted within a larger pass: `before` units done ahead of it, `total` in the pass. */
function* counted<R>(core: Steps<R>, before: number, total: number): Steps<R> {
  for (;;) {
    const r = core.next();
    if (r.done) return r.value;
    yield r.value && { ...r.value, step: before + r.value.step, steps: total };
  }
}

/** Pairs scored between two boundaries of the evaluation. */
const SCORE_CHUNK = 64;

function* scoreInChunks(scorer: GreenerScorer, pairs: readonly number[], phase: "valid" | "eval", epoch: number): Steps<void> {
  for (let i = 0; i < pairs.length; i += SCORE_CHUNK) {
    scorer.precompute(pairs.slice(i, i + SCORE_CHUNK));
    yield { phase, stage: "scoring", epoch, step: Math.min(pairs.length, i + SCORE_CHUNK), steps: pairs.length };
  }
}

function* greenerRunSteps(
  opts: GreenerRunOptions,
  ctx: { prep: Awaited<ReturnType<typeof prepareGreenerData>>; done: () => Provenance; log: (m: string) => void; device: Device; t0: number; solver: IlpSelector | null },
): Steps<GreenerRun> {
  const { prep, done, log, device, t0 } = ctx;
  const data = prep.data;
  yield { phase: "prepare", stage: "tf-idf", epoch: 0, step: 0, steps: 1 }; // the fit is one pass of seconds: its bar shows from the start
  const tPrep = performance.now();
  const vectors = new SentenceVectors(data);
  yield { phase: "prepare", stage: "tf-idf", epoch: 0, step: 1, steps: 1 };
  const dim = opts.sentenceDim ?? 256;
  const encoder = new TfidfProjectionEncoder(vectors.tfidf, { dim, seed: 0, surfaceFeatures: opts.surfaceFeatures ?? true });
  const centrality = opts.centralityFeatures ?? true;
  const extra = centrality ? { values: yield* itemCentralitySteps(data, (s) => vectors.vector(s)), width: 2 } : undefined;
  const hostTable = yield* encodeRowsSteps(encoder, data.sentences.map((_, s) => data.tokens(s)), extra, "GREENer encoder");
  const sentenceTable = device === hostTable.device ? hostTable : toDeviceRaw(hostTable, device);
  if (sentenceTable !== hostTable) hostTable.dispose();
  let model: GreenerModel | null = null, finished = false;
  try {
  const sentenceWidth = encoder.width + (extra?.width ?? 0);
  const tFeat = performance.now();
  log(`greener: sentence features [${data.sentences.length}, ${sentenceWidth}] in ${((tFeat - tPrep) / 1000).toFixed(1)} s`);
  const relevance = new RelevanceScorer();
  let trainPairs = trainingReviews(data);
  const trainOpts = { ...TRAIN_DEFAULTS, ...(opts.train ?? {}) };
  // A step-limited (smoke) run sees at most maxSteps batches: label only a seeded sample of that many pairs.
  if (trainOpts.maxSteps !== undefined) {
    const need = trainOpts.maxSteps * trainOpts.batchSize;
    if (need < trainPairs.length) trainPairs = seededSample(trainPairs, need, trainOpts.seed ?? 0);
  }
  const labelMode: RelevanceReference = opts.labels ?? "sentences";
  const examples: ReturnType<typeof pairExample>[] = [];
  for (let i = 0; i < trainPairs.length; i++) {
    examples.push(pairExample(data, trainPairs[i], { labels: true, relevance, reference: labelMode, k: opts.k ?? 5 }));
    if ((i + 1) % 64 === 0 || i + 1 === trainPairs.length) yield { phase: "prepare", stage: "labels", epoch: 0, step: i + 1, steps: trainPairs.length };
  }
  const levels = [0, 0, 0, 0];
  for (const e of examples) for (const l of e.levels!) levels[l]++;
  const tLab = performance.now();
  log(`greener: ${examples.length} training pairs labelled in ${((tLab - tFeat) / 1000).toFixed(1)} s (levels 0..3: ${levels.join(", ")})`);
  model = new GreenerModel({
    numUsers: data.users.length, numItems: data.items.length, numAttributes: data.attributes.names.length, sentenceDim: sentenceWidth, ...(opts.model ?? {}),
  });
  const training = yield* trainGreenerSteps(model, sentenceTable, examples, { ...trainOpts, log });
  const tTrain = performance.now();
  log(`greener: trained ${training.steps} steps in ${training.seconds.toFixed(1)} s`);
  if (opts.checkpoint) {
    saveCheckpoint(opts.checkpoint, { model, generator: null, extra: { method: "greener", config: model.config, encoder: { dim, surfaceFeatures: encoder.surfaceFeatures, centralityFeatures: centrality, seed: 0 }, data: opts.file } });
    log(`greener: checkpoint written to ${opts.checkpoint}`);
  }
  const scorer = new GreenerScorer(model, data, sentenceTable);
  const k = opts.k ?? 5, topP = opts.topP ?? 100;
  let alpha = opts.alpha ?? 1, lengthWeight = opts.lengthWeight ?? 0;
  const quality: GreenerRunResult["quality"] = [];
  const ilpStats = { pairs: 0, optimal: 0, time_limit: 0, fallback: 0, ms: [] as number[] };
  let tuning: GreenerRunResult["selection_tuning"] = null;
  const epochs = training.epochs;
  if (ctx.solver) {
    const solver = ctx.solver;
    // α and the length weight λ on the VALIDATION pairs (tuning.ts), unless the caller fixed them.
    const alphas = opts.alpha !== undefined ? [opts.alpha] : opts.tuneAlpha ?? ALPHA_GRID;
    const lambdas = opts.lengthWeight !== undefined ? [opts.lengthWeight] : opts.tuneLength ?? LENGTH_GRID;
    let alphaNoLength = alpha;
    if (alphas.length && lambdas.length && alphas.length * lambdas.length > 1) {
      let val = eligiblePairs(data, "validation");
      if (opts.evalLimit !== undefined) val = val.slice(0, opts.evalLimit);
      yield* scoreInChunks(scorer, val, "valid", epochs);
      const tried: { alpha: number; lengthWeight: number; bleu4: number; rougeL: number }[] = [];
      for (const lw of lambdas) {
        for (const a of alphas) {
          const sel = ilpSelector(scorer.scorer, vectors, solver, { solver: "bnb", topP, alpha: a, lengthWeight: lw });
          const core = evaluateSelectorSteps(data, `ilp alpha=${a} length=${lw}`, sel, { k, split: "validation", limit: opts.evalLimit, phase: "valid", stage: "selection tuning", epoch: epochs });
          const row = yield* counted(core, tried.length * val.length, alphas.length * lambdas.length * val.length);
          tried.push({ alpha: a, lengthWeight: lw, bleu4: row.bleu4, rougeL: row.rougeL });
        }
      }
      const best = chooseOnValidation(tried);
      alpha = best.alpha;
      lengthWeight = best.lengthWeight;
      const noLength = tried.filter((t) => t.lengthWeight === 0);
      alphaNoLength = noLength.length ? chooseOnValidation(noLength).alpha : alpha;
      tuning = {
        chosen: { alpha, lengthWeight }, chosen_without_length_term: noLength.length ? { alpha: alphaNoLength } : null,
        criterion: "max BLEU-4 × ROUGE-L on the validation pairs (tuning.ts)", validation_pairs: val.length,
        tried: tried.map((t) => ({ alpha: t.alpha, lengthWeight: t.lengthWeight, bleu4: r4(t.bleu4), rougeL: r4(t.rougeL) })),
      };
      log(`greener: selection on validation (BLEU-4 × ROUGE-L): ${tried.map((t) => `α ${t.alpha} λ ${t.lengthWeight}: ${t.bleu4.toFixed(4)} × ${t.rougeL.toFixed(4)}`).join(", ")} → α ${alpha}, λ ${lengthWeight}`);
    }
    let pairs = eligiblePairs(data, "test");
    if (opts.evalLimit !== undefined) pairs = pairs.slice(0, opts.evalLimit);
    yield* scoreInChunks(scorer, pairs, "eval", epochs);
    const onIlp = (r: IlpResult) => {
      ilpStats.pairs++;
      ilpStats[r.status]++;
      ilpStats.ms.push(r.ms);
    };
    const how = `ILP alpha = ${alpha}, length weight = ${lengthWeight}${tuning ? " chosen on the validation pairs" : ""}`;
    const rows: [string, Selector, string][] = [];
    const selectors = greenerSelectors(scorer, vectors, solver, { topP, alpha, lengthWeight, onIlp });
    rows.push([selectors[0][0], selectors[0][1], how]);
    // The spec's objective without the length term (α chosen on validation among λ = 0) and the
    // reference setting α = 1, λ = 0, as their own rows.
    if (lengthWeight !== 0) rows.push(["greener-ilp-no-length-term", ilpSelector(scorer.scorer, vectors, solver, { solver: "bnb", topP, alpha: alphaNoLength }), `ILP alpha = ${alphaNoLength}, no length term`]);
    if (alpha !== 1 || lengthWeight !== 0) rows.push(["greener-ilp-alpha1", ilpSelector(scorer.scorer, vectors, solver, { solver: "bnb", topP, alpha: 1 }), "ILP alpha = 1, no length term (the reference setting)"]);
    for (const [name, sel] of selectors.slice(1)) rows.push([name, sel, "relevance only"]);
    for (const [name, sel, note] of rows) {
      const core = evaluateSelectorSteps(data, name, sel, { k, limit: opts.evalLimit, stage: "selection", epoch: epochs });
      const row = yield* counted(core, quality.length * pairs.length, rows.length * pairs.length);
      log(`greener: ${name}: ${row.pairs} pairs, BLEU-4 ${row.bleu4.toFixed(4)}, ROUGE-L ${row.rougeL.toFixed(4)}, attr F1 ${row.attr_f1.toFixed(4)}`);
      quality.push({ ...row, ...roundRow(row), scores: `GREENer (GAT + DCN); ${note}` });
    }
  }
  const tEval = performance.now();
  const ms = [...ilpStats.ms].sort((a, b) => a - b);
  const m = model;
  const result: GreenerRunResult = {
    provenance: done(),
    data: {
      file: opts.file, reviews: data.numReviews, sentences: data.sentences.length, attributes: data.attributes.names.length, users: data.users.length, items: data.items.length,
      train_pairs: examples.length, test_pairs: eligiblePairs(data, "test").length, from_cache: prep.fromCache, prepare_ms: Math.round(prep.ms),
    },
    settings: {
      model: { ...m.config, parameters: m.numParameters() },
      centrality_features: centrality,
      train: { ...trainOpts },
      sentence_encoder: SENTENCE_ENCODER_NOTE,
      selection: { k, topP, alpha, lengthWeight, ilp_solver: "exact branch-and-bound (bnb), greener-text ilp.ts" },
    },
    labels: { reference: labelMode, levels, ms: Math.round(tLab - tFeat) },
    training,
    quality,
    selection_tuning: tuning,
    ilp: { pairs: ilpStats.pairs, optimal: ilpStats.optimal, time_limit: ilpStats.time_limit, fallback: ilpStats.fallback, median_ms: ms.length ? Math.round(ms[ms.length >> 1] * 100) / 100 : 0 },
    seconds: {
      prepare: r1((tPrep - t0) / 1000), features: r1((tFeat - tPrep) / 1000), labels: r1((tLab - tFeat) / 1000), train: r1((tTrain - tLab) / 1000),
      evaluate: r1((tEval - tTrain) / 1000), total: r1((tEval - t0) / 1000),
    },
  };
  finished = true;
  return {
    result, data, vectors, model: m, sentenceTable, scorer,
    dispose() {
      m.dispose();
      sentenceTable.dispose();
    },
  };
  } finally {
    // Stopped early (an abort, an error): free what the run built.
    if (!finished) {
      model?.dispose();
      sentenceTable.dispose();
    }
  }
}

function seededSample(xs: number[], n: number, seed: number): number[] {
  const rand = mulberry32((seed * 0x9e3779b1 + 1) >>> 0);
  const c = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (c.length - i));
    [c[i], c[j]] = [c[j], c[i]];
  }
  return c.slice(0, n).sort((x, y) => x - y);
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function roundRow(row: QualityRow): Partial<QualityRow> {
  return {
    bleu1: r4(row.bleu1), bleu2: r4(row.bleu2), bleu4: r4(row.bleu4), rouge1: r4(row.rouge1), rouge2: r4(row.rouge2), rougeL: r4(row.rougeL),
    attr_precision: r4(row.attr_precision), attr_recall: r4(row.attr_recall), attr_f1: r4(row.attr_f1), ms: Math.round(row.ms),
  };
}
