// Uncertainty of a quality difference between two models scored on the SAME test rows: paired
// bootstrap intervals for ΔAUC and ΔNE, per training seed and across seeds, and the verdicts that
// result files draw from them (issue 17: a claim is decided by its interval, never by comparing
// rounded means).
//
// Paired: every bootstrap replicate draws one multiset of test rows (multinomial counts, seeded)
// and scores both models on it, so the noise of the test sample that both share cancels in the
// difference. The metrics on a replicate are computed with the counts as weights, which equals
// the metric on the explicitly resampled arrays (tested against auc() / normalizedEntropy()) but
// costs O(n) per replicate: the score order is sorted once.
//
// Across S seeds (each seed: one model A and one model B trained with that seed, all scored on the
// same rows) the difference has two sources of noise: training randomness (the spread of the
// per-seed differences; the test rows are the same for every seed) and the test sample (common to
// all seeds, invisible in that spread). Reported:
//   t_interval          mean ± t(S−1)·sd/√S: training randomness only, the test rows held fixed.
//   rows_interval       bootstrap over test rows of the seed-mean difference: test-sample noise only.
//   two_level_interval  percentile bootstrap resampling rows and seeds together; with S = 5 the seed
//                       level is drawn from five values and comes out ~35% narrower than the
//                       t-interval (a bootstrap of a mean of S values has sd·√((S−1)/S) and no t
//                       correction), so it is reported, not used.
//   interval            the one verdicts use: mean ± t(S−1)·√(sd²/S + v_rows), v_rows the bootstrap
//                       variance of the seed-mean difference over test rows: both variance
//                       components, with the small-sample t quantile of the seeds (conservative: the
//                       rows component has thousands of degrees of freedom). One seed: the rows
//                       bootstrap's percentile interval.
import { mulberry32, hash2 } from "../prng.js";
import { auc as plainAuc, normalizedEntropy as plainNe, type Numbers } from "./classification.js";

export type PairedMetric = "auc" | "ne";

const EPS = 1e-15;

/** Multinomial counts of a bootstrap sample of n rows out of n (Σ counts = n). */
export function bootstrapCounts(n: number, next: () => number, out = new Float64Array(n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[Math.floor(next() * n)]++;
  return out;
}

/** Indices of `scores` in ascending order (computed once per score vector, reused by every replicate). */
export function ascendingOrder(scores: Numbers): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  return order;
}

/**
 * ROC AUC with row weights (a bootstrap sample's counts): the Mann-Whitney statistic where row i
 * counts w[i] times, ties counting one half. `order` = ascendingOrder(scores). NaN when either
 * class has zero weight.
 */
export function weightedAuc(scores: Numbers, labels: Numbers, w: Numbers, order: Uint32Array = ascendingOrder(scores)): number {
  const n = order.length;
  let negBelow = 0, acc = 0, wPos = 0;
  for (let i = 0; i < n; ) {
    let j = i, gPos = 0, gNeg = 0;
    const s = scores[order[i]];
    while (j < n && scores[order[j]] === s) {
      const r = order[j];
      if (labels[r] === 1) gPos += w[r];
      else gNeg += w[r];
      j++;
    }
    acc += gPos * (negBelow + 0.5 * gNeg);
    negBelow += gNeg;
    wPos += gPos;
    i = j;
  }
  if (wPos === 0 || negBelow === 0) return NaN;
  return acc / (wPos * negBelow);
}

/** Per-row binary cross-entropy (probabilities clipped to [1e-15, 1 − 1e-15], as logLoss). */
export function rowLogLoss(probs: Numbers, labels: Numbers): Float64Array {
  const out = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(Math.max(probs[i], EPS), 1 - EPS);
    out[i] = labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return out;
}

/** Normalized entropy with row weights: weighted mean log loss over the entropy of the weighted base rate. */
export function weightedNormalizedEntropy(probs: Numbers, labels: Numbers, w: Numbers): number {
  const ll = rowLogLoss(probs, labels);
  let sw = 0, sl = 0, sp = 0;
  for (let i = 0; i < ll.length; i++) {
    sw += w[i];
    sl += w[i] * ll[i];
    sp += w[i] * labels[i];
  }
  return sl / sw / entropy(sp / sw);
}

function entropy(p: number): number {
  return p > 0 && p < 1 ? -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) : NaN;
}

/** Linear-interpolation quantile (type 7) of an unsorted sample. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (standard tables).
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** t(0.975, df): the table above, then the first Cornish-Fisher term (error < 0.001 beyond 30). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`recforge: tQuantile975: df must be an integer >= 1, got ${df}`);
  if (df <= 30) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df);
}

/** Mean ± t(0.975, S−1)·sd/√S; null for fewer than 2 values. */
export function tInterval95(xs: readonly number[]): [number, number] | null {
  const S = xs.length;
  if (S < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / S;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (S - 1));
  const h = (tQuantile975(S - 1) * sd) / Math.sqrt(S);
  return [mean - h, mean + h];
}

