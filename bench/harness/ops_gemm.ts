// The GEMM rounds of `recforge bench ops` (issue 16 item 3): square float32 products C = A·B through
// the own kernels (gemmOwnF32), the library's cblas_sgemm called directly and, in the parent process,
// the dispatched gemm, alternated in one loop (load on a shared machine hits each alike), every side
// writing into its own preallocated C. The same loop runs in child processes with
// OPENBLAS_CORETYPE set (ops_gemm_child.ts), so "the best OpenBLAS core type" is measured beside the
// own kernels in each process; the inputs come from a seeded generator, the same in every process,
// and each process reports their checksum so the parent can check that every side multiplied the same
// matrices.
import { native } from "../native.js";
import { DType } from "../native_ops.generated.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../ops/index.js";
import { mulberry32 } from "../prng.js";
import { median, nowMs } from "./timing.js";

export interface GemmRound {
  n: number;
  /** Medians of the alternated runs, milliseconds. dispatched_ms is null where not asked for. */
  own_ms: number;
  blas_ms: number | null;
  dispatched_ms: number | null;
  runs: number;
  /** max |C_own − C_blas| / max |C_blas| (same inputs: the same product up to summation order). */
  own_vs_blas_rel_diff: number | null;
  dispatched_vs_blas_rel_diff: number | null;
  /** Sum of A and B's elements (float64): equal in every process when the inputs are the same. */
  input_checksum: number;
}

/** What one process measured: the library it had (and the core OpenBLAS reported) and its rounds. */
export interface GemmRounds {
  gemm_backend: string;
  /** OpenBLAS's core as it reported it ("Cooperlake", "Prescott"), null when not OpenBLAS. */
  blas_core: string | null;
  threads: number;
  rounds: GemmRound[];
}

/** The core name in gemmBackend()'s "openblas: <path> (<core>)", or null. */
export function blasCoreOf(backend: string): string | null {
  return /^openblas: .*\((\w+)\)$/.exec(backend)?.[1] ?? null;
}

function seeded(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < v.length; i++) v[i] = r() * 2 - 1;
  return v;
}

function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0, big = 0;
  for (let i = 0; i < x.length; i++) {
    m = Math.max(m, Math.abs(x[i] - y[i]));
    big = Math.max(big, Math.abs(y[i]));
  }
  return m / Math.max(big, 1e-30);
}

// Rounds per size. Small products get many: a 256³ call takes ~0.15 ms on two cores, and whether
// a pool worker is still awake decides ~30 µs of it, so a median of 20 single calls swung from run
// to run (dispatched / fastest 0.71–1.13 over nine runs of session 9 on the Xeon, all three sides
// alike); 200 rounds (~0.1 s of calls per side) gave 0.97–1.08 in three quiet runs (scratch).
export function gemmReps(n: number, quick: boolean): number {
  return n >= 2048 ? (quick ? 3 : 7) : n >= 1024 ? (quick ? 4 : 10) : n > 256 ? (quick ? 10 : 60) : quick ? 30 : 200;
}

/**
 * Runs the alternated loop for each size. `dispatched`: also time the dispatched gemm (parent only).
 * Stops a size early after `budgetMs` (at least 3 rounds).
 */
export function runGemmRounds(sizes: number[], opts: { quick: boolean; dispatched: boolean; budgetMs: number }): GemmRounds {
  const rounds: GemmRound[] = [];
  for (const n of sizes) {
    const av = seeded(n * n, 1000 + n), bv = seeded(n * n, 2000 + n);
    let checksum = 0;
    for (let i = 0; i < av.length; i++) checksum += av[i] + bv[i];
    const a = tensor(av, { shape: [n, n] }), b = tensor(bv, { shape: [n, n] });
    const cOwn = Tensor.empty([n, n]), cBlas = Tensor.empty([n, n]), cDisp = Tensor.empty([n, n]);
    const gemmArgs = { transA: false, transB: false, M: n, N: n, K: n, alpha: 1, a, lda: n, strideA: 0, b, ldb: n, strideB: 0, beta: 0, ldc: n, strideC: 0, batch: 1 };
    const own = () => native.gemmOwnF32({ ...gemmArgs, c: cOwn });
    const blas = () => native.cblasSgemm({ M: n, N: n, K: n, a, b, c: cBlas });
    const disp = () => native.gemm({ dtype: DType.F32, ...gemmArgs, c: cDisp });
    own();
    const hasBlas = blas();
    if (opts.dispatched) disp();
    const tOwn: number[] = [], tBlas: number[] = [], tDisp: number[] = [];
    const reps = gemmReps(n, opts.quick), t0 = nowMs();
    for (let r = 0; r < reps; r++) {
      let s = nowMs();
      own();
      tOwn.push(nowMs() - s);
      if (hasBlas) {
        s = nowMs();
        blas();
        tBlas.push(nowMs() - s);
      }
      if (opts.dispatched) {
        s = nowMs();
        disp();
        tDisp.push(nowMs() - s);
      }
      if (nowMs() - t0 > opts.budgetMs && r >= 2) break;
    }
    const co = cOwn.toTypedArray(), cb = cBlas.toTypedArray(), cd = cDisp.toTypedArray();
    rounds.push({
      n,
      own_ms: median(tOwn),
      blas_ms: hasBlas ? median(tBlas) : null,
      dispatched_ms: opts.dispatched ? median(tDisp) : null,
      runs: tOwn.length,
      own_vs_blas_rel_diff: hasBlas ? relDiff(co, cb) : null,
      dispatched_vs_blas_rel_diff: hasBlas && opts.dispatched ? relDiff(cd, cb) : null,
      input_checksum: checksum,
    });
    for (const t of [a, b, cOwn, cBlas, cDisp]) t.dispose();
  }
  const backend = native.gemmBackend();
  return { gemm_backend: backend, blas_core: blasCoreOf(backend), threads: native.getNumThreads(), rounds };
}
