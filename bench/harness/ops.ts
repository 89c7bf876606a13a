// `recforge bench ops` (issue 16 item 3): what a user's GEMM and memory-bound kernels run at, against
// what the machine can do.
// - GEMM: the own kernels alternated with the library's cblas_sgemm in one loop, each writing into a
//   preallocated C (ops_gemm.ts), against the library's default core and against the best OpenBLAS core
//   type for this CPU (OPENBLAS_CORETYPE set only in a child process per core type, which runs the same
//   loop on the same inputs); the dispatched gemm (what ops run) is timed in the parent's loop and
//   reported separately.
// - softmax / layernorm in GB/s against the machine's memory bandwidth measured in the same run
//   (STREAM-like scale-copy and triad, alternated with them, all on preallocated buffers larger than the
//   last-level cache).
// - per-op overhead on tiny tensors.
// Speed is never asserted by tests: test/package/cli.test.js checks that the ratios are their parts,
// the inputs the same and the fields present.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { native } from "../native.js";
import { DType, UnaryOp } from "../native_ops.generated.js";
import { Tensor } from "../tensor/tensor.js";
import { add, randn } from "../ops/index.js";
import { tidy } from "../tensor/scope.js";
import { startProvenance, type Provenance } from "../provenance.js";
import { blasCoreOf, runGemmRounds, type GemmRounds } from "./ops_gemm.js";
import { benchProgress, log, median, nowMs } from "./timing.js";

/** One library configuration measured beside the own kernels in the same loop (same process). */
export interface CoreMeasurement {
  /** "default" (the parent process, the core OpenBLAS picked) or the OPENBLAS_CORETYPE given to the child. */
  requested: string;
  /** The core the library reported running (a requested core it ignored is excluded from "best"). */
  reported: string | null;
  own_gflops: number;
  blas_gflops: number | null;
  /** own_gflops / blas_gflops, both from this loop. */
  own_vs_blas: number | null;
  runs: number;
  own_vs_blas_rel_diff: number | null;
}

export interface MatmulRow {
  n: number;
  /** The own kernels (parent process, alternated with the default library and the dispatched gemm). */
  own_gflops: number;
  /** cblas_sgemm with the core OpenBLAS picked itself (parent process, same loop). */
  blas_default_gflops: number | null;
  /** The fastest library configuration over by_core (default included). */
  blas_best_gflops: number | null;
  blas_best_core: string | null;
  /** The dispatched gemm (what matmul / linear run), same loop as own and default. */
  dispatched_gflops: number;
  /** own_gflops / blas_default_gflops. */
  own_vs_blas_default: number | null;
  /** own / library in the loop that measured the best configuration (by_core[best].own_vs_blas). */
  own_vs_blas_best: number | null;
  dispatched_vs_blas_best: number | null;
  ms: { own: number; blas_default: number | null; dispatched: number };
  runs: number;
  own_vs_blas_rel_diff: number | null;
  dispatched_vs_blas_rel_diff: number | null;
  by_core: CoreMeasurement[];
}

export interface OpsBenchResult {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, threads) and load at start and end. */
  provenance: Provenance;
  /** cpu: model; isa: the own kernels' instruction set; blas_core: the core OpenBLAS picked itself (or the library name). */
  machine: { cpu: string; isa: string; cpu_flags: string; blas_core: string; gemm_dispatch: string; threads: number };
  /** The OpenBLAS / recforge settings of the environment the numbers were measured under. */
  env: Record<string, string | null>;
  gemm_backend: string;
  /** Core types tried in child processes, and why each other one was not. */
  blas_core_types: { tried: string[]; skipped: string[]; errors: string[] };
  matmul: MatmulRow[];
  memory: { elements: number; bytes_per_array: number; copy_gbps: number; triad_gbps: number; runs: number; note: string };
  softmax: { rows: number; cols: number; ms: number; gbps: number; of_copy_bandwidth: number };
  layernorm: { rows: number; cols: number; ms: number; gbps: number; of_copy_bandwidth: number };
  overhead_us: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHILD = path.join(root, "dist", "bench", "ops_gemm_child.js");

