// GREENer's comparison made fair (issue 17 item 2): `recforge bench greener-fair`.
//
// Protocol (every choice on VALIDATION; the test split is sealed until the record is final):
//  1. Seal the test split (split_seal.ts): all of step 2–4 run on a view that throws on any
//     read of a test review, pool or sentence.
//  2. Baselines, each tuned with the same grid as GREENer: most popular (item centrality,
//     baselines.ts) and the TF-IDF-profile stand-in, each as top-K and as the ILP whose α and
//     length weight λ are chosen on the validation pairs (max BLEU-4 × ROUGE-L, tuning.ts). The
//     ILP sees every scorer's scores standardised within the pair (z-scores), so one (α, λ)
//     grid means the same for scorers of different scale. Also reported: random, and the
//     stand-in ILP as the bench ran it untuned (α = 1, λ = 0, raw scores).
//  3. GREENer design (the design seeds: all seeds run unless `designSeeds` says fewer): each
//     variant (labels, sentence features) is trained with every design seed for up to
//     `maxEpochs`, scoring the validation pairs (top-K) after every epoch; the (variant, epoch)
//     with the best BLEU-4 × ROUGE-L of the MEAN over the design seeds is the design, and the
//     design seeds' models are taken at that epoch (snapshots). Seeds beyond the design seeds
//     train that design for that many epochs. Per seed, the ILP's α and λ are chosen on
//     validation with the baselines' grid.
//  4. The selection record is frozen; the test split is unsealed once.
//  5. Test: every row on the same test pairs; per-pair BLEU statistics and ROUGE-L; GREENer's
//     rows as mean ± sd over seeds; each GREENer row against most popular, the tuned stand-in
//     ILP, the untuned stand-in ILP and the best baseline (per metric, the baseline row with the
//     highest TEST value — the strongest bar, picked after the fact, so the comparison can only
//     be harder for GREENer), with a paired bootstrap 95% interval over the test pairs
//     (paired_bootstrap.ts); verdicts come from the interval.
import { prepareGreenerData } from "./prepare.js";
import type { GreenerData } from "./prepare.js";
import { SentenceVectors, tfidfProfileScorer, randomSelector, topKSelector, ilpSelector, type Scorer, type Selector } from "./baselines.js";
import { IlpSelector } from "./ilp.js";
import { eligiblePairs, pairContext } from "./evaluate.js";
import { chooseOnValidation } from "./tuning.js";
import { centralityOf, itemCentralityTable } from "./centrality.js";
import { TfidfProjectionEncoder } from "./encoder.js";
import { LsaEncoder } from "./lsa.js";
import { GreenerModel } from "./model.js";
import { trainGreenerSteps } from "./train.js";
import { runSync, runSyncReporting } from "../step_loop.js";
import { pairExample, trainingReviews, GreenerScorer } from "./examples.js";
import { RelevanceScorer, type RelevanceReference } from "./relevance.js";
import { sealTestSplit, testSentenceMask } from "./split_seal.js";
import { ProfileFeatures, PROFILE_FEATURE_WIDTH } from "./profile_features.js";
import { PhraseVectors } from "./phrase_vectors.js";
import type { PairFeatureFn } from "./examples.js";
import { emptyPairMetrics, setPair, bleu4Of, rougeLOf, pairedBootstrap, type PairMetrics, type DiffInterval } from "./paired_bootstrap.js";
import { Tensor } from "../../tensor/tensor.js";
import { native } from "../../native.js";
import { startProvenance, type Provenance } from "../../provenance.js";
import { mulberry32 } from "../../prng.js";

export type VariantName = "spec" | "review-labels" | "lsa" | "no-centrality" | "profile" | "profile-phrases";

/** GREENer design variants tried on validation (docs/greener.md). */
export const VARIANTS: Record<VariantName, { labels: RelevanceReference; centrality: boolean; features: "random-projection" | "lsa"; profile?: "words" | "words+phrases"; note: string }> = {
  spec: { labels: "sentences", centrality: true, features: "random-projection", note: "the spec's labels, TF-IDF random projection + item centrality (the previous default)" },
  "review-labels": { labels: "review", centrality: true, features: "random-projection", note: "evaluation-matched labels (one reference: the whole review), random projection + centrality" },
  lsa: { labels: "sentences", centrality: true, features: "lsa", note: "sentence features learned from the training reviews: LSA (randomized SVD of their TF-IDF) + centrality" },
  "no-centrality": { labels: "sentences", centrality: false, features: "random-projection", note: "the spec's labels, random projection only" },
  profile: { labels: "sentences", centrality: true, features: "random-projection", profile: "words", note: "spec + per-candidate cosines to the user's and item's TF-IDF text profiles (each candidate's own review and a training pair's review left out, the same rule in training, validation and test) into the DCN (profile_features.ts)" },
  "profile-phrases": { labels: "sentences", centrality: true, features: "random-projection", profile: "words+phrases", note: "profile + the same two cosines over word bigrams and trigrams (phrase TF-IDF fitted on the training sentences, phrase_vectors.ts), the same leave-out rule: 4 pair features" },
};

