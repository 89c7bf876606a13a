// bench greener-fair (lib/methods/greener/fair.ts): the paired bootstrap over test pairs, the
// sealed test split, the LSA features, and a quick end-to-end run on a small synthetic corpus
// showing that the selection never depends on the test split and that the output has its fields.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { tinyData } from "./fixtures.js";
import { corpusBleu, bleuSegmentStats, bleuFromStats } from "../../dist/text/bleu.js";
import { rougeL } from "../../dist/text/rouge.js";
import { emptyPairMetrics, setPair, bleu4Of, rougeLOf, pairedBootstrap, resampleWeights, quantileSorted } from "../../dist/methods/greener/paired_bootstrap.js";
import { sealTestSplit, testSentenceMask, SealedSplitError } from "../../dist/methods/greener/split_seal.js";
import { randomizedSvd, symmetricEigen, orthonormaliseColumns } from "../../dist/methods/greener/lsa.js";
import { runGreenerFair, popularScorer } from "../../dist/methods/greener/fair.js";
import { SentenceVectors, popularSelector } from "../../dist/methods/greener/baselines.js";
import { pairContext } from "../../dist/methods/greener/evaluate.js";
import { mulberry32 } from "../../dist/prng.js";

const close = (t, a, b, tol = 1e-12) => t.true(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const WORDS = "the a strings sound tone great good cheap price tuner works well fine bright warm".split(" ");

function randomPairs(n, seed) {
  const rand = mulberry32(seed);
  const sent = (len) => Array.from({ length: len }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  return Array.from({ length: n }, () => ({ ref: sent(5 + Math.floor(rand() * 20)), hyp: sent(3 + Math.floor(rand() * 25)) }));
}

test("bleu4Of / rougeLOf on per-pair statistics equal corpus BLEU-4 and mean ROUGE-L", (t) => {
  const pairs = randomPairs(60, 3);
  const m = emptyPairMetrics(pairs.length);
  pairs.forEach((p, i) => setPair(m, i, p.ref, p.hyp));
  close(t, bleu4Of(m), corpusBleu(pairs.map((p) => [p.ref]), pairs.map((p) => p.hyp), 4, { smoothing: "none" }));
  close(t, rougeLOf(m), pairs.reduce((s, p) => s + rougeL(p.ref, p.hyp).f1, 0) / pairs.length);
  // weights = repeating pairs: weight 2 on pair 0 is the corpus with pair 0 twice
  const w = new Float64Array(pairs.length).fill(1);
  w[0] = 2;
  const twice = [pairs[0], ...pairs];
  close(t, bleu4Of(m, w), corpusBleu(twice.map((p) => [p.ref]), twice.map((p) => p.hyp), 4, { smoothing: "none" }));
  // bleuFromStats of one segment = corpus BLEU of that segment
  const st = bleuSegmentStats([pairs[1].ref], pairs[1].hyp, 4);
  close(t, bleuFromStats(st, 4, { smoothing: "none" }), corpusBleu([[pairs[1].ref]], [pairs[1].hyp], 4, { smoothing: "none" }));
  t.throws(() => setPair(m, pairs.length, ["a"], ["a"]), { instanceOf: RangeError });
});

test("pairedBootstrap: identical runs give 0 [0, 0]; a constant ROUGE-L shift gives exactly that shift", (t) => {
  const pairs = randomPairs(80, 5);
  const a = emptyPairMetrics(pairs.length);
  pairs.forEach((p, i) => setPair(a, i, p.ref, p.hyp));
  const same = pairedBootstrap([a], [a], { resamples: 200, seed: 1 });
  t.is(same.bleu4.diff, 0);
  t.is(same.bleu4.lo, 0);
  t.is(same.bleu4.hi, 0);
  t.is(same.rougeL.verdict, "tie");
  const b = { ...a, rougeL: a.rougeL.map((x) => x + 0.01) };
  const r = pairedBootstrap([b], [a], { resamples: 200, seed: 1 });
  close(t, r.rougeL.diff, 0.01, 1e-12);
  close(t, r.rougeL.lo, 0.01, 1e-12);
  close(t, r.rougeL.hi, 0.01, 1e-12);
  t.is(r.rougeL.verdict, "better");
  // mean over two "seeds" on the method side
  const c = { ...a, rougeL: a.rougeL.map((x) => x + 0.03) };
  close(t, pairedBootstrap([b, c], [a], { resamples: 50 }).rougeL.diff, 0.02, 1e-12);
  t.throws(() => pairedBootstrap([a], [emptyPairMetrics(3)]), { instanceOf: RangeError, message: /same pairs/ });
  t.throws(() => pairedBootstrap([], [a]), { instanceOf: RangeError });
  t.throws(() => pairedBootstrap([a], [a], { resamples: 5 }), { instanceOf: RangeError });
});

test("pairedBootstrap: the 95% interval covers the true mean difference about 95% of the time", (t) => {
  // per-pair ROUGE-L differences ~ N(0.004, 0.05²): the interval should contain 0.004 in ~95% of trials
  const rand = mulberry32(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  let covered = 0;
  const trials = 120, n = 150;
  for (let k = 0; k < trials; k++) {
    const a = emptyPairMetrics(n), b = emptyPairMetrics(n);
    for (let i = 0; i < n; i++) {
      b.rougeL[i] = 0.3 + 0.1 * gauss();
      a.rougeL[i] = b.rougeL[i] + 0.004 + 0.05 * gauss();
    }
    const r = pairedBootstrap([a], [b], { resamples: 300, seed: k });
    if (r.rougeL.lo <= 0.004 && 0.004 <= r.rougeL.hi) covered++;
  }
  t.true(covered / trials >= 0.86 && covered / trials <= 1, `coverage ${covered}/${trials}`);
});

test("resampleWeights and quantileSorted", (t) => {
  const w = resampleWeights(37, mulberry32(2));
  t.is(w.reduce((s, x) => s + x, 0), 37);
  t.is(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  t.is(quantileSorted([1, 2, 3, 4], 0.025), 1 + 3 * 0.025);
  t.throws(() => quantileSorted([], 0.5), { instanceOf: RangeError });
});

test("sealTestSplit: the view throws on every test read, serves train/validation, unseals once and freezes the record", (t) => {
  const d = tinyData(); // review 2 is the test review, its sentence s4
  const seal = sealTestSplit(d);
  const v = seal.view;
  t.throws(() => v.reviewsOf("test"), { instanceOf: SealedSplitError });
  t.throws(() => v.sentencesOf(2), { instanceOf: SealedSplitError });
  t.throws(() => v.pool(2), { instanceOf: SealedSplitError });
  t.throws(() => v.tokens(4), { instanceOf: SealedSplitError });
  t.deepEqual(v.reviewsOf("train"), [0, 1]);
  t.deepEqual(v.sentencesOf(1), [2, 3]);
  t.deepEqual(v.tokens(0), ["the", "strings", "sound", "great"]);
  t.deepEqual(Array.from(testSentenceMask(v)), [0, 0, 0, 0, 1]);
  t.false(seal.unsealed);
  const record = { chosen: 1 };
  const full = seal.unseal(record);
  t.true(Object.isFrozen(record));
  t.deepEqual(full.sentencesOf(2), [4]);
  t.throws(() => seal.unseal({}), { message: /already unsealed/ });
  // the view stays sealed after the unseal
  t.throws(() => v.pool(2), { instanceOf: SealedSplitError });
});

test("popularScorer orders the pool as popularSelector (Σ cos = (n − 1) · mean)", (t) => {
  const d = tinyData();
  const vec = new SentenceVectors(d);
  const ctx = pairContext(d, 2);
  const s = popularScorer(vec)(ctx);
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b);
  t.deepEqual(order.slice(0, 3), popularSelector(vec)(ctx, 3));
});

test("randomized SVD: exact on a low-rank matrix, orthonormal V, singular values of a diagonal matrix", (t) => {
  // diagonal: rows e_j · d_j → singular values = sorted d
  const dvals = [0.5, 3, 1.5, 2, 0.25, 1];
  const rows = dvals.map((x, j) => ({ idx: Int32Array.of(j), val: Float64Array.of(x) }));
  const diag = randomizedSvd(rows, 6, 3, { oversample: 3 });
  [3, 2, 1.5].forEach((x, i) => close(t, diag.sigma[i], x, 1e-9));
  // rank 2: A = u1 v1ᵀ · 4 + u2 v2ᵀ, 9 × 7, sparse rows from a dense product
  const rand = mulberry32(9);
  const n = 9, c = 7;
  const U = Array.from({ length: n * 2 }, () => rand() - 0.5), W = Array.from({ length: 2 * c }, () => rand() - 0.5);
  const dense = Array.from({ length: n * c }, (_, p) => 4 * U[Math.floor(p / c) * 2] * W[p % c] + U[Math.floor(p / c) * 2 + 1] * W[c + (p % c)]);
  const sp = Array.from({ length: n }, (_, i) => ({ idx: Int32Array.from({ length: c }, (_, j) => j), val: Float64Array.from({ length: c }, (_, j) => dense[i * c + j]) }));
  const svd = randomizedSvd(sp, c, 2, { oversample: 2 });
  // V orthonormal
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
    let dot = 0;
    for (let j = 0; j < c; j++) dot += svd.V[j * 2 + a] * svd.V[j * 2 + b];
    close(t, dot, a === b ? 1 : 0, 1e-9);
  }
  // A V Vᵀ = A (rank 2), and ‖A v_s‖ = σ_s
  let err = 0;
  for (let i = 0; i < n; i++) {
    const av = [0, 1].map((s) => dense.slice(i * c, i * c + c).reduce((acc, x, j) => acc + x * svd.V[j * 2 + s], 0));
    for (let j = 0; j < c; j++) err = Math.max(err, Math.abs(av[0] * svd.V[j * 2] + av[1] * svd.V[j * 2 + 1] - dense[i * c + j]));
  }
  t.true(err < 1e-9, `reconstruction error ${err}`);
  t.true(svd.sigma[0] >= svd.sigma[1]);
  t.throws(() => randomizedSvd([], 3, 1), { instanceOf: RangeError });
  t.throws(() => randomizedSvd(rows, 6, 0), { instanceOf: RangeError });
});

test("symmetricEigen and orthonormaliseColumns (hand-worked)", (t) => {
  // [[2, 1], [1, 2]]: eigenvalues 3, 1; vectors (1, 1)/√2, (1, −1)/√2
  const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  close(t, values[0], 3, 1e-12);
  close(t, values[1], 1, 1e-12);
  close(t, Math.abs(vectors[0]), Math.SQRT1_2, 1e-12);
  close(t, vectors[0] * vectors[2], 0.5, 1e-12);
  const m = Float64Array.of(1, 1, 0, 1, 0, 0); // 3 × 2: columns (1,0,0) and (1,1,0)
  orthonormaliseColumns(m, 3, 2);
  t.deepEqual(Array.from(m), [1, 0, 0, 1, 0, 0]);
});

// ---- end to end on a small synthetic corpus (quick settings)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-greener-fair-"));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PHRASES = [
  "the strings sound bright and clear", "these strings feel cheap but last long", "the tuner is accurate and quick",
  "the tuner clip is solid and small", "the price is great for the quality", "the strap is comfortable and soft",
  "the cable is long and the plug is solid", "the pedal sound is warm and the knob is smooth",
];
const ALT = ["purple elephants dance on quiet rooftops", "seven lanterns drift across the frozen harbor"];

/** 30 users × 4 reviews over 6 items; `testText` replaces the text of each user's LAST (test) review. */
function corpus(testText) {
  const lines = [];
  const rand = mulberry32(4);
  for (let u = 0; u < 30; u++) {
    for (let k = 0; k < 4; k++) {
      const item = (u + k * 2) % 6;
      const a = PHRASES[(item + Math.floor(rand() * 3)) % PHRASES.length], b = PHRASES[(item * 3 + Math.floor(rand() * 4)) % PHRASES.length];
      const text = k === 3 && testText ? `${testText[0]} now. ${testText[1]} today.` : `${a}. ${b}.`;
      lines.push(JSON.stringify({ reviewerID: `U${u}`, asin: `I${item}`, helpful: [0, 0], reviewText: text, overall: 4, unixReviewTime: 1000 + u * 10 + k }));
    }
  }
  return lines.join("\n") + "\n";
}

test.serial("runGreenerFair (quick): the selection does not depend on the test split; output fields present", async (t) => {
  const old = process.env.RECFORGE_CACHE;
  process.env.RECFORGE_CACHE = path.join(tmp, "cache");
  try {
    const fileA = path.join(tmp, "a.json"), fileB = path.join(tmp, "b.json");
    fs.writeFileSync(fileA, corpus(null));
    fs.writeFileSync(fileB, corpus(ALT)); // same corpus, test reviews rewritten (same sentence count)
    const opts = { seeds: [0, 1], variants: ["spec", "lsa", "profile", "profile-phrases"], maxEpochs: 2, hidden: 16, resamples: 50, alphaGrid: [0, 1], lengthGrid: [0, 0.5], fusion: [0, 1], domain: "synthetic" };
    const reports = [];
    const a = await runGreenerFair({ file: fileA, ...opts, progress: (done, total, what) => reports.push({ done, total, what }) });
    const b = await runGreenerFair({ file: fileB, ...opts });
    // progress (the bench bar): 2 baseline tunings + 4 variants × 2 design seeds + 2 seed tunings + 2 test evaluations
    t.true(reports.every((r) => r.total === 14), JSON.stringify(reports.slice(0, 3)));
    t.true(reports.every((r, i) => i === 0 || r.done >= reports[i - 1].done), "never goes back");
    t.true(reports.some((r) => !Number.isInteger(r.done)), "moves within a training");
    t.deepEqual([reports[0].done, reports.at(-1).done], [0, 14]);
    t.true(Object.isFrozen(a.selection));
    t.true(a.selection.test_split_sealed);
    // Every choice (design, epochs, α/λ of every method, validation numbers) is identical…
    // (wall times aside)
    const choices = (sel) => JSON.parse(JSON.stringify(sel, (key, v) => (key === "train_seconds" ? undefined : v)));
    t.deepEqual(choices(a.selection), choices(b.selection));
    // …while the test rows see the rewritten reviews.
    const row = (r, m) => r.test.rows.find((x) => x.method === m);
    t.notDeepEqual(row(a, "popular-topk").rougeL, row(b, "popular-topk").rougeL);
    // fields
    t.is(a.domain, "synthetic");
    t.truthy(a.provenance.commit !== undefined && a.provenance.machine);
    t.deepEqual(a.protocol.seeds, [0, 1]);
    t.true(a.protocol.validation_pairs > 0 && a.protocol.test_pairs > 0);
    for (const m of ["random", "popular-topk", "popular-ilp", "standin-topk", "standin-ilp", "standin-ilp-untuned", "greener-ilp", "greener-topk", "greener+standin-ilp"]) t.truthy(row(a, m), m);
    t.is(row(a, "greener-ilp").runs.length, 2);
    for (const name of ["popular", "standin"]) t.is(a.selection.baselines[name].tried.length, 4);
    t.deepEqual(a.selection.greener_design.variants.map((v) => v.name), ["spec", "lsa", "profile", "profile-phrases"]);
    // the design is chosen on the validation mean over both seeds: each epoch's entry is the mean of its seeds'
    t.deepEqual(a.selection.greener_design.seeds, [0, 1]);
    for (const v of a.selection.greener_design.variants) {
      t.is(v.epochs.length, 2);
      for (const e of v.epochs) {
        t.deepEqual(e.per_seed.map((x) => x.seed), [0, 1]);
        close(t, e.rougeL, (e.per_seed[0].rougeL + e.per_seed[1].rougeL) / 2, 2e-5);
      }
    }
    // the chosen (variant, epoch) has the best product of the means
    const products = a.selection.greener_design.variants.flatMap((v) => v.epochs.map((e) => ({ v: v.name, epoch: e.epoch, p: e.bleu4 * e.rougeL })));
    const top = products.reduce((x, y) => (y.p > x.p + 1e-12 ? y : x));
    t.is(a.selection.greener_design.chosen.epochs, top.epoch);
    t.is(a.selection.greener_design.chosen.variant, top.v);
    // a design seed's validation top-K (after the chosen epoch was restored) is its entry at that epoch
    const ch = a.selection.greener_design.variants.find((v) => v.name === a.selection.greener_design.chosen.variant).epochs[a.selection.greener_design.chosen.epochs - 1];
    for (const s of a.selection.greener_seeds) close(t, s.validation_topk.rougeL, ch.per_seed.find((x) => x.seed === s.seed).rougeL, 2e-5);
    t.is(a.selection.greener_seeds.length, 2);
    t.is(a.test.comparisons.length, 15); // 3 rows × (most popular, stand-in ILP tuned / untuned, best on BLEU-4 / ROUGE-L)
    for (const s of a.selection.greener_seeds) t.deepEqual(s.fusion.tried.map((x) => x.weight), [0, 1]);
    // the fusion with w = 0 at top-K is GREENer's own top-K on validation
    for (const s of a.selection.greener_seeds) t.deepEqual(s.fusion.tried[0].rougeL, s.validation_topk.rougeL);
    for (const c of a.test.comparisons) {
      for (const k of ["bleu4", "rougeL"]) {
        t.true(c[k].lo <= c[k].diff + 1e-9 || c[k].verdict !== "tie", JSON.stringify(c));
        t.is(c[k].verdict, c[k].lo > 0 ? "better" : c[k].hi < 0 ? "worse" : "tie");
      }
    }
    // the greener-ilp row's mean is the mean of its runs
    const g = row(a, "greener-ilp");
    close(t, g.rougeL.mean, (g.runs[0].rougeL + g.runs[1].rougeL) / 2, 2e-5);
    t.is(typeof a.test.greener_beats_standin_untuned.bleu4, "boolean");
  } finally {
    if (old === undefined) delete process.env.RECFORGE_CACHE;
    else process.env.RECFORGE_CACHE = old;
  }
});

// ---- variant "profile": per-candidate profile cosines into the DCN
import { ProfileFeatures } from "../../dist/methods/greener/profile_features.js";
import { GreenerData } from "../../dist/methods/greener/prepare.js";
import { pairExample, GreenerModel, TfidfProjectionEncoder } from "../../dist/methods/greener/index.js";
import { makeBatch } from "../../dist/methods/greener/graph.js";
import { cosine, sumNormalized } from "../../dist/text/tfidf.js";
import * as rf from "../../dist/index.js";

// A hand-made corpus for the profile features: two items, four users, reviews of every split.
//   review: user item split  sentences
//   r0      u0   i0   train  s0 s1
//   r1      u1   i0   train  s2
//   r2      u0   i1   train  s3 s4
//   r3      u2   i0   train  s5 s6
//   r4      u1   i1   train  s7
//   r5      u2   i1   valid  s8
//   r6      u3   i0   test   s9
//   r7      u3   i1   train  s10 s11
function profileCorpus(splitOverride = {}) {
  const reviews = [[0, 0, 0, 2], [1, 0, 0, 1], [0, 1, 0, 2], [2, 0, 0, 2], [1, 1, 0, 1], [2, 1, 1, 1], [3, 0, 2, 1], [3, 1, 0, 2]];
  const sentences = [
    "the strings sound bright and clear", "the price is fair for these strings", "cheap strings but a great tone",
    "the tuner is quick and accurate", "the tuner clip holds well", "bright tone and the strings last",
    "the strings sound great for the price", "the clip broke after a week", "accurate tuner with a bright screen",
    "great strings with a warm tone", "the tuner screen is bright", "a fair price for a tuner",
  ];
  const split = reviews.map((x, r) => splitOverride[r] ?? x[2]);
  const offsets = [0];
  for (const x of reviews) offsets.push(offsets[offsets.length - 1] + x[3]);
  const S = sentences.length;
  return new GreenerData({
    users: ["u0", "u1", "u2", "u3"], items: ["i0", "i1"],
    review: { user: reviews.map((x) => x[0]), item: reviews.map((x) => x[1]), rating: reviews.map(() => 5), time: reviews.map((_, r) => r), split },
    reviewSentOffsets: offsets, sentences,
    sentAttrOffsets: Array.from({ length: S + 1 }, () => 0), sentAttrIds: [],
    attributes: { names: [], surface: {}, counts: [] },
    userAttrOffsets: [0, 0, 0, 0, 0], userAttrIds: [], userAttrCounts: [],
    itemAttrOffsets: [0, 0, 0], itemAttrIds: [], itemAttrCounts: [],
    poolOffsets: Array.from({ length: reviews.length + 1 }, () => 0), poolIds: [],
  });
}

/** Plain reference: each profile rebuilt from scratch from the training sentences of the user / item
 *  whose review is neither the pair's review r nor the candidate's own review; 0 when none is left. */
function referenceProfileFeatures(d, vec, r, cands) {
  const out = [];
  for (const s of cands) {
    const q = d.sentenceReview[s];
    for (const [col, id] of [[d.reviewUser, d.reviewUser[r]], [d.reviewItem, d.reviewItem[r]]]) {
      const keep = [];
      for (let e = 0; e < d.numReviews; e++) if (d.reviewSplit[e] === 0 && col[e] === id && e !== r && e !== q) keep.push(...d.sentencesOf(e));
      out.push(keep.length ? cosine(vec.vector(s), sumNormalized(keep.map((x) => vec.vector(x)))) : 0);
    }
  }
  return out;
}

test("ProfileFeatures: each candidate's own review (and a training pair's review) left out of both profiles, against a plain reference", (t) => {
  const d = profileCorpus();
  const vec = new SentenceVectors(d);
  const pf = new ProfileFeatures(d, vec);
  // candidates of every kind: the pair's own sentences, the item's and the user's other reviews, a
  // sentence of a review in no profile (s8, validation); in shuffled order, with repeats
  const cands = Int32Array.of(7, 0, 11, 3, 8, 1, 2, 5, 6, 4, 10, 0);
  let nonzero = 0;
  for (let r = 0; r < d.numReviews; r++) {
    const got = pf.features(r, cands), want = referenceProfileFeatures(d, vec, r, cands);
    t.is(got.length, want.length);
    want.forEach((w, i) => close(t, got[i], w, 1e-6));
    nonzero += want.filter((w) => w !== 0).length;
  }
  t.true(nonzero > 60, `only ${nonzero} non-zero reference values: the corpus does not exercise the features`);
  // worked by hand: training pair r0 (u0, i0), candidate s3 (review r2 by u0 on i1): the user
  // profile loses r0 (the pair) and r2 (its own review) → empty → 0; the item profile i0 loses
  // r0 only (r2 is not i0's) = s2 + s5 + s6
  const f = pf.features(0, Int32Array.of(3));
  t.is(f[0], 0);
  close(t, f[1], cosine(vec.vector(3), sumNormalized([2, 5, 6].map((s) => vec.vector(s)))), 1e-6);
  // test pair r6 (u3, i0), candidate s0 (r0): the item profile without r0 = s2 + s5 + s6; u3's
  // profile (r7 only) keeps everything since r0 is not u3's
  const g = pf.features(6, Int32Array.of(0));
  close(t, g[0], cosine(vec.vector(0), sumNormalized([10, 11].map((s) => vec.vector(s)))), 1e-6);
  close(t, g[1], cosine(vec.vector(0), sumNormalized([2, 5, 6].map((s) => vec.vector(s)))), 1e-6);
  // leftOut(side, id, pair review, candidate's review)
  t.deepEqual(pf.leftOut("item", 0, 6, 0), [0]); // test pair: the candidate's own review only
  t.deepEqual(pf.leftOut("item", 0, 0, 0), [0]); // training pair, its own sentence: one review
  t.deepEqual(pf.leftOut("item", 0, 0, 1), [0, 1]); // training pair, another i0 review: both
  t.deepEqual(pf.leftOut("item", 0, 0, 2), [0]); // r2 is not i0's
  t.deepEqual(pf.leftOut("user", 0, 0, 2), [0, 2]);
  t.deepEqual(pf.leftOut("user", 2, 5, 5), []); // validation pair, a validation sentence: nothing in the profile
});

test("ProfileFeatures: training and test pairs go through the same computation (a training pair = that pair held out)", (t) => {
  // The same corpus with r0 (then r3) held out instead of trained on: its sentences leave the
  // profiles, which is exactly what the training pair's rule does, so every candidate from another
  // review gets the same features either way.
  const cands = Int32Array.of(2, 3, 4, 5, 6, 7, 8, 10, 11);
  for (const r of [0, 3]) {
    const train = profileCorpus(), held = profileCorpus({ [r]: 2 });
    const a = new ProfileFeatures(train, new SentenceVectors(train));
    // the TF-IDF fit sees the training sentences: keep it fixed (fitted with r in training) so
    // only the profile rule is compared
    const vec = new SentenceVectors(train);
    const b = new ProfileFeatures(held, Object.assign(Object.create(vec), { data: held }));
    const others = Int32Array.from(Array.from(cands).filter((s) => train.sentenceReview[s] !== r));
    const fa = a.features(r, others), fb = b.features(r, others);
    Array.from(fa).forEach((x, i) => close(t, x, fb[i], 1e-6));
    t.true(fa.some((x) => x !== 0));
  }
  // and on the sealed view (selection) a validation pair gets what the full data gives it
  const d = profileCorpus();
  const vec = new SentenceVectors(d);
  const sealed = sealTestSplit(d).view;
  const c = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 10, 11);
  t.deepEqual(Array.from(new ProfileFeatures(sealed, vec).features(5, c)), Array.from(new ProfileFeatures(d, vec).features(5, c)));
});

