// The pieces behind GREENer's explanation quality (docs/greener.md "Measurements"): the
// evaluation-matched relevance labels, the item-centrality sentence features, the authors'
// attribute-popularity baseline and the validation choice of the selection settings —
// each against hand-worked values.
import test from "ava";
import { tinyData } from "./fixtures.js";
import { BleuReferences, RelevanceScorer } from "../../dist/methods/greener/relevance.js";
import { centralityOf, itemCentralityTable } from "../../dist/methods/greener/centrality.js";
import {
  SentenceVectors, attributePopularityScores, popularAttributesSelector, popularSelector, ilpSelector, lengthReward,
} from "../../dist/methods/greener/baselines.js";
import { IlpSelector } from "../../dist/methods/greener/ilp.js";
import { pairContext } from "../../dist/methods/greener/evaluate.js";
import { chooseOnValidation } from "../../dist/methods/greener/tuning.js";

const close = (t, a, b, tol = 1e-12) => t.true(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Review "a b c. b c d e." (7 tokens); candidate "c b c" crosses the sentence boundary.
const review = [["a", "b", "c"], ["b", "c", "d", "e"]];
const cand = ["c", "b", "c"];

test("relevance labels, spec mode: each review sentence is a reference (hand-worked)", (t) => {
  // unigrams: c clipped to 1 (max in one sentence) + b → 2/3; bigrams "c b" 0, "b c" 1 → 1/2;
  // trigram "c b c" 0 → method1 0.1/1; closest reference length 3 = |cand| → BP 1.
  const want = Math.sqrt((2 / 3) * (1 / 2)) + Math.cbrt((2 / 3) * (1 / 2) * 0.1);
  close(t, new RelevanceScorer().bleu23(new BleuReferences(review), cand), want);
});

test("relevance labels, review mode: one concatenated reference, brevity length |review| / k", (t) => {
  const rel = new RelevanceScorer();
  // concatenation "a b c b c d e": c ×2, "c b" and "b c" and "c b c" all occur → precisions 1;
  // k = 5: length 7/5 = 1.4 < 3 → BP 1 → 1 + 1.
  close(t, rel.bleu23(new BleuReferences(review, { mode: "review" }), cand), 2);
  // k = 1: the sentence must carry the whole review's 7 tokens: BP = exp(1 − 7/3), twice.
  close(t, rel.bleu23(new BleuReferences(review, { mode: "review", k: 1 }), cand), 2 * Math.exp(1 - 7 / 3));
  const refs = new BleuReferences(review, { mode: "review", k: 2 });
  t.deepEqual(refs.lengths, [3.5]);
  t.is(refs.maxCounts[1].get("b c"), 2);
  t.throws(() => new BleuReferences(review, { mode: "review", k: 0 }), { instanceOf: RangeError });
  t.throws(() => new BleuReferences(review, { mode: "words" }), { instanceOf: RangeError });
});

test("centralityOf: mean cosine to the others and its rank (hand-worked)", (t) => {
  // u0 = e0, u1 = e1, u2 = (e0 + e1) scaled by 3 (not unit: normalised inside)
  const v = (idx, val) => ({ idx: Int32Array.from(idx), val: Float64Array.from(val) });
  const { mean, rank } = centralityOf([v([0], [2]), v([1], [1]), v([0, 1], [3, 3])]);
  const h = Math.SQRT1_2;
  close(t, mean[0], h / 2);
  close(t, mean[1], h / 2);
  close(t, mean[2], h);
  // u0 and u1 tie at the two lowest positions (0 and 1 → 0.5 of 2) → 0.25; u2 is highest → 1
  t.deepEqual(Array.from(rank), [0.25, 0.25, 1]);
  const one = centralityOf([v([0], [1])]);
  t.deepEqual([one.mean[0], one.rank[0]], [0, 0.5]);
  t.is(centralityOf([]).mean.length, 0);
});

test("itemCentralityTable: the item's training sentences ranked as the popular baseline ranks them", (t) => {
  const d = tinyData();
  const vectors = new SentenceVectors(d);
  const table = itemCentralityTable(d, (s) => vectors.vector(s));
  t.is(table.length, 5 * 2);
  // s4 belongs to the held-out review: never a candidate, zeros
  t.deepEqual([table[8], table[9]], [0, 0]);
  // means agree with the cosine matrix
  const sim = vectors.simMatrix([0, 1, 2, 3]);
  for (let i = 0; i < 4; i++) {
    let s = 0;
    for (let j = 0; j < 4; j++) if (j !== i) s += sim[i * 4 + j];
    close(t, table[2 * i], s / 3, 1e-6);
  }
  // s0 and s3 are duplicates: the most central, tied
  t.is(table[1], table[7]);
  t.true(table[1] > table[3] && table[1] > table[5]);
  const top2 = popularSelector(vectors)(pairContext(d, 2), 2).sort();
  t.deepEqual(top2, [0, 3]);
});

test("attribute popularity (the authors' majority vote): mean pool count of a sentence's attributes", (t) => {
  // counts: attribute 0 in 3 candidates, 1 in 1, 2 in 1 → [3, 1, (3 + 1)/2, 3]; none → 0
  t.deepEqual(Array.from(attributePopularityScores([[0], [1], [0, 2], [0], []])), [3, 1, 2, 3, 0]);
  const d = tinyData();
  t.deepEqual(popularAttributesSelector()(pairContext(d, 2), 3), [0, 3, 2]);
});

test("chooseOnValidation: the setting with the best BLEU-4 × ROUGE-L; ties → the first listed", (t) => {
  const tried = [
    { setting: "a", bleu4: 0.25, rougeL: 0.5 }, // 0.125
    { setting: "b", bleu4: 0.5, rougeL: 0.5 }, // 0.25
    { setting: "c", bleu4: 1, rougeL: 0.25 }, // 0.25 (tie with b; b is listed first)
  ];
  t.is(chooseOnValidation(tried).setting, "b");
  t.throws(() => chooseOnValidation([]), { instanceOf: RangeError });
});

test("ILP length term: λ·ln(#tokens) added to each score; λ = 0 is the spec's objective", async (t) => {
  close(t, lengthReward(6, 0.1), 0.1 * Math.log(6));
  t.is(lengthReward(0, 0.1), 0);
  t.is(lengthReward(6, 0), 0);
  const d = tinyData();
  const ctx = pairContext(d, 2);
  const vectors = new SentenceVectors(d);
  const solver = await IlpSelector.create();
  t.deepEqual([0, 1, 2].map((i) => d.tokens(i).length), [4, 5, 5]);
  // K = 1. Without the term s0 (0.95) beats s1 (0.9); with λ = 1: 0.95 + ln 4 = 2.336 < 0.9 + ln 5 = 2.509.
  const sc = () => Float64Array.from([0.95, 0.9, 0.1, 0.1]);
  t.deepEqual(ilpSelector(sc, vectors, solver, { solver: "bnb" })(ctx, 1), [0]);
  t.deepEqual(ilpSelector(sc, vectors, solver, { solver: "bnb", lengthWeight: 1 })(ctx, 1), [1]);
  t.throws(() => ilpSelector(sc, vectors, solver, { lengthWeight: -1 }), { instanceOf: RangeError });
});
