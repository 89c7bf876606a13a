// `recforge bench compexp --json [--quick] [--seeds n] [--out DIR]`: CompExp and the spec's
// baselines (../shared/reference/compexp.md "Baselines", "Evaluation", "Done") in one harness, on
// the test reviews of GREENer's split, every method given the SAME sampled inputs per test
// example (10 references, 30 candidates, drawn once with a fixed seed).
//
// Per seed, one CompExp model goes through the stages (extractor → rewrite pairs → pre-training →
// end to end); each stage keeps its best validation epoch (train.ts restoreBest), so every choice
// is made on validation. Rows:
//   compexp              end to end: argmax extraction, refiner, greedy decoding
//   compexp-pretrained   the same model after pre-training (before REINFORCE)
//   extract-only         the end-to-end model's extracted sentence c*, as is
//   no-reference-refiner a second CompExp model TRAINED with d = 0 (the reference-free refiner of
//                        the spec): it starts from the same extractor stage (a copy of the model
//                        after it, same rewrite pairs), then pre-training and end to end with
//                        v = enc(c*) at the same budget; its own argmax extraction, greedy decoding
//   compexp-d0-inference the end-to-end model decoding from enc(c*) (d = 0 at inference only: an
//                        ablation of the trained model, the earlier meaning of no-reference-refiner)
//   att2seq              the Att2Seq-style generator (att2seq.ts): (user, item, rating) embeddings →
//                        tanh layer → h₀ of the same GRU decoder; trained with the pre-training
//                        stage's budget and lr, best epoch by the same validation IDF-BLEU-2
//   random               a uniformly drawn candidate (seeded per seed)
//   item-central         the candidate with the highest mean TF-IDF cosine to the item's other
//                        training sentences (deterministic: identical over seeds)
//   greener-top1         GREENer (lib/methods/greener, trained per seed with a step budget) top-1
//                        sentence among the example's candidates that are in GREENer's pool (its
//                        own pool's top-1 when none is; `greener.fallbacks` counts those)
//   oracle               the candidate with the best BLEU-2 against the true review (reads the
//                        ground truth: the oracle bound, not a method)
// Metrics (means over test examples): BLEU-1/2/4 (sentence BLEU, method-1 smoothing, the true
// review's sentences as references), IDF-BLEU-1/2/4 (BP exponents 1), length, mean token IDF,
// rep/l, seq-rep-2, distinct tokens, self-BLEU-4 (on at most `selfBleuCap` outputs), attribute
// precision / recall, Δ-sensitivity (share of examples whose extracted sentence changes when all
// Δ are negated; extraction-based rows), ext-MRR (up to 10 true sentences mixed into the 30
// candidates) and seconds per training epoch per stage.
// Each row: the mean over seeds, `sd` (sample standard deviation) and `per_seed`.
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startProvenance } from "../provenance.js";
import { musicalInstrumentsPath } from "../data/reviews.js";
import { prepareGreenerData, type GreenerData } from "../methods/greener/prepare.js";
import { buildExamples, sentenceTokens, deltaDistribution, type CompExpExample } from "../methods/compexp/data.js";
import { CompExpModel, argmaxOf, type CompExpInput } from "../methods/compexp/model.js";
import { buildCorpus, computeRewrites, trainCompExp, sampleInput, type CompExpCorpus, type CompExpTrainReport, type CompExpTrainOptions } from "../methods/compexp/train.js";
import { sentenceBleu } from "../text/bleu.js";
import { idfBleu } from "../text/idf_bleu.js";
import { diversity, selfBleu } from "../text/diversity.js";
import { findAttributes } from "../text/attributes.js";
import { SentenceVectors } from "../methods/greener/baselines.js";
import { centralityOf } from "../methods/greener/centrality.js";
import { tidy } from "../tensor/scope.js";
import { noGrad } from "../autograd/engine.js";
import { hash2, mulberry32 } from "../prng.js";
import { benchProgress } from "./timing.js";
import { att2seqFor, att2seqGenerate, trainAtt2Seq, type Att2SeqTrainReport } from "../methods/compexp/att2seq_train.js";

export interface CompExpProtocol {
  embed: number;
  hidden: number;
  /** training examples used (a seeded subset per seed; null = all) */
  trainExamples: number | null;
  /** rewrite pairs used (a seeded subset per seed; null = all) */
  rewritePairs: number | null;
  extractor: { epochs: number; iters: number; batch: number };
  pretrain: { epochs: number; iters: number; batch: number };
  e2e: { epochs: number; iters: number; batch: number; lr: number };
  patience: number;
  /** validation examples scored per epoch */
  validation: number;
  /** test examples evaluated (null = all) */
  testExamples: number | null;
  /** outputs scored by self-BLEU-4 (a fixed prefix of the test examples) */
  selfBleuCap: number;
  greener: { steps: number } | null;
}

