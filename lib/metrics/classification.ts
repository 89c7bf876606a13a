// Offline metrics of binary predictions: ROC AUC and normalized entropy (NE), computed in
// float64 over plain arrays (evaluation sets here fit in memory).
//
// NE (He et al., "Practical lessons from predicting clicks on ads at Facebook", 2014):
//   NE = [-(1/N) Σ (y log p + (1-y) log(1-p))] / [-(p̄ log p̄ + (1-p̄) log(1-p̄))]
// with p̄ the mean label of the evaluated data. Lower is better; 1 = no better than
// predicting the base rate. Probabilities are clipped to [1e-15, 1 - 1e-15] so a confident
// mistake costs a large but finite amount (as sklearn's log_loss).
export type Numbers = ArrayLike<number>;

const EPS = 1e-15;

function checkPair(scores: Numbers, labels: Numbers, what: string): void {
  if (scores.length !== labels.length)
    throw new RangeError(`recforge: ${what}: ${scores.length} predictions but ${labels.length} labels`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`recforge: ${what}: labels must be 0 or 1, got ${y} at ${i}`);
  }
}

/**
 * ROC AUC = P(score of a random positive > score of a random negative), ties counting
 * one half (the Mann-Whitney statistic with average ranks). NaN when one class is absent.
 */
export function auc(scores: Numbers, labels: Numbers): number {
  checkPair(scores, labels, "auc");
  const n = scores.length;
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new RangeError(`recforge: auc: score ${i} is NaN`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let pos = 0, rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j + 2) / 2; // 1-based ranks i+1..j+1
    for (let k = i; k <= j; k++)
      if (labels[order[k]] === 1) {
        pos++;
        rankSumPos += avgRank;
      }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Mean binary cross-entropy of probabilities (clipped to [1e-15, 1-1e-15]). */
export function logLoss(probs: Numbers, labels: Numbers): number {
  checkPair(probs, labels, "logLoss");
  const n = probs.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probs[i], EPS), 1 - EPS);
    if (Number.isNaN(p)) throw new RangeError(`recforge: logLoss: probability ${i} is NaN`);
    s -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / n;
}

/** Normalized entropy (see the file comment). NaN when the data has a single class (entropy 0). */
export function normalizedEntropy(probs: Numbers, labels: Numbers): number {
  const ll = logLoss(probs, labels);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  const pbar = pos / labels.length;
  if (!(pbar > 0 && pbar < 1)) return NaN;
  const h = -(pbar * Math.log(pbar) + (1 - pbar) * Math.log(1 - pbar));
  return ll / h;
}

/** Mean squared error (regression tasks). */
export function meanSquaredError(preds: Numbers, targets: Numbers): number {
  if (preds.length !== targets.length) throw new RangeError(`recforge: meanSquaredError: ${preds.length} predictions but ${targets.length} targets`);
  let s = 0;
  for (let i = 0; i < preds.length; i++) s += (preds[i] - targets[i]) ** 2;
  return preds.length ? s / preds.length : NaN;
}

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}
