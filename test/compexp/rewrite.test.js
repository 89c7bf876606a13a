// CompExp's rewrite-pair filter and nearest-neighbour pairing, against hand-worked cases.
import test from "ava";
import { keepRewritePair, rewritePairs } from "../../dist/methods/compexp/rewrite.js";

const T = (s) => s.split(" ");

test("keepRewritePair: word overlap, attributes on both sides, attribute overlap", (t) => {
  // words: {the, strings, sound, great} vs {the, strings, are, bad}: overlap 2, ratios 2/4, 2/4 ≥ 0.25 ✓
  // attributes [1, 2] vs [1]: overlap 1 < 3; ratios 1/2 and 1/1 ≥ 0.5 ✓ → keep
  t.true(keepRewritePair(T("the strings sound great"), T("the strings are bad"), [1, 2], [1]));
  // attributes [1, 2, 3] vs [1]: ratio 1/3 < 0.5 and overlap 1 < 3 → drop
  t.false(keepRewritePair(T("the strings sound great"), T("the strings are bad"), [1, 2, 3], [1]));
  // one side without attributes → drop
  t.false(keepRewritePair(T("the strings sound great"), T("the strings are bad"), [1], []));
  // words {a b c d e f g h} vs {a x y z w v u t s r q p}... overlap 1: ratios 1/8, 1/12 → drop
  t.false(keepRewritePair(T("a b c d e f g h"), T("a x y z w v u t s r q p"), [1], [1]));
  // overlap 6 with low ratios (6/24, 6/30 → 0.25 and 0.2) still keeps by count
  const long1 = T("a b c d e f " + Array.from({ length: 18 }, (_, i) => `p${i}`).join(" "));
  const long2 = T("a b c d e f " + Array.from({ length: 24 }, (_, i) => `q${i}`).join(" "));
  t.true(keepRewritePair(long1, long2, [1, 2, 3, 4], [1, 2, 3, 9, 8, 7, 6]));
  // attribute overlap 3 with ratios 3/4 and 3/7 (< 0.5): kept by count
});

test("rewritePairs: 3 nearest of the same item (not the same review), then the filter", (t) => {
  // item 0: sentences 0..4; 0 and 1 share a review; vectors on a line: 0, 1, 2, 3, 10
  const vec = [[0], [1], [2], [3], [10]];
  const review = [0, 0, 1, 2, 3];
  const src = {
    itemSentences: [[0, 1, 2, 3, 4]],
    reviewOf: (s) => review[s],
    tokens: () => T("the strings sound great"),
    attributes: (s) => (s === 3 ? [] : [1]),
    vector: (s) => vec[s],
  };
  // s0: others not in review 0: 2 (d 4), 3 (9), 4 (100) → 3 has no attributes → (2, 0), (4, 0)
  // s1: 2 (1), 3 (4), 4 (81) → (2, 1), (4, 1)
  // s2: 1 (1), 3 (1), 0 (4) → ties by index: 1, 3, 0 → (1, 2), (0, 2)
  // s3: no attributes → none; s4: 3 (49), 2 (64), 1 (81) → (2, 4), (1, 4)
  t.deepEqual(rewritePairs(src).map((p) => [p.source, p.target]), [[2, 0], [4, 0], [2, 1], [4, 1], [1, 2], [0, 2], [2, 4], [1, 4]]);
});