/**
 * OpenBLAS core types worth trying on this CPU (ones whose instructions it has): the AVX-512 sets where
 * it has AVX-512 (Cooperlake also needs bf16, SapphireRapids AMX), Haswell (AVX2) and Zen on AMD, and
 * Prescott, the generic fallback an OpenBLAS that does not know the CPU runs.
 */
export function plausibleCoreTypes(): { tried: string[]; skipped: string[] } {
  let info = "";
  try {
    info = fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return { tried: [], skipped: ["all: /proc/cpuinfo unreadable"] };
  }
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "").split(/\s+/));
  const amd = /AuthenticAMD/.test(info);
  const want: [string, boolean, string][] = [
    ["SapphireRapids", flags.has("amx_tile") && flags.has("avx512_bf16"), "needs AMX and avx512_bf16"],
    ["Cooperlake", flags.has("avx512_bf16") && flags.has("avx512f"), "needs avx512_bf16"],
    ["SkylakeX", flags.has("avx512f") && flags.has("avx512bw") && flags.has("avx512vl"), "needs avx512f/bw/vl"],
    ["Zen", amd && flags.has("avx2") && flags.has("fma"), "AMD with AVX2 only"],
    ["Haswell", flags.has("avx2") && flags.has("fma"), "needs avx2 and fma"],
    ["Prescott", flags.has("sse3") || flags.has("pni"), "needs sse3"],
  ];
  return { tried: want.filter((w) => w[1]).map((w) => w[0]), skipped: want.filter((w) => !w[1]).map((w) => `${w[0]} (${w[2]})`) };
}

const gflops = (n: number, ms: number | null): number | null => (ms ? round((2 * n ** 3) / (ms * 1e6)) : null);
const ratio = (x: number | null, y: number | null): number | null => (x !== null && y ? round(x / y, 3) : null);

function coreMeasurement(requested: string, r: GemmRounds, i: number): CoreMeasurement {
  const row = r.rounds[i];
  const own = gflops(row.n, row.own_ms)!, blas = gflops(row.n, row.blas_ms);
  return { requested, reported: r.blas_core, own_gflops: own, blas_gflops: blas, own_vs_blas: ratio(own, blas), runs: row.runs, own_vs_blas_rel_diff: row.own_vs_blas_rel_diff };
}

