// trainGreener: the public async GREENer trainer, from prepared review data to a trained scorer.
// The steps of runGreener (lib/methods/greener/pipeline.ts) up to training: sentence features
// (TF-IDF projection + surface + centrality features), relevance labels of the training pairs, the
// pair graphs, then the training loop; selection (ILP) and its evaluation stay with runGreener and
// `recforge train greener`.
import type { Tensor } from "../tensor/tensor.js";
import type { GreenerData } from "../methods/greener/prepare.js";
import { SentenceVectors, topKSelector } from "../methods/greener/baselines.js";
import { eligiblePairs, evaluateSelectorSteps, type QualityRow } from "../methods/greener/evaluate.js";
import { TfidfProjectionEncoder, encodeRowsSteps } from "../methods/greener/encoder.js";
import { itemCentralitySteps } from "../methods/greener/centrality.js";
import { GreenerModel, type GreenerModelConfig } from "../methods/greener/model.js";
import { trainGreenerSteps, type GreenerTrainOptions, type GreenerTrainReport } from "../methods/greener/train.js";
import { GreenerScorer, pairExample, trainingReviews, type GreenerPair } from "../methods/greener/examples.js";
import { RelevanceScorer, type RelevanceReference } from "../methods/greener/relevance.js";
import { TRAIN_DEFAULTS } from "../methods/greener/pipeline.js";
import { toDeviceRaw } from "../ops/internal.js";
import { deviceOption } from "../methods/device-option.js";
import { runAsync, type Steps } from "../methods/step_loop.js";
import { progressLoop, type TrainerControl } from "./progress.js";

export interface TrainGreenerOptions extends Omit<GreenerTrainOptions, "log">, TrainerControl {
  /** Prepared reviews (prepareGreenerData(file).data, or a GreenerData built in memory). */
  data: GreenerData;
  /** Model shape (default hidden 256, 4 heads, embeddings 64, dropout 0.2; see GreenerModelConfig). */
  model?: Partial<Omit<GreenerModelConfig, "numUsers" | "numItems" | "numAttributes" | "sentenceDim">>;
  /** Width of the sentence projection (default 256). */
  sentenceDim?: number;
  /** Length and mean-idf features (default true) and the item-centrality features (default true). */
  surfaceFeatures?: boolean;
  centralityFeatures?: boolean;
  /** Relevance labels: "sentences" (default, the spec's) or "review". */
  labels?: RelevanceReference;
  /** Explanation size: the "review" labels assume it, the evaluation selects it (default 5). */
  k?: number;
  /**
   * After training, score the held-out pairs and evaluate the relevance-only top-K selection
   * (BLEU, ROUGE, attribute F1 against the held-out review; evaluate.ts) on this split
   * (default "test"; false: none). The ILP selection and its tuning are runGreener's.
   */
  evaluate?: "test" | "validation" | false;
  /** Evaluate only the first n eligible pairs. */
  evalLimit?: number;
}

export interface TrainGreenerResult {
  /** The trained model (eval mode). */
  model: GreenerModel;
  /** Sentence features, one row per sentence of data (on the training device). */
  sentenceTable: Tensor;
  /** Scores a review's candidate sentences with the model (GreenerScorer). */
  scorer: GreenerScorer;
  /** The training pairs with their relevance levels. */
  examples: GreenerPair[];
  report: GreenerTrainReport;
  /** The top-K selection's quality on the evaluated split (null with evaluate: false or no eligible pair). */
  quality: QualityRow | null;
  /** Frees the model and the sentence table. */
  dispose(): void;
}

