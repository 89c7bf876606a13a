// Full-ranking metrics: rankOfTargets (native, no sort) vs a plain TS reference that sorts each
// row; Recall/MRR/NDCG by hand; ties, NaN, exclusion; bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { mulberry32 as prng } from "../../dist/prng.js";

// Reference: sort the candidate items by descending score, NaN last, the target first among its
// ties; rank = 1-based position of the target. A NaN target is ranked last (documented rule).
function refRanks(scores, B, n, targets, exclude = []) {
  const ex = new Set(exclude);
  const out = [];
  for (let b = 0; b < B; b++) {
    const row = scores.slice(b * n, (b + 1) * n);
    const t = targets[b];
    const cols = [];
    for (let j = 0; j < n; j++) if (!ex.has(j)) cols.push(j);
    if (Number.isNaN(row[t])) {
      out.push(cols.length);
      continue;
    }
    cols.sort((a, c) => {
      const na = Number.isNaN(row[a]), nc = Number.isNaN(row[c]);
      if (na !== nc) return na ? 1 : -1;
      if (na) return 0;
      if (row[a] !== row[c]) return row[c] > row[a] ? 1 : -1;
      return (c === t) - (a === t);
    });
    out.push(cols.indexOf(t) + 1);
  }
  return out;
}

function randomScores(r, B, n, mode) {
  const s = new Array(B * n);
  for (let i = 0; i < s.length; i++) {
    s[i] = mode === 0 ? r() * 2 - 1 : Math.floor(r() * 4); // mode 1, 2: heavy ties
    if (mode === 2) {
      const u = r();
      if (u < 0.05) s[i] = NaN;
      else if (u < 0.08) s[i] = Infinity;
      else if (u < 0.1) s[i] = -Infinity;
    }
  }
  return s;
}

for (const dtype of ["float32", "float64"])
  test(`rankOfTargets (${dtype}) equals the sorting reference: ties, NaN, +-inf, odd sizes, exclusion`, (t) => {
    const r = prng(dtype === "float32" ? 3 : 4);
    for (const [B, n] of [[1, 1], [3, 2], [7, 17], [13, 101], [4, 3001], [0, 5]])
      for (const mode of [0, 1, 2]) {
        const exclude = n > 3 && mode > 0 ? [0, n - 2] : [];
        const targets = Array.from({ length: B }, () => {
          let x;
          do x = Math.floor(r() * n);
          while (exclude.includes(x));
          return x;
        });
        const s = randomScores(r, B, n, mode);
        if (mode === 2 && B > 1) s[n + targets[1]] = NaN;
        if (mode === 2 && B > 2) s[2 * n + targets[2]] = -Infinity;
        const x = rf.tensor(s, { dtype, shape: [B, n] });
        const sv = Array.from(x.toTypedArray()); // the stored (possibly rounded) scores
        const got = rf.rankOfTargets(x, targets, { exclude });
        t.true(got instanceof Int32Array);
        t.deepEqual(Array.from(got), refRanks(sv, B, n, targets, exclude), `B ${B} n ${n} mode ${mode}`);
        // targets as an int32 tensor give the same
        const tt = rf.tensor(targets, { dtype: "int32", shape: [B] });
        t.deepEqual(Array.from(rf.rankOfTargets(x, tt, { exclude })), Array.from(got));
        tt.dispose();
        x.dispose();
      }
  });

test("rankOfTargets: documented ties and NaN rules by hand; non-contiguous scores", (t) => {
  const x = rf.tensor([[3, 1, 3, 2, NaN], [3, 1, 3, 2, NaN], [0, 0, 0, 0, 0], [NaN, 1, 2, 3, 4]]);
  t.deepEqual(Array.from(rf.rankOfTargets(x, [2, 3, 4, 0])), [1, 3, 1, 5]); // tie -> 1; NaN target -> last
  t.deepEqual(Array.from(rf.rankOfTargets(x, [2, 3, 4, 1], { exclude: [0] })), [1, 2, 1, 4]);
  const xt = rf.transpose(rf.tensor([[1, 5], [2, 6], [3, 7]]), 0, 1); // [[1,2,3],[5,6,7]], strided
  t.deepEqual(Array.from(rf.rankOfTargets(xt, [0, 2])), [3, 1]);
  x.dispose();
  xt.dispose();
});