/** The run of record: a reduced protocol sized for a 2-core machine shared with other jobs. */
export const REDUCED: CompExpProtocol = {
  embed: 64, hidden: 64, trainExamples: 3000, rewritePairs: 1500,
  extractor: { epochs: 2, iters: 60, batch: 32 },
  pretrain: { epochs: 3, iters: 50, batch: 32 },
  e2e: { epochs: 1, iters: 15, batch: 16, lr: 1e-5 },
  patience: 5, validation: 100, testExamples: null, selfBleuCap: 500, greener: { steps: 40 },
};

export const QUICK: CompExpProtocol = {
  embed: 16, hidden: 16, trainExamples: 200, rewritePairs: 100,
  extractor: { epochs: 1, iters: 3, batch: 8 },
  pretrain: { epochs: 1, iters: 3, batch: 8 },
  e2e: { epochs: 1, iters: 2, batch: 4, lr: 1e-4 },
  patience: 5, validation: 20, testExamples: 40, selfBleuCap: 40, greener: null,
};

const TEST_SAMPLE_SEED = 0x5eed;
const METRICS = ["bleu1", "bleu2", "bleu4", "idf_bleu1", "idf_bleu2", "idf_bleu4", "length", "idf", "rep_l", "seq_rep_2", "distinct", "self_bleu4", "attr_precision", "attr_recall", "delta_sensitivity"] as const;
type Metric = (typeof METRICS)[number];
type Scores = Record<Metric, number | null>;

