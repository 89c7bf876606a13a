// The SASRec sanity protocol: leave-one-out targets, unrated negatives, sampled ranks and
// HR@10 / NDCG@10, each on a case worked by hand; the CLI's --protocol loo contract.
import test from "ava";
import * as rf from "../../dist/index.js";
import { syntheticSeq } from "./helpers.js";

const cat = new Map(["a", "b", "c", "d", "e", "f"].map((i) => [i, "x"]));
function hand() {
  // u0: a b c d (4 actions), u1: e f (2 actions: trains only)
  const acts = [..."abcd"].map((it, k) => ({ user: "u0", item: it, time: k, line: k + 1 }));
  acts.push({ user: "u1", item: "e", time: 0, line: 5 }, { user: "u1", item: "f", time: 1, line: 6 });
  return rf.buildSeqDataset("h", acts, cat, { minHistory: 1 });
}

test("leaveOneOutTargets: last = test, second last = valid, positions t >= 1 before them train", (t) => {
  const ds = hand();
  const loo = rf.leaveOneOutTargets(ds);
  // u0 at positions 0..3: train [1], valid [2], test [3]; u1 at 4..5: train [5]
  t.deepEqual([...loo.train], [1, 5]);
  t.deepEqual([...loo.valid], [2]);
  t.deepEqual([...loo.test], [3]);
});

test("sampleUnratedNegatives: distinct, never rated, never padding, seeded; too few is an error", (t) => {
  const ds = syntheticSeq({ users: 6, perUser: 10, items: 40 });
  const pos = rf.leaveOneOutTargets(ds).test;
  const neg = rf.sampleUnratedNegatives(ds, pos, 20, 3);
  pos.forEach((p, b) => {
    const u = ds.userOf[p], rated = new Set(ds.items.slice(ds.offsets[u], ds.offsets[u + 1]));
    const row = neg.slice(b * 20, (b + 1) * 20);
    t.is(new Set(row).size, 20);
    for (const i of row) t.true(i >= 1 && i < ds.numItems && !rated.has(i));
  });
  t.deepEqual(rf.sampleUnratedNegatives(ds, pos, 20, 3), neg);
  t.notDeepEqual(rf.sampleUnratedNegatives(ds, pos, 20, 4), neg);
  t.throws(() => rf.sampleUnratedNegatives(hand(), Int32Array.of(3), 3), { instanceOf: RangeError, message: /only 2 unrated items, 3 negatives needed/ });
});

class ById extends rf.SeqRecModel {
  // score of item i = i: a target's sampled rank = 1 + its negatives with a larger id
  window = 1;
  config() { return { model: "by-id" }; }
  loss() { throw new Error("no"); }
  scores(inp) {
    const N = inp.ds.numItems, B = inp.positions.length;
    return rf.tensor(Float32Array.from({ length: B * N }, (_, k) => k % N), { shape: [B, N] });
  }
}

test("sampledRanks and hitRateNdcg by hand", (t) => {
  const ds = syntheticSeq({ users: 6, perUser: 10, items: 40 });
  const pos = rf.leaveOneOutTargets(ds).test;
  const m = new ById();
  const ranks = rf.sampledRanks(m, ds, new rf.CategoryHistory(ds), pos, { negatives: 20, seed: 3 });
  const neg = rf.sampleUnratedNegatives(ds, pos, 20, 3);
  pos.forEach((p, b) => t.is(ranks[b], 1 + neg.slice(b * 20, (b + 1) * 20).filter((i) => i > ds.items[p]).length));
  // ranks 1, 10, 11: HR@10 = 2/3; NDCG@10 = (1/log2 2 + 1/log2 11) / 3 = (1 + 0.2890648263) / 3
  const r = rf.hitRateNdcg(Int32Array.of(1, 10, 11));
  t.is(r.hr, 2 / 3);
  t.true(Math.abs(r.ndcg - (1 + 0.2890648263178879) / 3) < 1e-15);
  m.dispose();
});
