// GREENer's graph construction, losses and model on synthetic data (no data set needed).
import test from "ava";
import * as rf from "../../dist/index.js";
import { buildPairGraph, makeBatch, NODE_TYPES } from "../../dist/methods/greener/graph.js";
import { gradedPairs, bprLoss } from "../../dist/methods/greener/loss.js";
import { GreenerModel } from "../../dist/methods/greener/model.js";
import { trainGreener, scorePairs } from "../../dist/methods/greener/train.js";
import { mulberry32 as prng } from "../../dist/prng.js";

test("pair graph: user, item, sentences, attributes; sentence–attribute, user–attribute, item–attribute edges both ways", (t) => {
  const ex = {
    user: 3, item: 5, candidates: Int32Array.from([10, 11, 12]),
    candidateAttrs: [[7, 2], [2], [9]], // 9 is not an item attribute: no node
    userAttrs: new Set([2, 4]), itemAttrs: new Set([2, 7, 8]),
  };
  const p = buildPairGraph(ex);
  t.deepEqual(Array.from(p.attrIds), [7, 2]);
  t.is(p.graph.numNodes, 2 + 3 + 2);
  t.deepEqual(Array.from(p.graph.nodeType), [0, 1, 2, 2, 2, 3, 3]);
  t.deepEqual(p.graph.nodeTypeNames, [...NODE_TYPES]);
  const edges = new Set(Array.from(p.graph.src, (s, i) => `${s}-${p.graph.dst[i]}`));
  // sentence 0 (node 2) — attr 7 (node 5) and attr 2 (node 6); sentence 1 (node 3) — attr 2
  for (const e of ["2-5", "5-2", "2-6", "6-2", "3-6", "6-3", "0-6", "6-0", "1-5", "5-1", "1-6", "6-1"]) t.true(edges.has(e), e);
  t.false(edges.has("0-5"), "attribute 7 is not in the user profile");
  t.false(edges.has("4-5") || edges.has("4-6"), "sentence 2 only mentions a non-item attribute");
  t.is(edges.size, 12);
  // a batch of two: offsets and per-sentence user/item nodes
  const b = makeBatch([{ ...ex, levels: Uint8Array.from([3, 1, 0]) }, { ...ex, user: 1, levels: Uint8Array.from([0, 0, 2]) }]);
  t.deepEqual(Array.from(b.sentenceOffsets), [0, 3, 6]);
  t.deepEqual(Array.from(b.userNodeOfSentence), [0, 0, 0, 7, 7, 7]);
  t.deepEqual(Array.from(b.sentenceNodes), [2, 3, 4, 9, 10, 11]);
  t.deepEqual(Array.from(b.attrNodes), [5, 6, 12, 13]);
  t.deepEqual(Array.from(b.attrLabels), [1, 1, 0, 0], "attributes of level-3 candidates are positive");
  b.dispose();
});