interface TestCase {
  example: CompExpExample;
  input: CompExpInput;
  candSents: number[];
  refsTok: string[][];
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

const r5 = (x: number | null) => (x === null || !Number.isFinite(x) ? x : Math.round(x * 1e5) / 1e5);

/** The spec's metrics of one list of outputs (parallel to the test cases). */
export function scoreOutputs(data: GreenerData, idf: CompExpCorpus["idf"], cases: readonly TestCase[], outputs: readonly string[][], opts: { selfBleuCap: number; deltaSensitivity?: number | null }): Scores {
  const b1: number[] = [], b2: number[] = [], b4: number[] = [], i1: number[] = [], i2: number[] = [], i4: number[] = [];
  const prec: number[] = [], rec: number[] = [];
  cases.forEach((c, k) => {
    const h = outputs[k];
    b1.push(sentenceBleu(c.refsTok, h, 1));
    b2.push(sentenceBleu(c.refsTok, h, 2));
    b4.push(sentenceBleu(c.refsTok, h, 4));
    i1.push(idfBleu(c.refsTok, h, idf, { weights: [1] }));
    i2.push(idfBleu(c.refsTok, h, idf, { weights: [0.5, 0.5] }));
    i4.push(idfBleu(c.refsTok, h, idf, { weights: [0.25, 0.25, 0.25, 0.25] }));
    const truth = new Set<number>();
    for (const s of c.example.target) for (const a of data.sentenceAttributes(s)) truth.add(a);
    const got = findAttributes(data.attributes, h);
    const hit = got.filter((a) => truth.has(a)).length;
    if (got.length) prec.push(hit / got.length);
    if (truth.size) rec.push(hit / truth.size);
  });
  const div = diversity(outputs, idf);
  const sb = outputs.length >= 2 ? selfBleu(outputs.slice(0, opts.selfBleuCap), 4) : null;
  return {
    bleu1: mean(b1), bleu2: mean(b2), bleu4: mean(b4), idf_bleu1: mean(i1), idf_bleu2: mean(i2), idf_bleu4: mean(i4),
    length: div.meanLength, idf: div.meanIdf, rep_l: div.repPerLength, seq_rep_2: div.seqRep2, distinct: div.distinctTokens,
    self_bleu4: sb, attr_precision: prec.length ? mean(prec) : null, attr_recall: rec.length ? mean(rec) : null,
    delta_sensitivity: opts.deltaSensitivity ?? null,
  };
}

/** Argmax extraction for every test case (batched, no gradient). */
function extractAll(model: CompExpModel, inputs: readonly CompExpInput[], bs = 64): { chosen: number[]; logp: Float64Array[] } {
  const chosen: number[] = [], logp: Float64Array[] = [];
  noGrad(() => {
    for (let k = 0; k < inputs.length; k += bs) {
      const chunk = inputs.slice(k, k + bs);
      tidy(() => {
        const ext = model.call(chunk as CompExpInput[]);
        const lp = ext.logp.toTypedArray(), Cm = ext.logp.shape[1];
        chunk.forEach((_, b) => {
          const row = Float64Array.from(lp.subarray(b * Cm, b * Cm + ext.numCands[b]));
          logp.push(row);
          chosen.push(argmaxOf(row));
        });
      });
    }
  });
  return { chosen, logp };
}

/** Greedy outputs from the chosen candidates, with or without the reference refiner. */
function generateAll(model: CompExpModel, inputs: readonly CompExpInput[], chosen: readonly number[], noReference: boolean, bs = 64): number[][] {
  const out: number[][] = [];
  noGrad(() => {
    for (let k = 0; k < inputs.length; k += bs) {
      const chunk = inputs.slice(k, k + bs);
      tidy(() => {
        const ext = model.call(chunk as CompExpInput[]);
        const words = model.decode(model.refine(ext, chosen.slice(k, k + bs), { noReference }));
        for (const w of words) out.push(Array.from(w));
      });
    }
  });
  return out;
}

/** ext-MRR: up to 10 true sentences replace candidates at seeded positions; 1 / rank of the best-ranked true one. */
function extMrr(model: CompExpModel, corpus: CompExpCorpus, cases: readonly TestCase[], seed: number): number {
  const rand = mulberry32(hash2(TEST_SAMPLE_SEED, 0x3a1));
  const enc = (s: number) => corpus.vocab.encode(sentenceTokens(corpus.data, s));
  const trueSets: Set<number>[] = [];
  const inputs = cases.map((c) => {
    const truths = c.example.target.slice(0, 10);
    const cands = c.input.cands.slice();
    const pos = new Set<number>();
    // keep at least one other-user candidate when there are few
    const slots = Math.max(cands.length, truths.length + 1);
    while (cands.length < slots) cands.push(cands[0]);
    while (pos.size < truths.length) pos.add(Math.floor(rand() * slots));
    [...pos].forEach((p, j) => { cands[p] = enc(truths[j]); });
    trueSets.push(pos);
    return { refs: c.input.refs, refDelta: c.input.refDelta, cands };
  });
  const { logp } = extractAll(model, inputs);
  void seed;
  return mean(logp.map((row, k) => {
    const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
    const first = order.findIndex((j) => trueSets[k].has(j));
    return 1 / (first + 1);
  }));
}

/** Mean TF-IDF cosine of each training sentence to its item's other training sentences. */
function itemCentrality(data: GreenerData): Map<number, number> {
  const vectors = new SentenceVectors(data);
  const byItem = new Map<number, number[]>();
  for (const r of data.reviewsOf("train")) for (const s of data.sentencesOf(r)) {
    const i = data.reviewItem[r];
    (byItem.get(i) ?? byItem.set(i, []).get(i)!).push(s);
  }
  const out = new Map<number, number>();
  for (const sents of byItem.values()) {
    const { mean: m } = centralityOf(sents.map((s) => vectors.vector(s)));
    sents.forEach((s, j) => out.set(s, m[j]));
  }
  return out;
}

export interface CompExpBenchOptions {
  quick?: boolean;
  file?: string;
  seeds?: number;
  out?: string | null;
  /** suffix of the result file name: compexp-<date>[-<tag>][-quick].json */
  tag?: string;
  argv?: string[];
  protocol?: Partial<CompExpProtocol>;
  /**
   * Run the seeds as parallel child processes (`--seed-only k`), one per seed, and merge their
   * parts here: same protocol, same test inputs, one result file. On a shared machine this gets
   * the run more of the CPU; the numbers are the same as a sequential run's (each seed is
   * deterministic given its seed).
   */
  parallel?: boolean;
  /** internal (`--seed-only k`): run only seed k and return its part */
  seedOnly?: number;
  log?: (msg: string) => void;
}

/** What one seed contributes to the result (also the JSON a `--seed-only` child prints). */
export interface SeedPart {
  seed: number;
  scores: Record<string, Scores>;
  training: { seed: number; stages: CompExpTrainReport[]; stages_no_reference: CompExpTrainReport[]; att2seq: Att2SeqTrainReport; rewrite_pairs: number; train_examples: number; seconds: number; ext_mrr: number; ext_mrr_pretrained: number };
  greener: { seed: number; steps: number; seconds: number; fallbacks: number } | null;
  examples: unknown[];
}

export interface CompExpBenchRow extends Scores {
  method: string;
  sd: Partial<Record<Metric, number | null>>;
  per_seed: Scores[];
}

export async function benchCompExp(opts: CompExpBenchOptions = {}): Promise<Record<string, unknown>> {
  const argv = opts.argv ?? ["bench", "compexp", "--json", ...(opts.quick ? ["--quick"] : [])];
  const done = startProvenance(["recforge", ...argv]);
  const log = opts.log ?? ((m: string) => process.stderr.write(m + "\n"));
  const P: CompExpProtocol = { ...(opts.quick ? QUICK : REDUCED), ...(opts.protocol ?? {}) };
  const nSeeds = opts.seeds ?? 3;
  if (opts.tag !== undefined && !/^[a-z0-9-]+$/.test(opts.tag)) throw new RangeError(`bench compexp: --tag must be lower-case letters, digits and '-', got ${JSON.stringify(opts.tag)}`);
  if (!Number.isInteger(nSeeds) || nSeeds < 1) throw new RangeError(`bench compexp: seeds must be an integer >= 1, got ${nSeeds}`);
  const file = opts.file ?? musicalInstrumentsPath();
  const t0 = performance.now();
  // The bar from the start (data, corpus and test inputs take seconds); not in a --parallel child.
  if (opts.seedOnly === undefined) benchProgress(0, nSeeds, "data, corpus and test inputs");
  const { data } = await prepareGreenerData(file, {}, { log });
  const fullCorpus = buildCorpus(data);
  const testSplit = buildExamples(data, "test");
  let testExamples = testSplit.examples;
  if (P.testExamples !== null) testExamples = testExamples.slice(0, P.testExamples);
  if (testExamples.length === 0) throw new RangeError("bench compexp: no test examples");
  // the same sampled inputs for every method and seed
  const trand = mulberry32(TEST_SAMPLE_SEED);
  const cases: TestCase[] = testExamples.map((e) => {
    const { input, candSents } = sampleInput(fullCorpus, e, 10, 30, trand);
    return { example: e, input, candSents, refsTok: e.target.map((s) => sentenceTokens(data, s)) };
  });
  const negated = cases.map((c) => ({ ...c.input, refDelta: c.input.refDelta.map((d) => -d) }));
  const tokensOf = (s: number) => sentenceTokens(data, s);
  const score = (outs: string[][], ds: number | null = null) => scoreOutputs(data, fullCorpus.idf, cases, outs, { selfBleuCap: P.selfBleuCap, deltaSensitivity: ds });
  log(`bench compexp: ${cases.length} test examples, ${fullCorpus.train.length} training / ${fullCorpus.validation.length} validation examples, vocabulary ${fullCorpus.vocab.size}`);

  // seed-independent baselines
  const central = opts.seedOnly !== undefined ? new Map<number, number>() : itemCentrality(data);
  // (a --seed-only child leaves them to its parent)
  const fixedRows: Record<string, Scores> = opts.seedOnly !== undefined ? {} : {
    "item-central": score(cases.map((c) => tokensOf(c.candSents.reduce((best, s) => ((central.get(s) ?? 0) > (central.get(best) ?? 0) ? s : best), c.candSents[0])))),
    oracle: score(cases.map((c) => {
      let best = c.candSents[0], bv = -1;
      for (const s of c.candSents) { const v = sentenceBleu(c.refsTok, tokensOf(s), 2); if (v > bv) { bv = v; best = s; } }
      return tokensOf(best);
    })),
  };

  const perSeed: Record<string, Scores[]> = {};
  const training: SeedPart["training"][] = [];
  const greenerInfo: NonNullable<SeedPart["greener"]>[] = [];
  let examples: unknown[] = [];
  const date = new Date().toISOString();
  const outFile = opts.out ? path.join(opts.out, `compexp-${date.slice(0, 10)}${opts.tag ? `-${opts.tag}` : ""}${opts.quick ? "-quick" : ""}.json`) : null;

  const result = (complete: boolean): Record<string, unknown> => {
    const methods = ["compexp", "compexp-pretrained", "extract-only", "no-reference-refiner", "compexp-d0-inference", "att2seq", "random", "item-central", "greener-top1", "oracle"];
    const rows: CompExpBenchRow[] = [];
    for (const m of methods) {
      const seeds = fixedRows[m] ? [fixedRows[m]] : perSeed[m];
      if (!seeds?.length) continue;
      const row = { method: m, sd: {}, per_seed: seeds.map((s) => Object.fromEntries(METRICS.map((k) => [k, r5(s[k])])) as Scores) } as CompExpBenchRow;
      for (const k of METRICS) {
        const xs = seeds.map((s) => s[k]).filter((x): x is number => x !== null && Number.isFinite(x));
        row[k] = xs.length ? r5(mean(xs)) : null;
        row.sd[k] = xs.length ? r5(sd(xs)) : null;
      }
      rows.push(row);
    }
    const cmp = (other: string, metric: Metric) => {
      const a = perSeed.compexp?.map((s) => s[metric] as number) ?? [], b = perSeed[other]?.map((s) => s[metric] as number) ?? [];
      if (!a.length) return null;
      // a seed-independent row (item-central) pairs with every seed
      if (b.length === 0 && fixedRows[other]) b.push(...a.map(() => fixedRows[other][metric] as number));
      if (a.length !== b.length) return null;
      const d = a.map((x, i) => x - b[i]);
      return { metric, compexp: r5(mean(a)), other: r5(mean(b)), diff_mean: r5(mean(d)), diff_sd: r5(sd(d)), seeds_where_compexp_higher: d.filter((x) => x > 0).length, seeds: d.length, beats: d.every((x) => x > 0) };
    };
    const comparison = Object.fromEntries(["extract-only", "no-reference-refiner", "att2seq", "compexp-d0-inference", "compexp-pretrained", "greener-top1", "item-central", "random"].map((o) => [o, (["idf_bleu2", "bleu2", "bleu4", "idf_bleu4"] as Metric[]).map((m) => cmp(o, m))]));
    const epochSeconds = (stage: string) => {
      const xs = training.flatMap((t) => [...t.stages, ...t.stages_no_reference, t.att2seq].filter((s) => s.stage === stage).flatMap((s) => s.epochs.map((e) => e.seconds)));
      return xs.length ? { mean: r5(mean(xs)), sd: r5(sd(xs)), epochs: xs.length } : null;
    };
    return {
      rows,
      comparison,
      comparison_rule: "compexp 'beats' another row when it is higher on every seed (paired by seed; same test inputs)",
      extractor: {
        oracle_bound_bleu2: fixedRows.oracle.bleu2,
        ext_mrr: { mean: r5(mean(training.map((t) => t.ext_mrr))), sd: r5(sd(training.map((t) => t.ext_mrr))), per_seed: training.map((t) => r5(t.ext_mrr)) },
        ext_mrr_pretrained: { mean: r5(mean(training.map((t) => t.ext_mrr_pretrained))), sd: r5(sd(training.map((t) => t.ext_mrr_pretrained))) },
      },
      training_seconds_per_epoch: { device: "cpu", extractor: epochSeconds("extractor"), pretrain: epochSeconds("pretrain"), e2e: epochSeconds("e2e"), att2seq: epochSeconds("att2seq"), note_stages: "pretrain and e2e pool the epochs of the CompExp model and of the reference-free (d = 0) model", note: "wall time on a shared 2-core machine under load from other jobs (see provenance.load_*); no GPU was available" },
      training,
      greener: greenerInfo,
      examples,
      protocol: {
        ...P,
        seeds: nSeeds,
        reduced: !opts.quick,
        note: opts.quick
          ? "QUICK smoke protocol: tiny model and budgets, not a result"
          : "REDUCED protocol (not the spec's): embed/hidden " + `${P.embed}/${P.hidden}` + " instead of 300/300, a seeded subset of training examples and rewrite pairs, a few short epochs per stage (iters = batches per epoch; end-to-end batch " + P.e2e.batch + " instead of 128), end-to-end lr " + P.e2e.lr + " (the spec's 1e-5: with a few dozen REINFORCE steps the model moves little); spec values otherwise (10 references / 10 candidates in training, 30 at test, 5 REINFORCE samples, rewards and baselines of the spec, Adam wd 1e-4, clip 1, κ = 3). Nothing was tuned: every stage keeps its best VALIDATION epoch; the test set is read only for the rows.",
        test_inputs: `10 references and 30 candidates per test example, sampled once (seed ${TEST_SAMPLE_SEED}) and shared by every row and seed`,
        no_reference_refiner: "a second CompExp model trained with d = 0 (v = enc(c*)) in pre-training, end to end and validation: a copy of the model after the extractor stage (same rewrite pairs), then the same pretrain and e2e budgets and selection; the row 'compexp-d0-inference' is the end-to-end model with d = 0 at inference only",
        att2seq: "Att2Seq-style generator: user, item, rating (whole stars) embeddings (64 each) → tanh layer → h0 of a GRU decoder of the same sizes as CompExp's; teacher-forced NLL of one sentence of the example's own review per example; the pre-training stage's epochs, batches per epoch, batch size, lr, weight decay, clip and patience; best epoch by the same validation greedy IDF-BLEU-2",
      },
      data: {
        file, test_examples: cases.length, test_skipped: testSplit.skipped,
        train_examples: fullCorpus.train.length, validation_examples: fullCorpus.validation.length, vocabulary: fullCorpus.vocab.size,
        delta_test: deltaDistribution(data, testExamples).reviewPairs,
      },
      complete,
      total_seconds: r5((performance.now() - t0) / 1000),
      commit: null as string | null,
      provenance: null as unknown,
    };
  };
  const finish = (complete: boolean) => {
    const r = result(complete);
    const prov = done();
    r.provenance = prov;
    r.commit = prov.commit;
    if (outFile) {
      fs.mkdirSync(path.dirname(outFile), { recursive: true });
      fs.writeFileSync(outFile, JSON.stringify(r, null, 2) + "\n");
      log(`bench compexp: wrote ${outFile}${complete ? "" : " (partial)"}`);
    }
    return r;
  };

  // Progress within a seed run here (not in a --parallel child): its stages and row groups.
  const seedUnits = P.greener ? 7 : 6;
  const seedPart = (seed: number, k: number, what: string) => {
    if (opts.seedOnly === undefined) benchProgress(Math.round((seed + k / seedUnits) * 100) / 100, nSeeds, `seed ${seed}: ${what}`);
  };
  const runSeed = async (seed: number): Promise<SeedPart> => {
    const ts = performance.now();
    const scores: Record<string, Scores> = {};
    const push = (m: string, x: Scores) => { scores[m] = x; };
    let examples: unknown[] = [];
    const exampleIndex = [0, 1, 2, 3, 4].map((j) => Math.floor((j * cases.length) / 5)).filter((k, i, a) => k < cases.length && a.indexOf(k) === i);
    const rand = mulberry32(hash2(seed, 0xc0e));
    const corpus: CompExpCorpus = { ...fullCorpus, train: subset(fullCorpus.train, P.trainExamples, rand), validation: fullCorpus.validation };
    const model = new CompExpModel({ vocabSize: corpus.vocab.size, embedDim: P.embed, hidden: P.hidden, seed });
    const common: Partial<CompExpTrainOptions> = { seed, validationCap: P.validation, patience: P.patience, log };
    const stages: CompExpTrainReport[] = [];
    stages.push(trainCompExp(model, corpus, { ...common, stage: "extractor", epochs: P.extractor.epochs, itersPerEpoch: P.extractor.iters, batchSize: P.extractor.batch }));
    seedPart(seed, 1, "rewrite pairs");
    corpus.rewrites = subset(computeRewrites(model, corpus), P.rewritePairs, rand);
    seedPart(seed, 2, "pretrain");
    log(`bench compexp seed ${seed}: ${corpus.rewrites.length} rewrite pairs used`);
    // the reference-free refiner starts from the same extractor stage
    const noRefModel = new CompExpModel({ vocabSize: corpus.vocab.size, embedDim: P.embed, hidden: P.hidden, seed });
    noRefModel.loadStateDict(model.stateDict());
    stages.push(trainCompExp(model, corpus, { ...common, stage: "pretrain", epochs: P.pretrain.epochs, itersPerEpoch: P.pretrain.iters, batchSize: P.pretrain.batch }));
    // rows of the pre-trained model
    seedPart(seed, 3, "rows of the pre-trained model");
    const pre = extractAll(model, cases.map((c) => c.input));
    const preOut = generateAll(model, cases.map((c) => c.input), pre.chosen, false).map((w) => corpus.vocab.decode(w));
    const preNeg = extractAll(model, negated);
    const preSens = mean(pre.chosen.map((c, k) => (c !== preNeg.chosen[k] ? 1 : 0)));
    push("compexp-pretrained", score(preOut, preSens));
    const mrrPre = extMrr(model, corpus, cases, seed);
    seedPart(seed, 4, "end to end");
    stages.push(trainCompExp(model, corpus, { ...common, stage: "e2e", epochs: P.e2e.epochs, itersPerEpoch: P.e2e.iters, batchSize: P.e2e.batch, lr: P.e2e.lr }));
    seedPart(seed, 5, "test rows");
    const ext = extractAll(model, cases.map((c) => c.input));
    const neg = extractAll(model, negated);
    const sens = mean(ext.chosen.map((c, k) => (c !== neg.chosen[k] ? 1 : 0)));
    const out = generateAll(model, cases.map((c) => c.input), ext.chosen, false).map((w) => corpus.vocab.decode(w));
    const outNoRef = generateAll(model, cases.map((c) => c.input), ext.chosen, true).map((w) => corpus.vocab.decode(w));
    const extracted = cases.map((c, k) => tokensOf(c.candSents[ext.chosen[k]]));
    push("compexp", score(out, sens));
    push("extract-only", score(extracted, sens));
    push("compexp-d0-inference", score(outNoRef, sens));
    const rr = mulberry32(hash2(seed, 0x7a9d));
    push("random", score(cases.map((c) => tokensOf(c.candSents[Math.floor(rr() * c.candSents.length)]))));
    const mrr = extMrr(model, corpus, cases, seed);
    if (seed === 0) {
      examples = exampleIndex.map((k) => ({
        review: cases[k].example.review,
        rating: cases[k].example.rating,
        references: cases[k].input.refs.map((r, j) => ({ delta: cases[k].input.refDelta[j], text: corpus.vocab.decode(r).join(" ") })),
        extracted: extracted[k].join(" "),
        refined: out[k].join(" "),
        refined_d0_at_inference: outNoRef[k].join(" "),
        refined_pretrained: preOut[k].join(" "),
        true_review: cases[k].refsTok.map((t) => t.join(" ")),
        note: "references are shown through the vocabulary (words outside it print as <unk>); the true review and the extracted sentence are the raw tokens",
      }));
    }
    model.dispose();
    // the reference-free refiner (d = 0 in training): pre-training and end to end at the same budget
    const noRefCommon = { ...common, noReference: true, log: (m: string) => log(`[d = 0] ${m}`) };
    const stagesNoRef: CompExpTrainReport[] = [];
    stagesNoRef.push(trainCompExp(noRefModel, corpus, { ...noRefCommon, stage: "pretrain", epochs: P.pretrain.epochs, itersPerEpoch: P.pretrain.iters, batchSize: P.pretrain.batch }));
    stagesNoRef.push(trainCompExp(noRefModel, corpus, { ...noRefCommon, stage: "e2e", epochs: P.e2e.epochs, itersPerEpoch: P.e2e.iters, batchSize: P.e2e.batch, lr: P.e2e.lr }));
    const nrExt = extractAll(noRefModel, cases.map((c) => c.input));
    const nrNeg = extractAll(noRefModel, negated);
    const nrOut = generateAll(noRefModel, cases.map((c) => c.input), nrExt.chosen, true).map((w) => corpus.vocab.decode(w));
    push("no-reference-refiner", score(nrOut, mean(nrExt.chosen.map((c, k) => (c !== nrNeg.chosen[k] ? 1 : 0)))));
    noRefModel.dispose();
    // Att2Seq-style generator: the pre-training stage's budget and the same validation selection
    const a2s = att2seqFor(corpus, { embed: P.embed, hidden: P.hidden, seed });
    const att2seqReport = trainAtt2Seq(a2s, corpus, { seed, validationCap: P.validation, patience: P.patience, epochs: P.pretrain.epochs, itersPerEpoch: P.pretrain.iters, batchSize: P.pretrain.batch, log });
    const a2sOut = att2seqGenerate(a2s, cases.map((c) => c.example)).map((w) => corpus.vocab.decode(w));
    push("att2seq", score(a2sOut));
    a2s.dispose();
    if (seed === 0) examples.forEach((x, j) => {
      const k = exampleIndex[j];
      Object.assign(x as Record<string, unknown>, { refined_reference_free_model: nrOut[k].join(" "), att2seq: a2sOut[k].join(" ") });
    });
    const trainingPart = { seed, stages, stages_no_reference: stagesNoRef, att2seq: att2seqReport, rewrite_pairs: corpus.rewrites.length, train_examples: corpus.train.length, seconds: r5((performance.now() - ts) / 1000)!, ext_mrr: mrr, ext_mrr_pretrained: mrrPre };
    let greenerPart: SeedPart["greener"] = null;
    if (P.greener) {
      seedPart(seed, 6, "GREENer top-1");
      const g = await greenerTop1(file, data, cases, P.greener.steps, seed, log);
      push("greener-top1", score(g.outputs));
      greenerPart = { seed, steps: g.steps, seconds: r5(g.seconds)!, fallbacks: g.fallbacks };
    }
    log(`bench compexp seed ${seed}: done in ${((performance.now() - ts) / 1000).toFixed(0)} s`);
    return { seed, scores, training: trainingPart, greener: greenerPart, examples };
  };
  const add = (part: SeedPart) => {
    for (const [m, x] of Object.entries(part.scores)) (perSeed[m] ??= []).push(x);
    training.push(part.training);
    if (part.greener) greenerInfo.push(part.greener);
    if (part.seed === 0) examples = part.examples;
  };

  if (opts.seedOnly !== undefined) return (await runSeed(opts.seedOnly)) as unknown as Record<string, unknown>;
  if (opts.parallel && nSeeds > 1) {
    let finished = 0;
    benchProgress(0, nSeeds, "seeds in parallel child processes");
    const parts = await Promise.all(Array.from({ length: nSeeds }, (_, seed) => seedChild(seed, opts, log).then((p) => (benchProgress(++finished, nSeeds, `seed ${seed}`), p))));
    for (const part of parts.sort((a, b) => a.seed - b.seed)) add(part);
  } else {
    for (let seed = 0; seed < nSeeds; seed++) {
      seedPart(seed, 0, "extractor");
      add(await runSeed(seed));
      benchProgress(seed + 1, nSeeds, `seed ${seed}`);
      if (seed + 1 < nSeeds) finish(false);
    }
  }
  return finish(true);
}

const children = new Set<ChildProcess>();
let signalsHooked = false;
/** A parent stopped by a signal takes its seed children with it. */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => {
    for (const c of children) c.kill("SIGTERM");
    process.exit(128 + (sig === "SIGINT" ? 2 : 15));
  });
}