export const FAIR_ALPHA_GRID = [0, 0.1, 0.3, 1, 3];
export const FAIR_LENGTH_GRID = [0, 0.1, 0.25, 0.5, 1];

export interface FairOptions {
  file: string;
  /** name of the review domain (the output file's name) */
  domain?: string;
  seeds?: number[];
  variants?: VariantName[];
  maxEpochs?: number;
  alphaGrid?: number[];
  lengthGrid?: number[];
  /** first n validation pairs for every choice (default all) */
  validationLimit?: number;
  /** first n test pairs (default all) */
  testLimit?: number;
  /** training pairs: a seeded sample of this many (default all) */
  trainLimit?: number;
  /** the design (variant, epochs) is chosen on the validation mean over the first n seeds (default all seeds) */
  designSeeds?: number;
  hidden?: number;
  lr?: number;
  batchSize?: number;
  resamples?: number;
  k?: number;
  /**
   * Score fusion weights w tried on validation for an extra row "greener+standin-ilp": GREENer's
   * z-scores + w · the stand-in's z-scores (w by top-K on validation, then α and λ by the grid).
   * An ensemble, reported beside GREENer, never in place of it. Default: none (no such row).
   */
  fusion?: number[];
  /** stated in the result: what was reduced and why */
  protocolNote?: string;
  log?: (m: string) => void;
  /**
   * Progress in units of work (bench/harness/timing.ts BenchProgress): the two baselines' ILP
   * tuning, each training (fractional while it trains), each seed's tuning on validation, the
   * test evaluation of each seed.
   */
  progress?: (done: number, total: number, what: string) => void;
  command?: string;
}

interface Tried { alpha: number; lengthWeight: number; bleu4: number; rougeL: number }
interface Tuned { alpha: number; lengthWeight: number; validation: { bleu4: number; rougeL: number }; tried: Tried[] }

export interface FairRow {
  method: string;
  scores: string;
  setting: string;
  /** per seed for GREENer, one entry otherwise */
  runs: { seed: number | null; bleu4: number; rougeL: number }[];
  bleu4: { mean: number; sd: number };
  rougeL: { mean: number; sd: number };
}

export interface FairComparison {
  row: string;
  against: string;
  role: "most popular" | "stand-in ILP (tuned)" | "stand-in ILP (untuned, α = 1, λ = 0)" | "best baseline on BLEU-4" | "best baseline on ROUGE-L";
  bleu4: DiffInterval;
  rougeL: DiffInterval;
}

export interface FairResult {
  provenance: Provenance;
  domain: string;
  protocol: { text: string[]; reduced: string | null; seeds: number[]; validation_pairs: number; test_pairs: number; train_pairs: number; k: number; top_p: number; alpha_grid: number[]; length_grid: number[]; resamples: number; criterion: string };
  data: { file: string; reviews: number; sentences: number; attributes: number; users: number; items: number };
  selection: {
    test_split_sealed: true;
    baselines: Record<string, Tuned>;
    greener_design: {
      /** the seeds whose validation mean chose the design */
      seeds: number[];
      /** per variant and epoch: validation top-K BLEU-4 and ROUGE-L, mean over the design seeds (product = of the means, ×100), and per seed */
      variants: { name: VariantName; note: string; epochs: { epoch: number; bleu4: number; rougeL: number; product: number; per_seed: { seed: number; bleu4: number; rougeL: number }[] }[]; train_seconds: number }[];
      chosen: { variant: VariantName; epochs: number };
    };
    greener_seeds: { seed: number; epochs: number; ilp: Tuned; validation_topk: { bleu4: number; rougeL: number }; train_seconds: number; fusion: { weight: number; tried: { weight: number; bleu4: number; rougeL: number }[]; ilp: Tuned } | null }[];
  };
  test: { rows: FairRow[]; comparisons: FairComparison[]; greener_beats_standin_untuned: { bleu4: boolean; rougeL: boolean }; greener_beats_all_baselines: { bleu4: boolean; rougeL: boolean } };
  seconds: { prepare: number; selection: number; test: number; total: number };
}

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

function zScores(s: Float64Array): Float64Array {
  const n = s.length;
  if (n === 0) return s;
  let m = 0;
  for (const x of s) m += x;
  m /= n;
  let v = 0;
  for (const x of s) v += (x - m) * (x - m);
  const sd = Math.sqrt(v / n);
  return Float64Array.from(s, (x) => (sd > 0 ? (x - m) / sd : 0));
}