test("GREENer model with pair features: the DCN sees them; widths are checked", (t) => {
  const d = tinyData();
  const vec = new SentenceVectors(d);
  const pf = new ProfileFeatures(d, vec);
  const enc = new TfidfProjectionEncoder(vec.tfidf, { dim: 8 });
  const table = enc.encodeAll(d.sentences.map((_, s) => d.tokens(s)));
  const fn = (r, c) => pf.features(r, c);
  const model = new GreenerModel({ numUsers: 3, numItems: 1, numAttributes: 3, sentenceDim: enc.width, hidden: 8, heads: 2, pairFeatureDim: 2, seed: 1 });
  model.eval();
  const ex = pairExample(d, 2, { pairFeatures: fn });
  t.is(ex.pairFeatures.length, 2 * ex.candidates.length);
  const score = (e) => rf.noGrad(() => rf.tidy(() => Array.from(model.call(makeBatch([e]), table).sentenceScores.toTypedArray())));
  const a = score(ex);
  t.is(a.length, 4);
  // changing only the pair features changes the scores (they reach the scorer)
  const b = score({ ...ex, pairFeatures: ex.pairFeatures.map((x) => x + 0.5) });
  t.true(a.some((x, i) => Math.abs(x - b[i]) > 1e-7), `${a} vs ${b}`);
  // a batch without pair features for a model that expects them, and mixed batches, are errors
  t.throws(() => rf.tidy(() => model.call(makeBatch([pairExample(d, 2)]), table)), { instanceOf: RangeError, message: /expects 2 pair features/ });
  t.throws(() => makeBatch([ex, pairExample(d, 2)]), { instanceOf: RangeError, message: /all or none/ });
  t.throws(() => new GreenerModel({ numUsers: 1, numItems: 1, numAttributes: 1, sentenceDim: 4, hidden: 8, heads: 2, pairFeatureDim: -1 }), { instanceOf: RangeError });
  model.dispose();
  table.dispose();
});