function* greenerSteps(o: Omit<TrainGreenerOptions, keyof TrainerControl>): Steps<TrainGreenerResult> {
  const { data } = o;
  const device = deviceOption(o.device, "cpu", "trainGreener");
  let table: Tensor | null = null, model: GreenerModel | null = null, finished = false;
  try {
    // Sentence features: the TF-IDF fit (one pass), the item centrality (a boundary every 64
    // items), the encoding (a boundary every ENCODE_CHUNK sentences).
    yield { phase: "prepare", stage: "tf-idf", epoch: 0, step: 0, steps: 1 }; // the fit is one pass of seconds: its bar shows from the start
    const vectors = new SentenceVectors(data);
    yield { phase: "prepare", stage: "tf-idf", epoch: 0, step: 1, steps: 1 };
    const encoder = new TfidfProjectionEncoder(vectors.tfidf, { dim: o.sentenceDim ?? 256, seed: 0, surfaceFeatures: o.surfaceFeatures ?? true });
    const extra = (o.centralityFeatures ?? true) ? { values: yield* itemCentralitySteps(data, (s) => vectors.vector(s)), width: 2 } : undefined;
    const host = yield* encodeRowsSteps(encoder, data.sentences.map((_, s) => data.tokens(s)), extra, "GREENer encoder");
    table = device === host.device ? host : toDeviceRaw(host, device);
    if (table !== host) host.dispose();
    // Relevance labels of the training pairs, 64 at a time.
    const reviews = trainingReviews(data);
    const relevance = new RelevanceScorer();
    const examples: GreenerPair[] = [];
    for (let i = 0; i < reviews.length; i++) {
      examples.push(pairExample(data, reviews[i], { labels: true, relevance, reference: o.labels ?? "sentences", k: o.k ?? 5 }));
      if ((i + 1) % 64 === 0 || i + 1 === reviews.length) yield { phase: "prepare", stage: "labels", epoch: 0, step: i + 1, steps: reviews.length };
    }
    model = new GreenerModel({
      numUsers: data.users.length, numItems: data.items.length, numAttributes: data.attributes.names.length,
      sentenceDim: encoder.width + (extra?.width ?? 0), ...(o.model ?? {}),
    });
    const { data: _d, model: _m, sentenceDim: _s, surfaceFeatures: _f, centralityFeatures: _c, labels: _l, k: _k, evaluate: _e, evalLimit: _n, ...train } = o;
    const report = yield* trainGreenerSteps(model, table, examples, { ...TRAIN_DEFAULTS, ...train, device });
    const m = model, t = table;
    const scorer = new GreenerScorer(m, data, t);
    let quality: QualityRow | null = null;
    const split = o.evaluate ?? "test";
    if (split) {
      // The model scores the pairs 64 at a time (the long part); selection and metrics are host work.
      let pairs = eligiblePairs(data, split);
      if (o.evalLimit !== undefined) pairs = pairs.slice(0, o.evalLimit);
      for (let i = 0; i < pairs.length; i += 64) {
        scorer.precompute(pairs.slice(i, i + 64));
        yield { phase: "eval", stage: "scoring", epoch: report.epochs, step: Math.min(pairs.length, i + 64), steps: pairs.length };
      }
      if (pairs.length) quality = yield* evaluateSelectorSteps(data, "greener-topk", topKSelector(scorer.scorer), { k: o.k ?? 5, split, limit: o.evalLimit, epoch: report.epochs });
    }
    finished = true;
    return { model: m, sentenceTable: t, scorer, examples, report, quality, dispose: () => { m.dispose(); t.dispose(); } };
  } finally {
    if (!finished) {
      model?.dispose();
      table?.dispose();
    }
  }
}

/**
 * Builds GREENer's sentence features and relevance labels from prepared data and trains the
 * GAT + DCN scorer (defaults of `recforge train greener`: 2 epochs, batch 32, Adam 1e-3),
 * pausing after each chunk of preparation and each optimiser step. Progress: "prepare" (stages
 * "tf-idf", "centrality", "sentence features", "labels", "graphs"), "train" per step (metrics sentenceLoss, attributeLoss), "eval"
 * per 64 held-out pairs scored (then result.quality: the top-K selection's BLEU / ROUGE). The
 * caller disposes the result (result.dispose()); an aborted run disposes everything it built and
 * rejects with the signal's reason.
 */
export async function trainGreener(opts: TrainGreenerOptions): Promise<TrainGreenerResult> {
  const { signal, onProgress, events, ...rest } = opts;
  const loop = progressLoop("greener", { signal, onProgress, events });
  return runAsync(greenerSteps(rest), loop);
}