/** The scorer's scores standardised within each pair, cached per review (grids reuse them). */
function memoZ(scorer: Scorer): Scorer {
  const cache = new Map<number, Float64Array>();
  return (ctx) => {
    let z = cache.get(ctx.review);
    if (!z) cache.set(ctx.review, (z = zScores(scorer(ctx))));
    return z;
  };
}

function memo(scorer: Scorer): Scorer {
  const cache = new Map<number, Float64Array>();
  return (ctx) => {
    let z = cache.get(ctx.review);
    if (!z) cache.set(ctx.review, (z = scorer(ctx)));
    return z;
  };
}

/** z-scores of a plus w · z-scores of b, per pair (both already z-scored scorers). */
function fused(a: Scorer, b: Scorer, w: number): Scorer {
  return (ctx) => {
    const x = a(ctx), y = b(ctx);
    return Float64Array.from(x, (v, i) => v + w * y[i]);
  };
}

/** Most popular's scores (baselines.ts popularSelector orders by Σ_{j≠i} cos = (n−1)·mean: the same order) in O(nnz) via centralityOf. */
export function popularScorer(vectors: SentenceVectors): Scorer {
  return (ctx) => centralityOf(Array.from(ctx.candidates, (s) => vectors.vector(s))).mean;
}

/** Per-pair BLEU statistics and ROUGE-L of a selector on the given pairs. */
export function pairMetricsOf(data: GreenerData, selector: Selector, pairs: readonly number[], k = 5): PairMetrics {
  const m = emptyPairMetrics(pairs.length);
  pairs.forEach((r, i) => {
    const ctx = pairContext(data, r);
    const picked = selector(ctx, Math.min(k, ctx.candidates.length));
    const hyp = picked.flatMap((p) => data.tokens(ctx.candidates[p]));
    const ref = data.sentencesOf(r).flatMap((s) => data.tokens(s));
    setPair(m, i, ref, hyp);
  });
  return m;
}

function tuneIlp(data: GreenerData, z: Scorer, vectors: SentenceVectors, solver: IlpSelector, pairs: number[], alphas: number[], lambdas: number[], k: number, topP: number): Tuned {
  const tried: Tried[] = [];
  for (const lw of lambdas) for (const a of alphas) {
    const m = pairMetricsOf(data, ilpSelector(z, vectors, solver, { solver: "bnb", topP, alpha: a, lengthWeight: lw }), pairs, k);
    tried.push({ alpha: a, lengthWeight: lw, bleu4: r5(bleu4Of(m)), rougeL: r5(rougeLOf(m)) });
  }
  const best = chooseOnValidation(tried);
  return { alpha: best.alpha, lengthWeight: best.lengthWeight, validation: { bleu4: best.bleu4, rougeL: best.rougeL }, tried };
}

function seededSample(xs: number[], n: number, seed: number): number[] {
  if (n >= xs.length) return xs;
  const rand = mulberry32((seed * 0x9e3779b1 + 1) >>> 0);
  const c = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (c.length - i));
    [c[i], c[j]] = [c[j], c[i]];
  }
  return c.slice(0, n).sort((x, y) => x - y);
}

/** Sentence table of a variant, built on the sealed view: test sentences are zero rows (never candidates). */
function sentenceTable(view: GreenerData, vectors: SentenceVectors, variant: VariantName, testMask: Uint8Array): { table: Tensor; width: number } {
  const v = VARIANTS[variant];
  const tokens = view.sentences.map((_, s) => (testMask[s] ? [] : view.tokens(s)));
  const extra = v.centrality ? { values: itemCentralityTable(view, (s) => vectors.vector(s)), width: 2 } : undefined;
  let table: Tensor, width: number;
  if (v.features === "lsa") {
    const train: ReturnType<SentenceVectors["vector"]>[] = [];
    for (const r of view.reviewsOf("train")) for (const s of view.sentencesOf(r)) train.push(vectors.vector(s));
    const enc = new LsaEncoder(vectors.tfidf, train, { dim: 128, seed: 0 });
    table = enc.encodeAll(tokens, extra);
    width = enc.width;
  } else {
    const enc = new TfidfProjectionEncoder(vectors.tfidf, { dim: 256, seed: 0, surfaceFeatures: true });
    table = enc.encodeAll(tokens, extra);
    width = enc.width;
  }
  return { table, width: width + (extra?.width ?? 0) };
}

function snapshot(model: GreenerModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, t] of Object.entries(model.stateDict())) out.set(k, Float32Array.from(t.toTypedArray() as Float32Array));
  return out;
}