export interface PairedBootstrapOptions {
  /** Bootstrap replicates (default 2000). */
  replicates?: number;
  /** Two-sided level (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0): the same inputs and seed give the same interval. */
  seed?: number;
}

export interface SeedDiff {
  /** metric(A) − metric(B) of this seed's pair on all test rows. */
  diff: number;
  /** Paired bootstrap interval over the test rows. */
  ci: [number, number];
}

export interface PairedDiffSummary {
  metric: PairedMetric;
  /** metric(A) − metric(B): AUC (higher is better) or NE (lower is better). */
  direction: "higher_is_better" | "lower_is_better";
  level: number;
  replicates: number;
  rows: number;
  seeds: number;
  per_seed: SeedDiff[];
  /** Mean and sample sd (n − 1) of the per-seed differences. */
  mean: number;
  sd: number;
  /** mean ± t·sd/√S (training randomness only; null for one seed; only at level 0.95). */
  t_interval: [number, number] | null;
  /** Bootstrap over test rows of the seed-mean difference (test-sample noise only). */
  rows_interval: [number, number];
  /** sd of that bootstrap distribution (√v_rows). */
  rows_sd: number;
  /** Percentile bootstrap resampling rows and seeds together (reported; narrow for few seeds). */
  two_level_interval: [number, number];
  /** mean ± t(S−1)·√(sd²/S + v_rows) (one seed: rows_interval): the interval verdicts are drawn from. */
  interval: [number, number];
  method: string;
}

function checkInputs(metric: PairedMetric, a: Numbers[], b: Numbers[], labels: Numbers): void {
  if (metric !== "auc" && metric !== "ne") throw new RangeError(`recforge: pairedBootstrap: metric must be "auc" or "ne", got ${JSON.stringify(metric)}`);
  if (a.length === 0 || a.length !== b.length) throw new RangeError(`recforge: pairedBootstrap: need one prediction vector of A and of B per seed, got ${a.length} and ${b.length}`);
  const n = labels.length;
  if (n < 2) throw new RangeError(`recforge: pairedBootstrap: need at least 2 test rows, got ${n}`);
  for (let i = 0; i < n; i++) if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`recforge: pairedBootstrap: labels must be 0 or 1, got ${labels[i]} at ${i}`);
  [...a, ...b].forEach((p, s) => {
    if (p.length !== n) throw new RangeError(`recforge: pairedBootstrap: prediction vector ${s} has ${p.length} rows, the labels ${n}: both models must score the same test rows`);
    for (let i = 0; i < n; i++) if (Number.isNaN(p[i])) throw new RangeError(`recforge: pairedBootstrap: prediction vector ${s} is NaN at row ${i}`);
  });
}

/**
 * Paired bootstrap of metric(A) − metric(B) over the same test rows, for S ≥ 1 seeds: a[s] and b[s]
 * are the predictions of seed s's two models on the rows whose labels are `labels`. See the file
 * comment for the three intervals.
 */
