// Timing helpers for benchmarks: warm-up, repeated runs, medians (machines here are
// shared and noisy, so medians of several runs, and ratios measured side by side).
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median milliseconds of fn over `reps` runs after `warmup` runs; stops early past budgetMs. */
export function timeIt(fn: () => void, opts: { reps?: number; warmup?: number; budgetMs?: number } = {}): number {
  const reps = opts.reps ?? 5, warmup = opts.warmup ?? 1, budget = opts.budgetMs ?? Infinity;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = nowMs();
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    fn();
    times.push(nowMs() - t0);
    if (nowMs() - start > budget && times.length >= 3) break;
  }
  return median(times);
}

export function log(msg: string): void {
  process.stderr.write(msg + "\n");
}

/**
 * Progress of a benchmark in its own units (training runs, stages, shapes): `done` of `total`
 * finished, `what` the one just finished. The CLI draws a bar with an ETA from these reports
 * (setBenchProgress); without a listener they cost nothing. A harness whose total changes (a new
 * phase) just reports the new total.
 */
export type BenchProgress = (done: number, total: number, what: string) => void;
let progressSink: BenchProgress | null = null;

export function setBenchProgress(sink: BenchProgress | null): void {
  progressSink = sink;
}

export function benchProgress(done: number, total: number, what: string): void {
  progressSink?.(done, total, what);
}