function restore(model: GreenerModel, snap: Map<string, Float32Array>): void {
  for (const [k, t] of Object.entries(model.stateDict())) native.write({ handle: t._h, byteOffset: 0, data: snap.get(k)! });
}

/**
 * A variant's per-candidate pair features (profile_features.ts), the same function for training,
 * validation and test pairs; built on the sealed view during selection and on the full data for
 * the test run (both fit their TF-IDF on the training sentences only, so they agree).
 */
function pairFeaturesOf(variant: VariantName, data: GreenerData, vectors: SentenceVectors): { fn: PairFeatureFn | undefined; width: number } {
  const kind = VARIANTS[variant].profile;
  if (!kind) return { fn: undefined, width: 0 };
  const words = new ProfileFeatures(data, vectors);
  if (kind === "words") return { fn: (r, c) => words.features(r, c), width: PROFILE_FEATURE_WIDTH };
  const phrases = new ProfileFeatures(data, new PhraseVectors(data));
  return {
    width: 2 * PROFILE_FEATURE_WIDTH,
    fn: (r, c) => {
      const a = words.features(r, c), b = phrases.features(r, c), out = new Float32Array(c.length * 2 * PROFILE_FEATURE_WIDTH);
      for (let i = 0; i < c.length; i++) {
        out.set(a.subarray(i * PROFILE_FEATURE_WIDTH, (i + 1) * PROFILE_FEATURE_WIDTH), i * 2 * PROFILE_FEATURE_WIDTH);
        out.set(b.subarray(i * PROFILE_FEATURE_WIDTH, (i + 1) * PROFILE_FEATURE_WIDTH), (i * 2 + 1) * PROFILE_FEATURE_WIDTH);
      }
      return out;
    },
  };
}

interface Trained {
  variant: VariantName; model: GreenerModel; table: Tensor; scorer: GreenerScorer;
  /** validation top-K after each epoch (only when recorded) */
  epochs: { epoch: number; bleu4: number; rougeL: number }[];
  /** the model's weights after each epoch before the last (only when recorded) */
  snapshots: Map<number, Map<string, Float32Array>>;
  seconds: number;
}

/** Trains one variant with one seed on the sealed view (the variant's sentence table is shared by its seeds: it does not depend on the seed); with `recordEpochs`, scores validation (top-K) after every epoch and keeps a snapshot of each. */
function trainOne(view: GreenerData, vectors: SentenceVectors, tab: { table: Tensor; width: number }, variant: VariantName, seed: number, epochs: number, recordEpochs: boolean, valPairs: number[], trainPairs: number[], o: FairOptions, onTrainFraction?: (f: number) => void): Trained {
  const log = o.log ?? (() => {});
  const k = o.k ?? 5;
  const { table, width } = tab;
  const relevance = new RelevanceScorer();
  const { fn: pairFeatures, width: pairWidth } = pairFeaturesOf(variant, view, vectors);
  const examples = trainPairs.map((r) => pairExample(view, r, { labels: true, relevance, reference: VARIANTS[variant].labels, k, pairFeatures }));
  const model = new GreenerModel({
    numUsers: view.users.length, numItems: view.items.length, numAttributes: view.attributes.names.length, sentenceDim: width, seed,
    pairFeatureDim: pairWidth, ...(o.hidden ? { hidden: o.hidden } : {}),
  });
  const curve: Trained["epochs"] = [];
  const snapshots: Trained["snapshots"] = new Map();
  const onEpoch = (epoch: number) => {
    const sc = new GreenerScorer(model, view, table, pairFeatures);
    sc.precompute(valPairs);
    const m = pairMetricsOf(view, topKSelector(sc.scorer), valPairs, k);
    const b = bleu4Of(m), rl = rougeLOf(m);
    curve.push({ epoch, bleu4: b, rougeL: rl });
    log(`greener-fair: ${variant} seed ${seed} epoch ${epoch}: validation top-K BLEU-4 ${b.toFixed(4)} ROUGE-L ${rl.toFixed(4)}`);
    if (epoch < epochs) snapshots.set(epoch, snapshot(model));
  };
  const core = trainGreenerSteps(model, table, examples, { epochs, batchSize: o.batchSize ?? 32, lr: o.lr ?? 1e-3, seed, log, ...(recordEpochs ? { onEpoch } : {}) });
  const rep = onTrainFraction ? runSyncReporting(core, (t) => t.phase === "train" && onTrainFraction(t.step / t.steps)) : runSync(core);
  return { variant, model, table, scorer: new GreenerScorer(model, view, table, pairFeatures), epochs: curve, snapshots, seconds: rep.seconds };
}

