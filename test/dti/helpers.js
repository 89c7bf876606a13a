// Shared helpers of the DTI tests (not a test file: ava only runs *.test.js).
import * as dti from "../../dist/methods/dti/index.js";

export { dti };

/**
 * A small dataset with known item lengths: item i has text "w{i}a w{i}b ..." of lens[i] words.
 * users: array of [items[], labels[]].
 */
export function tinyData(itemLens, users) {
  const text = new Map(itemLens.map((len, i) => [String(i), Array.from({ length: len }, (_, w) => `w${i}x${w}`).join(" ")]));
  const rows = [];
  users.forEach(([items, labels], u) => items.forEach((it, j) => rows.push({ user: `u${u}`, item: String(it), time: j, label: labels[j] })));
  return dti.buildDataset("tiny", text, rows);
}

/** Prompt vocabulary with item tokens 100 + 10·item + w, liked = [1], disliked = [2], [SUM] = 3. */
export function tinyVocab(data, prefix = []) {
  return {
    itemTokens: data.itemText.map((t, i) => Int32Array.from(t.split(" "), (_, w) => 100 + 10 * Number(data.itemKeys[i]) + w)),
    liked: Int32Array.of(1),
    disliked: Int32Array.of(2),
    sum: 3,
    prefix: Int32Array.from(prefix),
    size: 1000,
  };
}

/** Visible keys of query i under the interval rule. */
export function visible(batch, i) {
  const L = batch.tokens.length, iv = batch.intervals;
  const out = [];
  for (let j = 0; j < L; j++) {
    const inPref = j >= iv[i] && j < iv[L + i];
    const inCtx = j >= iv[2 * L + i] && j < iv[3 * L + i];
    const inSelf = j >= iv[4 * L + i] && j <= i;
    if (inPref || inCtx || inSelf) out.push(j);
  }
  return out;
}

export function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}
