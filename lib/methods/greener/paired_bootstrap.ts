// Per-pair metrics of an explanation run and a paired bootstrap over the test (user, item) pairs
// for GREENer's BLEU-4 and ROUGE-L differences (bench greener-fair, fair.ts).
//
// BLEU-4 is a CORPUS statistic (lib/text/bleu.ts): it is not a mean of per-pair scores, so each
// pair keeps its sufficient statistics (clipped n-gram matches and totals per order, hypothesis
// and closest-reference lengths) and a resample's BLEU-4 is computed from their weighted sums.
// ROUGE-L is the mean of per-pair F1. A resample draws n pairs with replacement (multinomial
// weights w_i); the SAME draw is applied to every method compared, which is what makes it
// paired. The difference is mean over seeds of the method's metric − the baseline's (the seeds'
// spread is reported separately as sd; the interval is over pairs). 95% percentile interval.
// Kept local to GREENer (lib/metrics has the AUC/NE bootstrap of other methods).
import { bleuFromStats, bleuSegmentStats } from "../../text/bleu.js";
import { rougeL } from "../../text/rouge.js";
import { mulberry32 } from "../../prng.js";

/** Per-pair statistics of one method on one list of pairs (columnar, pair i at i). */
export interface PairMetrics {
  n: number;
  /** clipped matches, [n × 4] (orders 1..4) */
  num: Float64Array;
  /** n-gram totals max(1, count), [n × 4] */
  den: Float64Array;
  hypLen: Float64Array;
  refLen: Float64Array;
  rougeL: Float64Array;
}

export function emptyPairMetrics(n: number): PairMetrics {
  return { n, num: new Float64Array(n * 4), den: new Float64Array(n * 4), hypLen: new Float64Array(n), refLen: new Float64Array(n), rougeL: new Float64Array(n) };
}

/** Fills pair i from the hypothesis and reference token lists (one reference: the review). */
export function setPair(m: PairMetrics, i: number, reference: readonly string[], hypothesis: readonly string[]): void {
  if (!(i >= 0 && i < m.n)) throw new RangeError(`setPair: index ${i} outside 0..${m.n - 1}`);
  const st = bleuSegmentStats([reference], hypothesis, 4);
  for (let k = 0; k < 4; k++) {
    m.num[i * 4 + k] = st.num[k];
    m.den[i * 4 + k] = st.den[k];
  }
  m.hypLen[i] = st.hypLen;
  m.refLen[i] = st.refLen;
  m.rougeL[i] = rougeL(reference, hypothesis).f1;
}

/** Corpus BLEU-4 (no smoothing, as evaluate.ts) of the pairs weighted by w (default all 1). */
export function bleu4Of(m: PairMetrics, w?: ArrayLike<number>): number {
  const num = [0, 0, 0, 0], den = [0, 0, 0, 0];
  let hyp = 0, ref = 0;
  for (let i = 0; i < m.n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    for (let k = 0; k < 4; k++) {
      num[k] += wi * m.num[i * 4 + k];
      den[k] += wi * m.den[i * 4 + k];
    }
    hyp += wi * m.hypLen[i];
    ref += wi * m.refLen[i];
  }
  return bleuFromStats({ num, den, hypLen: hyp, refLen: ref }, 4, { smoothing: "none" });
}

/** Mean ROUGE-L F1 of the pairs weighted by w (default all 1). */
export function rougeLOf(m: PairMetrics, w?: ArrayLike<number>): number {
  let s = 0, t = 0;
  for (let i = 0; i < m.n; i++) {
    const wi = w ? w[i] : 1;
    s += wi * m.rougeL[i];
    t += wi;
  }
  return t > 0 ? s / t : 0;
}

export interface DiffInterval {
  /** mean over the method's runs − the baseline's mean, on all pairs */
  diff: number;
  /** 95% percentile interval of the difference over pair resamples */
  lo: number;
  hi: number;
  /** "better" when lo > 0, "worse" when hi < 0, else "tie" (the interval spans 0) */
  verdict: "better" | "worse" | "tie";
}

export interface BootstrapOptions {
  /** resamples (default 1000) */
  resamples?: number;
  seed?: number;
  /** two-sided level (default 0.95) */
  level?: number;
}

/** Multinomial resample weights of n items (n draws with replacement). */
export function resampleWeights(n: number, rand: () => number, into = new Float64Array(n)): Float64Array {
  into.fill(0);
  for (let d = 0; d < n; d++) into[Math.floor(rand() * n)]++;
  return into;
}

/** q-quantile of sorted xs (linear interpolation, numpy's default). */
export function quantileSorted(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new RangeError("quantileSorted: no values");
  const h = (xs.length - 1) * q, lo = Math.floor(h), hi = Math.ceil(h);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

/**
 * Paired bootstrap of (mean over `method` runs) − (mean over `baseline` runs) for BLEU-4 and
 * ROUGE-L; every run must cover the same pairs in the same order.
 */
export function pairedBootstrap(method: readonly PairMetrics[], baseline: readonly PairMetrics[], opts: BootstrapOptions = {}): { bleu4: DiffInterval; rougeL: DiffInterval; resamples: number; pairs: number } {
  if (method.length === 0 || baseline.length === 0) throw new RangeError("pairedBootstrap: needs at least one run on each side");
  const n = method[0].n;
  for (const m of [...method, ...baseline]) if (m.n !== n) throw new RangeError(`pairedBootstrap: runs cover ${m.n} and ${n} pairs; they must be the same pairs`);
  if (n === 0) throw new RangeError("pairedBootstrap: no pairs");
  const B = opts.resamples ?? 1000, level = opts.level ?? 0.95;
  if (!(Number.isInteger(B) && B >= 10)) throw new RangeError(`pairedBootstrap: resamples must be an integer >= 10, got ${B}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`pairedBootstrap: level must be in (0, 1), got ${level}`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const diffOf = (w?: Float64Array) => ({
    bleu4: mean(method.map((m) => bleu4Of(m, w))) - mean(baseline.map((m) => bleu4Of(m, w))),
    rougeL: mean(method.map((m) => rougeLOf(m, w))) - mean(baseline.map((m) => rougeLOf(m, w))),
  });
  const point = diffOf();
  const rand = mulberry32(((opts.seed ?? 0) * 0x9e3779b1 + 0x5bd1e995) >>> 0);
  const bs = new Float64Array(B), rs = new Float64Array(B), w = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    resampleWeights(n, rand, w);
    const d = diffOf(w);
    bs[b] = d.bleu4;
    rs[b] = d.rougeL;
  }
  bs.sort();
  rs.sort();
  const a = (1 - level) / 2;
  const interval = (diff: number, sorted: Float64Array): DiffInterval => {
    const lo = quantileSorted(sorted, a), hi = quantileSorted(sorted, 1 - a);
    return { diff, lo, hi, verdict: lo > 0 ? "better" : hi < 0 ? "worse" : "tie" };
  };
  return { bleu4: interval(point.bleu4, bs), rougeL: interval(point.rougeL, rs), resamples: B, pairs: n };
}