export function pairedBootstrap(metric: PairedMetric, a: Numbers[], b: Numbers[], labels: Numbers, opts: PairedBootstrapOptions = {}): PairedDiffSummary {
  checkInputs(metric, a, b, labels);
  const R = opts.replicates ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(R) || R < 10) throw new RangeError(`recforge: pairedBootstrap: replicates must be an integer >= 10, got ${R}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`recforge: pairedBootstrap: level must be in (0, 1), got ${level}`);
  const S = a.length, n = labels.length;
  // diffOn(s, w): metric(A_s) − metric(B_s) on the rows weighted by w.
  let diffOn: (s: number, w: Numbers) => number;
  if (metric === "auc") {
    const oa = a.map(ascendingOrder), ob = b.map(ascendingOrder);
    diffOn = (s, w) => weightedAuc(a[s], labels, w, oa[s]) - weightedAuc(b[s], labels, w, ob[s]);
  } else {
    // NE(A) − NE(B) = (Σ w·(ℓA − ℓB) / Σ w) / H(weighted base rate): one pass per replicate.
    const dl = a.map((p, s) => {
      const la = rowLogLoss(p, labels), lb = rowLogLoss(b[s], labels);
      for (let i = 0; i < n; i++) la[i] -= lb[i];
      return la;
    });
    diffOn = (s, w) => {
      let sw = 0, sd = 0, sp = 0;
      const d = dl[s];
      for (let i = 0; i < n; i++) {
        sw += w[i];
        sd += w[i] * d[i];
        sp += w[i] * labels[i];
      }
      return sd / sw / entropy(sp / sw);
    };
  }
  const ones = new Float64Array(n).fill(1);
  const full = Array.from({ length: S }, (_, s) => diffOn(s, ones));
  if (!full.every(Number.isFinite)) throw new RangeError(`recforge: pairedBootstrap: the ${metric} difference is undefined on these rows (the labels need both classes)`);
  const next = mulberry32(hash2(opts.seed ?? 0, 0xb007));
  const w = new Float64Array(n);
  const perSeed = Array.from({ length: S }, () => new Float64Array(R));
  const rowsOnly = new Float64Array(R), twoLevel = new Float64Array(R);
  const d = new Float64Array(S);
  let r = 0, tries = 0;
  while (r < R) {
    // A replicate with one class only has no AUC / NE: drawn again (rare unless a class is tiny).
    if (++tries > 20 * R) throw new RangeError(`recforge: pairedBootstrap: resamples keep missing a class (${n} rows); too few positives or negatives`);
    bootstrapCounts(n, next, w);
    let ok = true, mean = 0;
    for (let s = 0; s < S && ok; s++) {
      d[s] = diffOn(s, w);
      ok = Number.isFinite(d[s]);
      mean += d[s] / S;
    }
    if (!ok) continue;
    let two = 0;
    for (let s = 0; s < S; s++) two += d[Math.floor(next() * S)] / S;
    for (let s = 0; s < S; s++) perSeed[s][r] = d[s];
    rowsOnly[r] = mean;
    twoLevel[r] = two;
    r++;
  }
  const lo = (1 - level) / 2, hi = 1 - lo;
  const ci = (xs: Float64Array): [number, number] => [quantile(xs, lo), quantile(xs, hi)];
  const mean = full.reduce((x, y) => x + y, 0) / S;
  const sd = S > 1 ? Math.sqrt(full.reduce((x, y) => x + (y - mean) ** 2, 0) / (S - 1)) : 0;
  let rm = 0;
  for (let i = 0; i < R; i++) rm += rowsOnly[i] / R;
  let rv = 0;
  for (let i = 0; i < R; i++) rv += (rowsOnly[i] - rm) ** 2 / (R - 1);
  const rowsCi = ci(rowsOnly);
  let interval = rowsCi;
  if (S > 1) {
    if (level !== 0.95) throw new RangeError(`recforge: pairedBootstrap: across seeds only level 0.95 is supported (t quantile table), got ${level}`);
    const h = tQuantile975(S - 1) * Math.sqrt((sd * sd) / S + rv);
    interval = [mean - h, mean + h];
  }
  return {
    metric,
    direction: metric === "auc" ? "higher_is_better" : "lower_is_better",
    level,
    replicates: R,
    rows: n,
    seeds: S,
    per_seed: full.map((diff, s) => ({ diff, ci: ci(perSeed[s]) })),
    mean,
    sd,
    t_interval: level === 0.95 ? tInterval95(full) : null,
    rows_interval: rowsCi,
    rows_sd: Math.sqrt(rv),
    two_level_interval: ci(twoLevel),
    interval,
    method:
      `paired bootstrap over the ${n} test rows (${R} replicates, resampling seed ${opts.seed ?? 0}; the rows shared by both models and every seed): per seed a percentile interval; ` +
      (S > 1 ? `across the ${S} seeds, the interval verdicts use is mean ± t(${S - 1})·√(sd²/${S} + v_rows) (training randomness from the spread over seeds, test-sample noise from the bootstrap)` : "one seed: the percentile interval is the one verdicts use"),
  };
}

/** The difference on the full data, as the plain float64 metrics compute it (used by tests and reports). */
export function plainDiff(metric: PairedMetric, a: Numbers, b: Numbers, labels: Numbers): number {
  return metric === "auc" ? plainAuc(a, labels) - plainAuc(b, labels) : plainNe(a, labels) - plainNe(b, labels);
}

// ---- verdicts: decided by an interval, never by a rounded mean --------------------------------

/** True iff the whole interval lies inside [−margin, +margin] (equivalence within the margin). */
export function insideMargin(ci: readonly [number, number], margin: number): boolean {
  if (!(margin >= 0)) throw new RangeError(`recforge: insideMargin: margin must be >= 0, got ${margin}`);
  return ci[0] >= -margin && ci[1] <= margin;
}

/** "A" when the interval of metric(A) − metric(B) excludes 0 on A's better side, "B" on B's, else null. */
export function betterByInterval(ci: readonly [number, number], direction: "higher_is_better" | "lower_is_better"): "A" | "B" | null {
  const aAbove = ci[0] > 0, aBelow = ci[1] < 0;
  if (direction === "higher_is_better") return aAbove ? "A" : aBelow ? "B" : null;
  return aBelow ? "A" : aAbove ? "B" : null;
}
