// N-gram counting shared by BLEU, ROUGE and trigram blocking. Tokens never contain a
// space (see tokenize), so an n-gram is keyed by its tokens joined with " ".

/** Counts of the n-grams of `tokens` (empty when tokens.length < n). */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(" ");
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** The set of n-grams of `tokens`. */
export function ngramSet(tokens: readonly string[], n: number): Set<string> {
  return new Set(ngramCounts(tokens, n).keys());
}

/** Σ_g min(a[g], b[g]): the clipped overlap of two n-gram count maps. */
export function clippedOverlap(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [g, c] of small) {
    const d = large.get(g);
    if (d !== undefined) s += Math.min(c, d);
  }
  return s;
}