export async function runGreenerFair(o: FairOptions): Promise<FairResult> {
  const done = startProvenance(o.command);
  const log = o.log ?? (() => {});
  const k = o.k ?? 5, topP = 100;
  const seeds = o.seeds ?? [0, 1, 2];
  const variants = o.variants ?? (["spec", "review-labels", "lsa"] as VariantName[]);
  const alphas = o.alphaGrid ?? FAIR_ALPHA_GRID, lambdas = o.lengthGrid ?? FAIR_LENGTH_GRID;
  if (seeds.length === 0) throw new RangeError("greener-fair: at least one seed");
  if (variants.length === 0) throw new RangeError("greener-fair: at least one variant");
  for (const v of variants) if (!(v in VARIANTS)) throw new RangeError(`greener-fair: unknown variant ${JSON.stringify(v)} (one of ${Object.keys(VARIANTS).join(", ")})`);
  const t0 = performance.now();
  const prep = await prepareGreenerData(o.file, {}, { log });
  const tPrep = performance.now();

  // ---------------- selection: the test split is sealed
  type Record_ = FairResult["selection"];
  const seal = sealTestSplit<Record_>(prep.data);
  const view = seal.view;
  const testMask = testSentenceMask(view);
  let valPairs = eligiblePairs(view, "validation");
  if (o.validationLimit !== undefined) valPairs = valPairs.slice(0, o.validationLimit);
  let trainPairs = trainingReviews(view);
  if (o.trainLimit !== undefined) trainPairs = seededSample(trainPairs, o.trainLimit, 0);
  const vectors = new SentenceVectors(view);
  const solver = await IlpSelector.create();
  const baseScorers: Record<string, Scorer> = { popular: memo(popularScorer(vectors)), standin: memo(tfidfProfileScorer(vectors)) };
  const baseZ: Record<string, Scorer> = { popular: memoZ(baseScorers.popular), standin: memoZ(baseScorers.standin) };
  const baseTuned: Record<string, Tuned> = {};
  const designSeedCount = Math.min(seeds.length, o.designSeeds ?? seeds.length);
  // Progress units: 2 baseline tunings, |variants| × |design seeds| + the other seeds' trainings, |seeds| tunings, |seeds| test evaluations.
  const units = 2 + variants.length * designSeedCount + (seeds.length - designSeedCount) + 2 * seeds.length;
  let unitsDone = 0;
  const report = (what: string, partial = 0) => o.progress?.(Math.round((unitsDone + partial) * 100) / 100, units, what);
  const finishUnit = (what: string) => {
    unitsDone++;
    report(what);
  };
  const training = (what: string) => (f: number) => report(what, Math.min(f, 0.99));
  report("baselines: ILP tuning on validation");
  for (const name of ["popular", "standin"]) {
    baseTuned[name] = tuneIlp(view, baseZ[name], vectors, solver, valPairs, alphas, lambdas, k, topP);
    finishUnit(`${name}: ILP tuned on validation`);
    log(`greener-fair: ${name} ILP on validation → α ${baseTuned[name].alpha}, λ ${baseTuned[name].lengthWeight} (${baseTuned[name].validation.bleu4} / ${baseTuned[name].validation.rougeL})`);
  }
  // GREENer design on the validation mean over the design seeds
  const designSeeds = seeds.slice(0, Math.min(seeds.length, o.designSeeds ?? seeds.length));
  if (designSeeds.length === 0) throw new RangeError("greener-fair: designSeeds must be >= 1");
  const design: Record_["greener_design"]["variants"] = [];
  let trained = new Map<number, Trained>();
  let chosen: { variant: VariantName; epochs: number; product: number } | null = null;
  const maxEpochs = o.maxEpochs ?? 2;
  let chosenTable: { table: Tensor; width: number } | null = null;
  const disposeAll = (ts: Iterable<Trained>, tab: { table: Tensor } | null) => {
    for (const t of ts) t.model.dispose();
    tab?.table.dispose();
  };
  for (const v of variants) {
    const tab = sentenceTable(view, vectors, v, testMask);
    const runs = new Map<number, Trained>();
    for (const seed of designSeeds) {
      runs.set(seed, trainOne(view, vectors, tab, v, seed, maxEpochs, true, valPairs, trainPairs, o, training(`design ${v}, seed ${seed}`)));
      finishUnit(`design ${v}, seed ${seed}`);
    }
    const curve = Array.from({ length: maxEpochs }, (_, e) => {
      const per = designSeeds.map((seed) => runs.get(seed)!.epochs[e]);
      const b = per.reduce((a, x) => a + x.bleu4, 0) / per.length, rl = per.reduce((a, x) => a + x.rougeL, 0) / per.length;
      return { epoch: e + 1, bleu4: b, rougeL: rl, product: b * rl, per_seed: per.map((x, i) => ({ seed: designSeeds[i], bleu4: r5(x.bleu4), rougeL: r5(x.rougeL) })) };
    });
    design.push({ name: v, note: VARIANTS[v].note, epochs: curve.map((e) => ({ ...e, bleu4: r5(e.bleu4), rougeL: r5(e.rougeL), product: r5(e.product * 100) / 100 })), train_seconds: Math.round([...runs.values()].reduce((a, t) => a + t.seconds, 0)) });
    const best = curve.reduce((a, e) => (e.product > a.product ? e : a));
    log(`greener-fair: ${v}: best validation mean over seeds ${designSeeds.join(",")} at epoch ${best.epoch} (BLEU-4 ${best.bleu4.toFixed(4)}, ROUGE-L ${best.rougeL.toFixed(4)})`);
    if (!chosen || best.product > chosen.product) {
      disposeAll(trained.values(), chosenTable);
      chosen = { variant: v, epochs: best.epoch, product: best.product };
      chosenTable = tab;
      // every design seed's model at the chosen epoch
      for (const t of runs.values()) if (best.epoch < maxEpochs) restore(t.model, t.snapshots.get(best.epoch)!);
      trained = runs;
    } else disposeAll(runs.values(), tab);
    for (const t of runs.values()) t.snapshots.clear();
  }
  log(`greener-fair: design chosen on validation (mean over seeds ${designSeeds.join(",")}): ${chosen!.variant}, ${chosen!.epochs} epoch(s)`);
  for (const seed of seeds.slice(designSeeds.length)) {
    trained.set(seed, trainOne(view, vectors, chosenTable!, chosen!.variant, seed, chosen!.epochs, false, valPairs, trainPairs, o, training(`${chosen!.variant}, seed ${seed}`)));
    finishUnit(`${chosen!.variant}, seed ${seed}`);
  }
  const seedRecords: Record_["greener_seeds"] = [];
  const greenerZ = new Map<number, Scorer>();
  for (const seed of seeds) {
    const t = trained.get(seed)!;
    t.scorer.precompute(valPairs);
    const z = memoZ(t.scorer.scorer);
    greenerZ.set(seed, z);
    const ilp = tuneIlp(view, z, vectors, solver, valPairs, alphas, lambdas, k, topP);
    const m = pairMetricsOf(view, topKSelector(t.scorer.scorer), valPairs, k);
    let fusion: Record_["greener_seeds"][number]["fusion"] = null;
    if (o.fusion?.length) {
      const tried = o.fusion.map((w) => {
        const fm = pairMetricsOf(view, topKSelector(fused(z, baseZ.standin, w)), valPairs, k);
        return { weight: w, bleu4: r5(bleu4Of(fm)), rougeL: r5(rougeLOf(fm)) };
      });
      const w = chooseOnValidation(tried).weight;
      fusion = { weight: w, tried, ilp: tuneIlp(view, memoZ(fused(z, baseZ.standin, w)), vectors, solver, valPairs, alphas, lambdas, k, topP) };
      log(`greener-fair: seed ${seed} fusion weight ${w}, ILP α ${fusion.ilp.alpha}, λ ${fusion.ilp.lengthWeight} (${fusion.ilp.validation.bleu4} / ${fusion.ilp.validation.rougeL})`);
    }
    seedRecords.push({ seed, epochs: chosen!.epochs, ilp, validation_topk: { bleu4: r5(bleu4Of(m)), rougeL: r5(rougeLOf(m)) }, train_seconds: Math.round(t.seconds), fusion });
    finishUnit(`seed ${seed}: ILP tuned on validation`);
    log(`greener-fair: seed ${seed} ILP on validation → α ${ilp.alpha}, λ ${ilp.lengthWeight} (${ilp.validation.bleu4} / ${ilp.validation.rougeL})`);
  }
  const record: Record_ = {
    test_split_sealed: true,
    baselines: baseTuned,
    greener_design: { seeds: designSeeds, variants: design, chosen: { variant: chosen!.variant, epochs: chosen!.epochs } },
    greener_seeds: seedRecords,
  };
  const tSel = performance.now();

  // ---------------- the final run: unseal once, evaluate everything on the same test pairs
  const data = seal.unseal(record);
  let testPairs = eligiblePairs(data, "test");
  if (o.testLimit !== undefined) testPairs = testPairs.slice(0, o.testLimit);
  // The scorers were built on the view; test pairs need the full data's accessors.
  const fullVectors = new SentenceVectors(data);
  const fullBase: Record<string, Scorer> = { popular: popularScorer(fullVectors), standin: tfidfProfileScorer(fullVectors) };
  const rows: FairRow[] = [], metrics = new Map<string, PairMetrics[]>();
  const addRow = (method: string, scores: string, setting: string, runs: { seed: number | null; m: PairMetrics }[]) => {
    const b = runs.map((r) => bleu4Of(r.m)), l = runs.map((r) => rougeLOf(r.m));
    const ms = (xs: number[]) => {
      const mean = xs.reduce((a, c) => a + c, 0) / xs.length;
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, c) => a + (c - mean) ** 2, 0) / (xs.length - 1)) : 0;
      return { mean: r5(mean), sd: r5(sd) };
    };
    rows.push({ method, scores, setting, runs: runs.map((r, i) => ({ seed: r.seed, bleu4: r5(b[i]), rougeL: r5(l[i]) })), bleu4: ms(b), rougeL: ms(l) });
    metrics.set(method, runs.map((r) => r.m));
    log(`greener-fair: test ${method}: BLEU-4 ${ms(b).mean} ± ${ms(b).sd}, ROUGE-L ${ms(l).mean} ± ${ms(l).sd}`);
  };
  const one = (sel: Selector) => [{ seed: null, m: pairMetricsOf(data, sel, testPairs, k) }];
  addRow("random", "none", "uniform, seed 1", one(randomSelector(1)));
  addRow("popular-topk", "item centrality (most popular)", "top-K", one(topKSelector(fullBase.popular)));
  const ilpRow = (name: string, z: Scorer, t: Tuned) => ilpSelector(z, fullVectors, solver, { solver: "bnb", topP, alpha: t.alpha, lengthWeight: t.lengthWeight });
  addRow("popular-ilp", "item centrality, z-scored in the pair", `ILP α ${baseTuned.popular.alpha}, λ ${baseTuned.popular.lengthWeight} (validation)`, one(ilpRow("popular-ilp", memoZ(fullBase.popular), baseTuned.popular)));
  addRow("standin-topk", "TF-IDF profile stand-in", "top-K", one(topKSelector(fullBase.standin)));
  addRow("standin-ilp", "TF-IDF profile stand-in, z-scored in the pair", `ILP α ${baseTuned.standin.alpha}, λ ${baseTuned.standin.lengthWeight} (validation)`, one(ilpRow("standin-ilp", memoZ(fullBase.standin), baseTuned.standin)));
  addRow("standin-ilp-untuned", "TF-IDF profile stand-in, raw", "ILP α 1, λ 0 (as bench explain ran it)", one(ilpSelector(fullBase.standin, fullVectors, solver, { solver: "bnb", topP, alpha: 1 })));
  const gTop: { seed: number; m: PairMetrics }[] = [], gIlp: { seed: number; m: PairMetrics }[] = [], gFused: { seed: number; m: PairMetrics }[] = [];
  const standinZTest = memoZ(fullBase.standin);
  for (const seed of seeds) {
    const t = trained.get(seed)!;
    const testFeatures = pairFeaturesOf(t.variant, data, fullVectors).fn;
    const sc = new GreenerScorer(t.model, data, t.table, testFeatures);
    sc.precompute(testPairs);
    const tuned = seedRecords.find((s) => s.seed === seed)!.ilp;
    gTop.push({ seed, m: pairMetricsOf(data, topKSelector(sc.scorer), testPairs, k) });
    gIlp.push({ seed, m: pairMetricsOf(data, ilpSelector(memoZ(sc.scorer), fullVectors, solver, { solver: "bnb", topP, alpha: tuned.alpha, lengthWeight: tuned.lengthWeight }), testPairs, k) });
    const fu = seedRecords.find((s) => s.seed === seed)!.fusion;
    if (fu) gFused.push({ seed, m: pairMetricsOf(data, ilpSelector(memoZ(fused(memoZ(sc.scorer), standinZTest, fu.weight)), fullVectors, solver, { solver: "bnb", topP, alpha: fu.ilp.alpha, lengthWeight: fu.ilp.lengthWeight }), testPairs, k) });
    t.model.dispose();
    finishUnit(`seed ${seed}: test evaluation`);
  }
  chosenTable!.table.dispose();
  const gv = `${chosen!.variant}, ${chosen!.epochs} epoch(s)`;
  addRow("greener-ilp", `GREENer (GAT + DCN; ${gv}), z-scored in the pair`, `ILP, α and λ per seed on validation: ${seedRecords.map((s) => `seed ${s.seed}: α ${s.ilp.alpha}, λ ${s.ilp.lengthWeight}`).join("; ")}`, gIlp);
  addRow("greener-topk", `GREENer (GAT + DCN; ${gv})`, "top-K", gTop);
  if (gFused.length) addRow("greener+standin-ilp", `ENSEMBLE: GREENer z-scores + w · stand-in z-scores (${gv}), z-scored in the pair`, `w, then ILP α and λ per seed on validation: ${seedRecords.map((s) => `seed ${s.seed}: w ${s.fusion!.weight}, α ${s.fusion!.ilp.alpha}, λ ${s.fusion!.ilp.lengthWeight}`).join("; ")}`, gFused);

  const baselineNames = ["random", "popular-topk", "popular-ilp", "standin-topk", "standin-ilp", "standin-ilp-untuned"];
  const bestOn = (metric: "bleu4" | "rougeL") => rows.filter((r) => baselineNames.includes(r.method) && r.method !== "random").sort((a, b) => b[metric].mean - a[metric].mean)[0].method;
  const comparisons: FairComparison[] = [];
  const resamples = o.resamples ?? 1000;
  for (const g of ["greener-ilp", "greener-topk", ...(gFused.length ? ["greener+standin-ilp"] : [])]) {
    const against: [string, FairComparison["role"]][] = [
      ["popular-topk", "most popular"], ["standin-ilp", "stand-in ILP (tuned)"], ["standin-ilp-untuned", "stand-in ILP (untuned, α = 1, λ = 0)"],
      [bestOn("bleu4"), "best baseline on BLEU-4"], [bestOn("rougeL"), "best baseline on ROUGE-L"],
    ];
    for (const [b, role] of against) {
      const bs = pairedBootstrap(metrics.get(g)!, metrics.get(b)!, { resamples, seed: 17 });
      const rnd = (d: DiffInterval): DiffInterval => ({ diff: r5(d.diff), lo: r5(d.lo), hi: r5(d.hi), verdict: d.verdict });
      comparisons.push({ row: g, against: b, role, bleu4: rnd(bs.bleu4), rougeL: rnd(bs.rougeL) });
    }
  }
  const cmp = (row: string, role: FairComparison["role"]) => comparisons.find((c) => c.row === row && c.role === role)!;
  const tEnd = performance.now();
  const d = prep.data;
  return {
    provenance: done(),
    domain: o.domain ?? "musical-instruments",
    protocol: {
      text: [
        "every choice on the validation pairs; the test split sealed (split_seal.ts) until the selection record was frozen, then read once",
        "baselines tuned with GREENer's grid: most popular and the TF-IDF-profile stand-in, each top-K and ILP with α and λ chosen on validation",
        `GREENer design (variant, epochs) on validation top-K, the mean over seeds ${designSeeds.join(", ")} (the models of those seeds are taken at the chosen epoch${designSeeds.length < seeds.length ? "; the other seeds train that design" : ""}); α and λ per seed on validation`,
        "ILP: scores z-scored within each pair for every scorer, then + λ·ln(#tokens), redundancy α·TF-IDF cosine, top 100, exact branch-and-bound",
        "best baseline per metric = the baseline row with the highest TEST value (strongest bar, picked after the fact)",
        "intervals: paired bootstrap over the test pairs (same resample for both sides), 95% percentile; GREENer side = mean over seeds",
        ...(o.fusion?.length ? [`greener+standin-ilp is an ENSEMBLE (GREENer + w · stand-in z-scores, w from ${JSON.stringify(o.fusion)} by validation top-K, then α and λ by the grid), reported beside GREENer, not as GREENer`] : []),
      ],
      reduced: o.protocolNote ?? null,
      seeds, validation_pairs: valPairs.length, test_pairs: testPairs.length, train_pairs: trainPairs.length, k, top_p: topP,
      alpha_grid: alphas, length_grid: lambdas, resamples, criterion: "max BLEU-4 × ROUGE-L on the validation pairs (tuning.ts)",
    },
    data: { file: o.file, reviews: d.numReviews, sentences: d.sentences.length, attributes: d.attributes.names.length, users: d.users.length, items: d.items.length },
    selection: record,
    test: {
      rows, comparisons,
      greener_beats_standin_untuned: { bleu4: cmp("greener-ilp", "stand-in ILP (untuned, α = 1, λ = 0)").bleu4.verdict === "better", rougeL: cmp("greener-ilp", "stand-in ILP (untuned, α = 1, λ = 0)").rougeL.verdict === "better" },
      greener_beats_all_baselines: { bleu4: cmp("greener-ilp", "best baseline on BLEU-4").bleu4.verdict === "better", rougeL: cmp("greener-ilp", "best baseline on ROUGE-L").rougeL.verdict === "better" },
    },
    seconds: { prepare: Math.round((tPrep - t0) / 100) / 10, selection: Math.round((tSel - tPrep) / 100) / 10, test: Math.round((tEnd - tSel) / 100) / 10, total: Math.round((tEnd - t0) / 100) / 10 },
  };
}