/** One seed in a child process (`bench compexp --seed-only k`): its part, read from the child's stdout. */
function seedChild(seed: number, opts: CompExpBenchOptions, log: (m: string) => void): Promise<SeedPart> {
  const bin = fileURLToPath(new URL("../../bin/recforge.js", import.meta.url));
  const args = [bin, "bench", "compexp", "--seed-only", String(seed), ...(opts.quick ? ["--quick"] : []), ...(opts.file ? ["--data", opts.file] : [])];
  return new Promise((resolve, reject) => {
    hookSignals();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => {
      err += d;
      const lines = err.split("\n");
      err = lines.pop()!;
      for (const l of lines) if (!/ batch \d+:/.test(l)) log(`[seed ${seed}] ${l}`);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      if (code !== 0) return reject(new Error(`bench compexp: seed ${seed} failed (exit ${code}): ${err}`));
      try { resolve(JSON.parse(out) as SeedPart); } catch (e) { reject(new Error(`bench compexp: seed ${seed} printed no part: ${(e as Error).message}`)); }
    });
  });
}

function subset<T>(xs: readonly T[], n: number | null, rand: () => number): T[] {
  if (n === null || xs.length <= n) return xs.slice();
  const a = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

/** GREENer trained with a step budget; per test case its top-scored sentence among the candidates that are in its pool. */
async function greenerTop1(file: string, data: GreenerData, cases: readonly TestCase[], steps: number, seed: number, log: (m: string) => void): Promise<{ outputs: string[][]; steps: number; seconds: number; fallbacks: number }> {
  const { runGreener } = await import("../methods/greener/pipeline.js");
  const t0 = performance.now();
  const run = await runGreener({ file, evaluate: false, train: { maxSteps: steps, seed }, log });
  try {
    const reviews = cases.map((c) => c.example.review);
    run.scorer.precompute(reviews);
    let fallbacks = 0;
    const outputs = cases.map((c) => {
      const pool = data.pool(c.example.review);
      const sc = run.scorer.scores(c.example.review).sentence;
      const candSet = new Set(c.candSents);
      let best = -1, bestAny = -1;
      for (let j = 0; j < pool.length; j++) {
        if (bestAny < 0 || sc[j] > sc[bestAny]) bestAny = j;
        if (candSet.has(pool[j]) && (best < 0 || sc[j] > sc[best])) best = j;
      }
      if (best < 0) { fallbacks++; best = bestAny; }
      return best < 0 ? [] : sentenceTokens(data, pool[best]);
    });
    return { outputs, steps: run.result.training.steps, seconds: (performance.now() - t0) / 1000, fallbacks };
  } finally {
    run.dispose();
  }
}
