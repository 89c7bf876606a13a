// Baselines and the evaluation harness: a hand-made data set with hand-computed metrics, then
// the shared Amazon data (skipped when it is missing).
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import { prepareGreenerData } from "../../dist/methods/greener/prepare.js";
import { tinyData } from "./fixtures.js";
import {
  SentenceVectors, tfidfProfileScorer, randomSelector, popularSelector, topKSelector, trigramBlockingSelector, ilpSelector,
} from "../../dist/methods/greener/baselines.js";
import { evaluateSelector, eligiblePairs, oracleSelector, pairContext } from "../../dist/methods/greener/evaluate.js";
import { IlpSelector } from "../../dist/methods/greener/ilp.js";
import { bleu23, tokenize } from "../../dist/text/index.js";
import { musicalInstrumentsPath } from "../../dist/data/reviews.js";

const fixed = (scores) => () => Float64Array.from(scores);

test("selectors: top-K, trigram blocking, random, popular, oracle", (t) => {
  const d = tinyData();
  const ctx = pairContext(d, 2);
  t.deepEqual(Array.from(ctx.candidates), [0, 1, 2, 3]);
  const scorer = fixed([0.9, 0.1, 0.5, 0.8]);
  t.deepEqual(topKSelector(scorer)(ctx, 2), [0, 3]);
  // s3 repeats s0's trigrams → blocked; filled back in when K exceeds what survives
  t.deepEqual(trigramBlockingSelector(scorer)(ctx, 2), [0, 2]);
  t.deepEqual(trigramBlockingSelector(scorer)(ctx, 4), [0, 2, 1, 3]);
  const rnd = randomSelector(3);
  const a = rnd(ctx, 3);
  t.deepEqual(rnd(ctx, 3), a);
  t.is(new Set(a).size, 3);
  t.true(a.every((p) => p >= 0 && p < 4));
  // popularity: s0 and s3 are identical, so each has the other as a full duplicate
  const vectors = new SentenceVectors(d);
  t.deepEqual(popularSelector(vectors)(ctx, 2), [0, 3]);
  // oracle = argmax of BLEU-2 + BLEU-3 against the ground truth
  const ref = [tokenize("great strings and a good price")];
  const rel = [0, 1, 2, 3].map((p) => bleu23(ref, d.tokens(p)));
  const best = rel.indexOf(Math.max(...rel));
  t.deepEqual(oracleSelector()(ctx, 1), [best]);
});

test("ilpSelector: redundancy is penalised (the duplicate is not taken twice)", async (t) => {
  const d = tinyData();
  const vectors = new SentenceVectors(d);
  const solver = await IlpSelector.create();
  const results = [];
  const sel = ilpSelector(fixed([0.9, 0.1, 0.5, 0.8]), vectors, solver, {}, (r) => results.push(r));
  // top-2 would be {s0, s3} = 0.9 + 0.8 − 1 (identical) = 0.7; {s0, s2} = 1.4 − cos(s0, s2) is better
  t.deepEqual(sel(pairContext(d, 2), 2), [0, 2]);
  t.is(results.length, 1);
  t.is(results[0].status, "optimal");
});

// Hypothesis = s0 "the strings sound great" (4 tokens); reference = "great strings and a good price" (6)
//  BLEU-1: matches strings, great → 2/4; BP = exp(1 − 6/4) → 0.5·exp(−0.5) = 0.3032653298563167
//  BLEU-2/4: no bigram matches → 0 (corpus level, no smoothing)
//  ROUGE-1: overlap 2, P = 2/4, R = 2/6 → F = (1/3)/(5/6) = 0.4
//  ROUGE-2: 0; ROUGE-L: LCS 1, P = 1/4, R = 1/6 → F = (1/12)/(5/12) = 0.2
//  attributes: selected {string}, truth {string, price} → P = 1, R = 1/2, F = 2/3
test("evaluateSelector: hand-computed metrics for one pair", (t) => {
  const d = tinyData();
  t.deepEqual(eligiblePairs(d), [2]);
  const row = evaluateSelector(d, "first", () => [0], { k: 1 });
  const close = (a, b) => t.true(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  t.is(row.method, "first");
  t.is(row.pairs, 1);
  close(row.bleu1, 0.3032653298563167);
  t.is(row.bleu2, 0);
  t.is(row.bleu4, 0);
  close(row.rouge1, 0.4);
  t.is(row.rouge2, 0);
  close(row.rougeL, 0.2);
  close(row.attr_precision, 1);
  close(row.attr_recall, 0.5);
  close(row.attr_f1, 2 / 3);
  t.is(row.attr_pairs, 1);
  t.throws(() => evaluateSelector(d, "bad", () => [7]), { message: /invalid positions \[7\] for a pool of 4/ });
});

const realFile = musicalInstrumentsPath();
const haveData = fs.existsSync(realFile);
const realTest = dataTest(haveData, realFile);

realTest("shared Amazon data: baselines run on 100 test pairs; oracle beats relevance-only", async (t) => {
  const { data } = await prepareGreenerData(realFile);
  t.is(data.numReviews, 10261);
  t.is(data.reviewsOf("test").length, 1429);
  const vectors = new SentenceVectors(data);
  const scorer = tfidfProfileScorer(vectors);
  const solver = await IlpSelector.create();
  const statuses = new Map();
  const rows = [
    evaluateSelector(data, "random", randomSelector(1), { limit: 100 }),
    evaluateSelector(data, "popular", popularSelector(vectors), { limit: 100 }),
    evaluateSelector(data, "topk", topKSelector(scorer), { limit: 100 }),
    evaluateSelector(data, "trigram", trigramBlockingSelector(scorer), { limit: 100 }),
    evaluateSelector(data, "ilp", ilpSelector(scorer, vectors, solver, {}, (r) => statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)), { limit: 100 }),
    evaluateSelector(data, "oracle", oracleSelector(), { limit: 100 }),
  ];
  for (const r of rows) {
    t.is(r.pairs, 100);
    for (const k of ["bleu1", "bleu2", "bleu4", "rouge1", "rouge2", "rougeL", "attr_precision", "attr_recall", "attr_f1"]) {
      t.true(r[k] >= 0 && r[k] <= 1, `${r.method}.${k} = ${r[k]}`);
    }
    t.log(`${r.method}: BLEU-1 ${r.bleu1.toFixed(4)} BLEU-4 ${r.bleu4.toFixed(4)} ROUGE-1 ${r.rouge1.toFixed(4)} ROUGE-L ${r.rougeL.toFixed(4)} attr F1 ${r.attr_f1.toFixed(4)}`);
  }
  const by = Object.fromEntries(rows.map((r) => [r.method, r]));
  t.true(by.oracle.bleu2 > by.topk.bleu2);
  t.true(by.oracle.rouge2 > by.random.rouge2);
  t.deepEqual([...statuses.keys()], ["optimal"]);
});