export function benchOps(opts: { quick?: boolean; command?: string } = {}): OpsBenchResult {
  const quick = !!opts.quick;
  const done = startProvenance(opts.command);
  const sizes = [256, 512, 1024, 2048];
  const budgetMs = quick ? 4000 : 20000;

  // Progress units: the GEMM loop here, one per OpenBLAS core type's child, memory, per-op overhead.
  const cores0 = plausibleCoreTypes().tried.length;
  const units = 3 + cores0;
  benchProgress(0, units, "matmul (this process)");
  // GEMM in this process: own, the default library and the dispatched gemm, alternated.
  const parent = runGemmRounds(sizes, { quick, dispatched: true, budgetMs });
  benchProgress(1, units, "matmul (this process)");
  // The same loop per OpenBLAS core type, each in its own process (only when the library is OpenBLAS).
  const cores = plausibleCoreTypes();
  const children: { core: string; r: GemmRounds }[] = [];
  const errors: string[] = [];
  if (parent.blas_core === null) {
    // OPENBLAS_CORETYPE means nothing to another library (or to none).
    cores.skipped.push(...cores.tried.map((c) => `${c} (the library is not OpenBLAS: ${parent.gemm_backend})`));
    cores.tried = [];
  }
  for (const core of cores.tried) {
    const c = spawnSync(process.execPath, [CHILD, JSON.stringify({ sizes, quick, budgetMs })], {
      encoding: "utf8",
      env: { ...process.env, OPENBLAS_CORETYPE: core, RECFORGE_NUM_THREADS: String(parent.threads) },
      timeout: quick ? 300_000 : 1_200_000,
      maxBuffer: 1 << 20,
    });
    if (c.status !== 0) {
      errors.push(`${core}: ${c.error?.message ?? `exit ${c.status}`} ${(c.stderr || "").trim().split("\n").slice(-2).join(" | ")}`);
      continue;
    }
    benchProgress(2 + cores.tried.indexOf(core), units, `matmul OPENBLAS_CORETYPE=${core}`);
    const r = JSON.parse(c.stdout.trim().split("\n").pop()!) as GemmRounds;
    children.push({ core, r });
    log(`OPENBLAS_CORETYPE=${core} (reported ${r.blas_core}): ` + r.rounds.map((x) => `n=${x.n} own ${gflops(x.n, x.own_ms)} blas ${gflops(x.n, x.blas_ms)}`).join(", "));
  }

  const matmul: MatmulRow[] = parent.rounds.map((row, i) => {
    const byCore = [coreMeasurement("default", parent, i), ...children.map((ch) => coreMeasurement(ch.core, ch.r, i))];
    // Every process multiplied the same matrices (seeded inputs; checked, not assumed).
    for (const ch of children)
      if (ch.r.rounds[i].input_checksum !== row.input_checksum) throw new Error(`bench ops: OPENBLAS_CORETYPE=${ch.core} child multiplied different inputs at n=${row.n}`);
    // A requested core the library did not run (it ignored OPENBLAS_CORETYPE) does not count as that core.
    const honoured = byCore.filter((m) => m.requested === "default" || m.reported?.toLowerCase() === m.requested.toLowerCase());
    let best: CoreMeasurement | null = null;
    for (const m of honoured) if (m.blas_gflops !== null && (best === null || m.blas_gflops > best.blas_gflops!)) best = m;
    const own = byCore[0].own_gflops, def = byCore[0].blas_gflops, disp = gflops(row.n, row.dispatched_ms)!;
    return {
      n: row.n,
      own_gflops: own,
      blas_default_gflops: def,
      blas_best_gflops: best?.blas_gflops ?? null,
      blas_best_core: best ? (best.requested === "default" ? `default (${best.reported ?? parent.gemm_backend})` : best.requested) : null,
      dispatched_gflops: disp,
      own_vs_blas_default: ratio(own, def),
      own_vs_blas_best: best?.own_vs_blas ?? null,
      dispatched_vs_blas_best: ratio(disp, best?.blas_gflops ?? null),
      ms: { own: round(row.own_ms, 4), blas_default: row.blas_ms === null ? null : round(row.blas_ms, 4), dispatched: round(row.dispatched_ms!, 4) },
      runs: row.runs,
      own_vs_blas_rel_diff: row.own_vs_blas_rel_diff,
      dispatched_vs_blas_rel_diff: row.dispatched_vs_blas_rel_diff,
      by_core: byCore,
    };
  });
  for (const m of matmul)
    log(`matmul n=${m.n}: own ${m.own_gflops}, dispatched ${m.dispatched_gflops}, blas default ${m.blas_default_gflops}, best ${m.blas_best_gflops} (${m.blas_best_core}) GFLOP/s`);

  const mem = benchMemory(quick);
  benchProgress(units - 1, units, "memory bandwidth, softmax, layernorm");
  // Per-op overhead: a tiny add, allocation and disposal included.
  const p = randn([4]), q = randn([4]);
  const iters = quick ? 20000 : 100000;
  for (let i = 0; i < 2000; i++) add(p, q).dispose();
  const t0 = nowMs();
  for (let i = 0; i < iters; i++) add(p, q).dispose();
  const overhead = ((nowMs() - t0) * 1000) / iters;
  benchProgress(units, units, "per-op overhead");
  p.dispose();
  q.dispose();
  const env = (k: string) => process.env[k] ?? null;
  const prov = done();
  return {
    provenance: prov,
    machine: { cpu: prov.machine.cpu, isa: prov.machine.kernel_isa, cpu_flags: prov.machine.isa, blas_core: blasCoreOf(parent.gemm_backend) ?? parent.gemm_backend, gemm_dispatch: native.gemmDispatch(), threads: parent.threads },
    env: { OPENBLAS_CORETYPE: env("OPENBLAS_CORETYPE"), OPENBLAS_L2_SIZE: env("OPENBLAS_L2_SIZE"), OPENBLAS_NUM_THREADS: env("OPENBLAS_NUM_THREADS"), RECFORGE_BLAS: env("RECFORGE_BLAS"), RECFORGE_NUM_THREADS: env("RECFORGE_NUM_THREADS"), RECFORGE_CPU_ISA: env("RECFORGE_CPU_ISA") },
    gemm_backend: parent.gemm_backend,
    blas_core_types: { tried: cores.tried, skipped: cores.skipped, errors },
    matmul,
    ...mem,
    overhead_us: round(overhead, 2),
  };
}