test("graded BPR pairs: levels 1..3 against lower levels, per-graph means averaged", (t) => {
  const levels = Uint8Array.from([3, 0, 1, 0, /* graph 2: all equal */ 0, 0, /* graph 3 */ 2, 2, 1]);
  const p = gradedPairs(levels, Int32Array.from([0, 4, 6, 9]));
  t.is(p.graphs, 2);
  const key = (i) => `${p.pos[i]}>${p.neg[i]}`;
  const got = Array.from(p.pos, (_, i) => key(i)).sort();
  t.deepEqual(got, ["0>1", "0>2", "0>3", "2>1", "2>3", "6>8", "7>8"].sort());
  // graph 1: level 1 has 2 pairs, level 3 has 3 → each level weighs 1/2, then /2 graphs
  const w = Object.fromEntries(Array.from(p.pos, (_, i) => [key(i), p.weight[i]]));
  t.true(Math.abs(w["2>1"] - 1 / 2 / 2 / 2) < 1e-7);
  t.true(Math.abs(w["0>1"] - 1 / 3 / 2 / 2) < 1e-7);
  t.true(Math.abs(w["6>8"] - 1 / 2 / 2) < 1e-7);
  t.true(Math.abs(p.weight.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  // loss value: Σ w softplus(s_neg - s_pos)
  const s = rf.tensor([2, 0, 1, -1, 0, 0, 3, 1, 0], { dtype: "float64" });
  const l = bprLoss(s, p).item();
  let want = 0;
  for (let i = 0; i < p.pos.length; i++) want += p.weight[i] * Math.log1p(Math.exp(-([2, 0, 1, -1, 0, 0, 3, 1, 0][p.pos[i]] - [2, 0, 1, -1, 0, 0, 3, 1, 0][p.neg[i]])));
  t.true(Math.abs(l - want) < 1e-6);
  // cap: sampled pairs keep the total weight
  const big = new Uint8Array(200).fill(0);
  big.fill(1, 0, 50);
  const capped = gradedPairs(big, Int32Array.from([0, 200]), { maxPairsPerLevel: 100, rand: prng(1) });
  t.is(capped.pos.length, 100);
  t.true(Math.abs(capped.weight.reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

// Synthetic task: a sentence is relevant when its hidden feature matches the user's taste
// (users like attribute-group A or B; sentences mention attributes of one group and their
// feature vector says which). The model must combine user (via attribute edges) and sentence.
function synthetic(seed, nPairs) {
  const rand = prng(seed);
  const D = 8, nSent = 400, nUsers = 12, nItems = 6, nAttrs = 10;
  const sentFeat = new Float32Array(nSent * D), sentGroup = new Int32Array(nSent), sentAttrs = [];
  for (let s = 0; s < nSent; s++) {
    const g = rand() < 0.5 ? 0 : 1;
    sentGroup[s] = g;
    for (let d = 0; d < D; d++) sentFeat[s * D + d] = (rand() - 0.5) * 0.5 + (d === g ? 1 : 0);
    const a = g * 5 + Math.floor(rand() * 5);
    sentAttrs.push([a, g * 5 + Math.floor(rand() * 5)]);
  }
  const userGroup = Int32Array.from({ length: nUsers }, (_, u) => u % 2);
  const examples = [];
  for (let k = 0; k < nPairs; k++) {
    const user = Math.floor(rand() * nUsers), item = Math.floor(rand() * nItems);
    const C = 8 + Math.floor(rand() * 12);
    const cands = Int32Array.from({ length: C }, () => Math.floor(rand() * nSent));
    const levels = Uint8Array.from(cands, (s) => (sentGroup[s] === userGroup[user] ? (rand() < 0.5 ? 3 : 2) : rand() < 0.2 ? 1 : 0));
    const userAttrs = new Set(Array.from({ length: 5 }, (_, i) => userGroup[user] * 5 + i));
    examples.push({ user, item, candidates: cands, candidateAttrs: Array.from(cands, (s) => sentAttrs[s]), userAttrs, itemAttrs: new Set(Array.from({ length: nAttrs }, (_, i) => i)), levels, sentGroup, userGroup: userGroup[user] });
  }
  return { D, nUsers, nItems, nAttrs, table: rf.tensor(sentFeat, { shape: [nSent, D] }), examples, sentGroup, userGroup };
}

test("GREENer model trains on a synthetic task: loss falls and held-out pairs rank relevant sentences first", (t) => {
  const train = synthetic(1, 256), test = synthetic(1, 320).examples.slice(256);
  const model = new GreenerModel({ numUsers: train.nUsers, numItems: train.nItems, numAttributes: train.nAttrs, sentenceDim: train.D, hidden: 32, heads: 4, embedDim: 8, dropout: 0, seed: 3 });
  const live = rf.memory().liveTensors;
  const rep = trainGreener(model, train.table, train.examples, { epochs: 12, batchSize: 32, lr: 3e-3, seed: 1 });
  t.is(rf.memory().liveTensors, live, "no tensors leak across training steps");
  t.log(`loss by epoch: ${rep.epochLoss.map((e) => e.total.toFixed(3)).join(" ")} (${rep.seconds.toFixed(1)} s, ${rep.steps} steps)`);
  t.true(rep.epochLoss.at(-1).total < rep.epochLoss[0].total * 0.6);
  // pairwise accuracy on held-out pairs: relevant (same group) vs irrelevant sentences
  const scores = scorePairs(model, train.table, test);
  let right = 0, total = 0;
  test.forEach((ex, k) => {
    const s = scores[k].sentence;
    for (let i = 0; i < s.length; i++)
      for (let j = 0; j < s.length; j++) {
        const gi = train.sentGroup[ex.candidates[i]] === ex.userGroup, gj = train.sentGroup[ex.candidates[j]] === ex.userGroup;
        if (gi && !gj) (total++, (right += s[i] > s[j] ? 1 : 0));
      }
  });
  t.log(`held-out pairwise accuracy ${(right / total).toFixed(3)}`);
  t.true(right / total > 0.8, `accuracy ${right / total}`);
  t.true(scores.every((s, k) => s.sentence.length === test[k].candidates.length));
  model.dispose();
  train.table.dispose();
});

test("sentence encoder: deterministic per term (independent of vocabulary order), unit-norm projection, surface features", async (t) => {
  const { TfidfProjectionEncoder } = await import("../../dist/methods/greener/encoder.js");
  const { Tfidf } = await import("../../dist/text/tfidf.js");
  const docs = [["great", "sound", "for", "the", "price"], ["the", "strings", "buzz"], ["great", "strings"]];
  const a = new TfidfProjectionEncoder(Tfidf.fit(docs), { dim: 16 });
  const b = new TfidfProjectionEncoder(Tfidf.fit([...docs].reverse()), { dim: 16 }); // other vocabulary ids
  const va = a.encode(["great", "strings"]), vb = b.encode(["great", "strings"]);
  t.is(a.width, 18);
  for (let i = 0; i < 18; i++) t.true(Math.abs(va[i] - vb[i]) < 1e-6, `entry ${i}`);
  let n = 0;
  for (let i = 0; i < 16; i++) n += va[i] * va[i];
  t.true(Math.abs(n - 1) < 1e-5);
  t.true(Math.abs(va[16] - Math.log(3) / Math.log(64)) < 1e-6, "length feature");
  t.true(va[17] > 0 && va[17] <= 1, "mean idf feature");
  t.deepEqual(Array.from(a.encode(["unknown", "words"]).slice(0, 16)), new Array(16).fill(0));
  const plain = new TfidfProjectionEncoder(Tfidf.fit(docs), { dim: 16, surfaceFeatures: false });
  t.is(plain.width, 16);
  const table = a.encodeAll(docs);
  t.deepEqual(table.shape, [3, 18]);
  table.dispose();
});