// ---- variant "profile-phrases": the same profile cosines over word bigrams and trigrams
import { PhraseVectors, phrasesOf } from "../../dist/methods/greener/phrase_vectors.js";

test("phrasesOf: word bigrams then trigrams, each occurrence; PhraseVectors fits on the training sentences only", (t) => {
  t.deepEqual(phrasesOf(["a", "b", "c", "d"]), ["a b", "b c", "c d", "a b c", "b c d"]);
  t.deepEqual(phrasesOf(["a", "b", "a", "b"], [2]), ["a b", "a b", "b a"]);
  t.deepEqual(phrasesOf(["a"]), []);
  const d = profileCorpus();
  const pv = new PhraseVectors(d);
  // "warm tone" occurs only in s9 (test review r6), "bright screen" only in s8 (validation r5): not in the vocabulary
  t.false(pv.tfidf.vocab.has("warm tone"));
  t.false(pv.tfidf.vocab.has("bright screen"));
  t.true(pv.tfidf.vocab.has("the strings sound"));
  t.is(pv.tfidf.docCount, 10); // the 10 training sentences
  // a sentence's vector is the TF-IDF of its phrases: s0 and s6 share "the strings sound" and "strings sound"
  t.true(cosine(pv.vector(0), pv.vector(6)) > 0);
  t.is(cosine(pv.vector(0), pv.vector(7)), 0);
  t.throws(() => new PhraseVectors(d, [1]), { instanceOf: RangeError });
  // the profile features over phrases follow the same plain reference
  const pf = new ProfileFeatures(d, pv);
  const cands = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11);
  for (let r = 0; r < d.numReviews; r++) {
    const got = pf.features(r, cands), want = referenceProfileFeatures(d, pv, r, cands);
    want.forEach((w, i) => close(t, got[i], w, 1e-6));
  }
});