/**
 * Memory bandwidth and the memory-bound kernels, alternated in one loop on preallocated buffers of
 * 4× the last-level cache or more: scale-copy y = −x (unary Neg: one read, one write per element, the
 * traffic of softmax and layernorm over rows that fit in L1) and triad z = x + 3y (axpby: two reads, one
 * write). GB/s counts the bytes the program reads and writes (as STREAM does, not write-allocate traffic).
 */
function benchMemory(quick: boolean): Pick<OpsBenchResult, "memory" | "softmax" | "layernorm"> {
  const rows = quick ? 4096 : 8192, cols = 2048, n = rows * cols; // 32 MiB (quick) / 64 MiB per array
  const x = randn([rows, cols]), y = randn([rows, cols]), z = Tensor.empty([rows, cols]);
  const w = randn([cols]), b = randn([cols]), mean = Tensor.empty([rows]), rstd = Tensor.empty([rows]);
  const F = DType.F32;
  const copy = () => native.unary({ dtype: F, op: UnaryOp.Neg, n, x, out: z, a: 0, b: 0 });
  const triad = () => native.axpby({ dtype: F, n, x, s: 1, y, t: 3, out: z });
  const sm = () => native.softmax({ dtype: F, rows, n: cols, log: false, x, out: z });
  const ln = () => native.norm({ dtype: F, rms: false, rows, n: cols, eps: 1e-5, x, weight: w, bias: b, out: z, mean, rstd });
  const fns = [copy, triad, sm, ln];
  const t: number[][] = fns.map(() => []);
  for (const f of fns) f();
  const reps = quick ? 5 : 15;
  for (let r = 0; r < reps; r++)
    fns.forEach((f, i) => {
      const s = nowMs();
      f();
      t[i].push(nowMs() - s);
    });
  for (const v of [x, y, z, w, b, mean, rstd]) v.dispose();
  const [copyMs, triadMs, smMs, lnMs] = t.map(median);
  const bytes = 4 * n;
  const copyG = (2 * bytes) / (copyMs * 1e6), triadG = (3 * bytes) / (triadMs * 1e6);
  const smG = (2 * bytes) / (smMs * 1e6), lnG = (2 * bytes) / (lnMs * 1e6);
  log(`memory: copy ${copyG.toFixed(1)} GB/s, triad ${triadG.toFixed(1)}, softmax ${smG.toFixed(1)}, layernorm ${lnG.toFixed(1)}`);
  return {
    memory: { elements: n, bytes_per_array: bytes, copy_gbps: round(copyG, 2), triad_gbps: round(triadG, 2), runs: reps, note: "scale-copy y = -x and triad z = x + 3y over float32 arrays, all threads, alternated with softmax / layernorm on the same buffers; GB/s = bytes read + written / time" },
    softmax: { rows, cols, ms: round(smMs, 4), gbps: round(smG, 2), of_copy_bandwidth: round(smG / copyG, 3) },
    layernorm: { rows, cols, ms: round(lnMs, 4), gbps: round(lnG, 2), of_copy_bandwidth: round(lnG / copyG, 3) },
  };
}

function round(v: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

export { tidy };
