// `recforge bench ops`: GEMM against a CBLAS sgemm called in the same process, memory-
// bound kernels in GB/s, and per-op overhead on tiny tensors.
import { native } from "../native.js";
import { Tensor } from "../tensor/tensor.js";
import { add, matmul, softmax, layerNorm, randn } from "../ops/index.js";
import { tidy } from "../tensor/scope.js";
import { startProvenance, type Provenance } from "../provenance.js";
import { benchProgress, log, median, nowMs, timeIt } from "./timing.js";

export interface OpsBenchResult {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, threads) and load at start and end. */
  provenance: Provenance;
  /** The OpenBLAS / recforge settings of the environment the numbers were measured under. */
  env: Record<string, string | null>;
  gemm_backend: string;
  /**
   * Per size: ours and the CBLAS baseline on the same A and B, alternated run by run. `ms` and
   * `baseline_ms` are the medians behind `gflops` (= 2n³ / ms) and `baseline_gflops`; `ratio` is
   * gflops / baseline_gflops, `runs` the number of alternated pairs, `baseline_rel_diff` max |ours − baseline|
   * over max |baseline| of C (same inputs, so the same product up to float32 summation order).
   */
  matmul: { n: number; ms: number; gflops: number; baseline: string | null; baseline_ms: number | null; baseline_gflops: number | null; ratio: number | null; runs: number; baseline_rel_diff: number | null; own_gflops: number | null; baseline_reason?: string }[];
  softmax: { rows: number; cols: number; gbps: number };
  layernorm: { rows: number; cols: number; gbps: number };
  overhead_us: number;
}

export function benchOps(opts: { quick?: boolean; command?: string } = {}): OpsBenchResult {
  const quick = !!opts.quick;
  const done = startProvenance(opts.command);
  const sizes = [256, 512, 1024, 2048];
  const matmulRes: OpsBenchResult["matmul"] = [];
  const hasCblas = typeof native.cblasSgemm === "function";
  for (const n of sizes) {
    const reps = n >= 2048 ? (quick ? 3 : 5) : quick ? 5 : 10;
    const flops = 2 * n * n * n;
    const a = randn([n, n]), b = randn([n, n]);
    // Ours and the baseline alternate run by run, so load changes on a shared machine hit
    // both sides alike; each side reports its median.
    const c = Tensor.empty([n, n]);
    const oursRun = () => matmul(a, b).dispose();
    const baseRun = hasCblas ? () => native.cblasSgemm({ M: n, N: n, K: n, a, b, c }) : null;
    let reason: string | undefined;
    let useBase = false;
    if (baseRun) {
      useBase = !!baseRun();
      if (!useBase) reason = "no CBLAS library could be loaded (install libopenblas0-pthread or set RECFORGE_BLAS=<path>)";
    } else reason = "this build has no CBLAS baseline binding";
    oursRun();
    const oursT: number[] = [], baseT: number[] = [];
    const budget = quick ? 4000 : 20000, t0 = nowMs();
    for (let r = 0; r < reps; r++) {
      let s = nowMs();
      oursRun();
      oursT.push(nowMs() - s);
      if (useBase) {
        s = nowMs();
        baseRun!();
        baseT.push(nowMs() - s);
      }
      if (nowMs() - t0 > budget && r >= 2) break;
    }
    // Same inputs, same answer: the baseline's C against ours (relative to the largest |C|), so a
    // ratio never compares different work.
    let baseDiff: number | null = null;
    if (useBase) {
      const mine = matmul(a, b);
      const x = mine.toTypedArray(), y = c.toTypedArray();
      let m = 0, big = 0;
      for (let i = 0; i < x.length; i++) {
        m = Math.max(m, Math.abs(x[i] - y[i]));
        big = Math.max(big, Math.abs(y[i]));
      }
      baseDiff = m / Math.max(big, 1e-30);
      mine.dispose();
    }
    c.dispose();
    const ours = median(oursT);
    const baseMs: number | null = useBase ? median(baseT) : null;
    let ownMs: number | null = null;
    if (typeof native.gemmOwnF32 === "function") {
      const c = Tensor.empty([n, n]);
      ownMs = timeIt(() => native.gemmOwnF32({ transA: false, transB: false, M: n, N: n, K: n, alpha: 1, a, lda: n, strideA: 0, b, ldb: n, strideB: 0, beta: 0, c, ldc: n, strideC: 0, batch: 1 }), { reps, warmup: 1, budgetMs: quick ? 3000 : 15000 });
      c.dispose();
    }
    a.dispose();
    b.dispose();
    const gflops = flops / (ours * 1e6);
    const baseG = baseMs ? flops / (baseMs * 1e6) : null;
    matmulRes.push({
      n, ms: round(ours, 4), gflops: round(gflops), baseline: baseMs ? "cblas_sgemm (" + native.gemmBackend() + ")" : null, baseline_ms: baseMs ? round(baseMs, 4) : null,
      baseline_gflops: baseG ? round(baseG) : null, ratio: baseG ? round(gflops / baseG, 3) : null, runs: oursT.length, baseline_rel_diff: baseDiff, own_gflops: ownMs ? round(flops / (ownMs * 1e6)) : null, ...(reason ? { baseline_reason: reason } : {}),
    });
    log(`matmul n=${n}: ${gflops.toFixed(1)} GFLOP/s` + (baseG ? `, baseline ${baseG.toFixed(1)} (ratio ${(gflops / baseG).toFixed(2)})` : `, no baseline`));
    benchProgress(sizes.indexOf(n) + 1, sizes.length, `matmul n=${n}`);
  }
  // Memory-bound kernels: bytes read + written per call.
  const rows = 4096, cols = quick ? 1024 : 2048;
  const x = randn([rows, cols]);
  const bytes = 2 * rows * cols * 4;
  const smMs = timeIt(() => softmax(x).dispose(), { reps: quick ? 5 : 15, warmup: 2 });
  const w = randn([cols]), bb = randn([cols]);
  const lnMs = timeIt(() => layerNorm(x, w, bb).dispose(), { reps: quick ? 5 : 15, warmup: 2 });
  x.dispose();
  w.dispose();
  bb.dispose();
  // Per-op overhead: a tiny add, allocation and disposal included.
  const p = randn([4]), q = randn([4]);
  const iters = quick ? 20000 : 100000;
  for (let i = 0; i < 2000; i++) add(p, q).dispose();
  const t0 = nowMs();
  for (let i = 0; i < iters; i++) add(p, q).dispose();
  const overhead = ((nowMs() - t0) * 1000) / iters;
  p.dispose();
  q.dispose();
  const env = (k: string) => process.env[k] ?? null;
  return {
    provenance: done(),
    env: { OPENBLAS_CORETYPE: env("OPENBLAS_CORETYPE"), OPENBLAS_L2_SIZE: env("OPENBLAS_L2_SIZE"), RECFORGE_BLAS: env("RECFORGE_BLAS"), RECFORGE_NUM_THREADS: env("RECFORGE_NUM_THREADS") },
    gemm_backend: native.gemmBackend(),
    matmul: matmulRes,
    softmax: { rows, cols, gbps: round(bytes / (smMs * 1e6), 2) },
    layernorm: { rows, cols, gbps: round(bytes / (lnMs * 1e6), 2) },
    overhead_us: round(overhead, 2),
  };
}

function round(v: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

export { tidy };