test("rankingMetrics: Recall@K, MRR@K, NDCG@K by hand, defaults, accumulation over batches", (t) => {
  const ranks = [1, 2, 5, 6, 20, 21, 100, 101];
  const m = rf.rankingMetrics(ranks);
  t.is(m.count, 8);
  const close = (a, b) => Math.abs(a - b) < 1e-12;
  t.true(close(m.recall["5"], 3 / 8));
  t.true(close(m.recall["20"], 5 / 8));
  t.true(close(m.recall["100"], 7 / 8));
  t.true(close(m.mrr["5"], (1 + 1 / 2 + 1 / 5) / 8));
  t.true(close(m.mrr["20"], (1 + 1 / 2 + 1 / 5 + 1 / 6 + 1 / 20) / 8));
  t.true(close(m.ndcg["10"], (1 + 1 / Math.log2(3) + 1 / Math.log2(6) + 1 / Math.log2(7)) / 8));
  const acc = new rf.RankingAccumulator({ recall: [1, 3], mrr: [3], ndcg: [2] });
  acc.add(Int32Array.from([1, 4])).add([2]);
  const a = acc.result();
  t.deepEqual(Object.keys(a.recall), ["1", "3"]);
  t.true(close(a.recall["1"], 1 / 3) && close(a.recall["3"], 2 / 3));
  t.true(close(a.mrr["3"], 1.5 / 3) && close(a.ndcg["2"], (1 + 1 / Math.log2(3)) / 3));
  t.true(Number.isNaN(new rf.RankingAccumulator().result().recall["5"]));
  t.throws(() => rf.rankingMetrics([0]), { message: /rank\[0\] must be an integer >= 1, got 0/ });
  t.throws(() => rf.rankingMetrics([1], { recall: [0] }), { message: /cut-off must be an integer >= 1/ });
  t.throws(() => rf.rankingMetrics([1], { hitRate: [5] }), { message: /unknown metric "hitRate"/ });
  t.throws(() => rf.rankingMetrics(null), { instanceOf: TypeError, message: /ranks must be an array/ });
  t.deepEqual(Array.from(rf.rankOfTargets(rf.zeros([1, 2]), [0], null)), [1]); // null options = none
  t.throws(() => rf.rankOfTargets(rf.zeros([1, 2]), [0], { exclude: "x" }), { instanceOf: TypeError, message: /exclude must be an array/ });
});

test("rankOfTargets bad input: shapes, dtypes, out-of-range targets and exclusions", (t) => {
  const x = rf.zeros([2, 4]);
  t.throws(() => rf.rankOfTargets(rf.zeros([4]), [0]), { message: /must be 2-D \[B, items\], got \[4\]/ });
  t.throws(() => rf.rankOfTargets(rf.zeros([2, 4], { dtype: "int32" }), [0, 0]), { message: /float32 or float64, got int32/ });
  t.throws(() => rf.rankOfTargets(x, [0]), { message: /1 targets for 2 score rows/ });
  t.throws(() => rf.rankOfTargets(x, [0, 4]), { instanceOf: RangeError, message: /targets\[1\] = 4 is out of range \[0, 4\)/ });
  t.throws(() => rf.rankOfTargets(x, [0, -1]), { instanceOf: RangeError });
  t.throws(() => rf.rankOfTargets(x, [0, 1.5]), { instanceOf: TypeError, message: /must be an integer item id/ });
  t.throws(() => rf.rankOfTargets(x, [0, 1], { exclude: [9] }), { message: /exclude\[0\] = 9 is out of range/ });
  t.throws(() => rf.rankOfTargets(x, [0, 1], { exclude: [1] }), { message: /target of row 1 \(item 1\) is an excluded item/ });
  t.throws(() => rf.rankOfTargets(x, [0, 1], { exclude: [2, 2] }), { message: /excluded item 2 is listed twice/ });
  t.throws(() => rf.rankOfTargets(x, [0, 1], { exclude: [0, 1, 2, 3] }), { message: /leaves no candidate/ });
  t.throws(() => rf.rankOfTargets(x, rf.tensor([0, 1], { dtype: "float32" })), { message: /must be an int32 tensor \[2\]/ });
  t.throws(() => rf.rankOfTargets(rf.zeros([2, 0]), [0, 0]), { message: /have no items/ });
  t.throws(() => rf.rankOfTargets(x, 3), { instanceOf: TypeError });
  // the native binding re-checks what crosses it (an int32 target tensor bypasses the TS range check)
  const bad = rf.tensor([0, 7], { dtype: "int32" });
  t.throws(() => rf.rankOfTargets(x, bad), { instanceOf: RangeError, message: /target 7 of row 1 is out of range \[0, 4\)/ });
  bad.dispose();
  x.dispose();
});
