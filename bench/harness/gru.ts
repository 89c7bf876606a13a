// `recforge bench gru`: the fused GRU (lib/ops/gru.ts: one native call forward, one backward
// through time) against recforge's own op-by-op GRU (lib/ops/gru_reference.ts: a GRU cell of
// generic ops per step, autograd through every op) and against PyTorch's CPU nn.GRU (the anchor
// script bench/cpu/gru_anchor.py, run in the same command with the same thread count), at the
// shapes of the sequential-recommendation specs (GatedLongRec, CTA, CompExp). Each timed step is
// forward + backward from an upstream gradient G on the output, with x, h0 and every weight
// requiring grad, float32. Runs alternate (fused, op-by-op, then a torch round) so that machine
// noise hits every side alike; medians over rounds.
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { Generator } from "../tensor/random.js";
import { randn, gru, gruReference, matmul, transpose, type GruOptions, type GruResult, type GruWeights } from "../ops/index.js";
import { backward } from "../autograd/engine.js";
import { uniformInit } from "../nn/init.js";
import { getNumThreads } from "../runtime.js";
import { startProvenance, type Provenance } from "../provenance.js";
import { benchProgress, log, median, nowMs } from "./timing.js";

export interface GruShape {
  B: number;
  T: number;
  in: number;
  H: number;
  bidirectional: boolean;
}

export interface GruBenchRow extends GruShape {
  spec: string;
  fused_ms: number;
  op_by_op_ms: number;
  /** op_by_op_ms / fused_ms */
  speedup: number;
  /** PyTorch nn.GRU forward + backward, null when the anchor could not run (see torch.reason). */
  torch_ms: number | null;
  /** torch_ms / fused_ms (> 1: the fused GRU is faster), null without torch. */
  torch_ratio: number | null;
  /** max |fused − op-by-op| over the forward output (they must agree before times mean anything). */
  max_abs_diff: number;
  /** GEMM work of one forward + backward, GFLOP (gruGemmFlops; the gate passes' few flops per element are not counted). */
  gflop: number;
  /** GFLOP/s of recforge's GEMM on the shape's dominant product (the input projection [B·T, in]·[in, 3H]), timed in the same rounds. */
  gemm_gflops: number;
  /** gflop at gemm_gflops: what forward + backward would take if every GEMM ran at that rate and nothing else cost time. */
  floor_ms: number;
  /** floor_ms / fused_ms: the fused GRU's share of that peak (1 = at the floor). */
  fused_fraction_of_peak: number;
  /** op_by_op_ms / floor_ms: the largest speed-up over the op-by-op GRU that any implementation at the floor could show. */
  speedup_at_floor: number;
}

export interface GruBenchResult {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, recforge threads) and load at start and end. */
  provenance: Provenance;
  note: string;
  rounds: number;
  /** calls per side per round (their median is the round's time) */
  reps_per_round: Record<string, number>;
  torch: { available: boolean; python: string | null; version: string | null; threads: number | null; env: Record<string, string>; reason: string | null };
  rows: GruBenchRow[];
}

export const GRU_BENCH_SHAPES: (GruShape & { spec: string })[] = [
  { spec: "GatedLongRec / GRU4Rec", B: 100, T: 30, in: 50, H: 50, bidirectional: false },
  { spec: "CTA context GRU", B: 100, T: 8, in: 500, H: 10, bidirectional: true },
  { spec: "CompExp encoder", B: 256, T: 25, in: 300, H: 300, bidirectional: true },
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ANCHOR = path.join(root, "bench", "cpu", "gru_anchor.py");

// Environment of the anchor: libgomp's default spin-waiting wrecks PyTorch on a machine whose cores
// are shared (measured here under load: nn.GRU B=100 T=30 H=50 took ~770 ms spinning vs ~30 ms
// passive), so the anchor gets OMP_WAIT_POLICY=PASSIVE unless the caller set it: the strongest
// PyTorch we can run here is the fair anchor.
export function anchorEnv(): Record<string, string> {
  return process.env.OMP_WAIT_POLICY ? {} : { OMP_WAIT_POLICY: "PASSIVE" };
}

/** A Python with torch: $RECFORGE_PYTHON, Debian's /usr/bin/python3 (python3-torch), then python3 on PATH. */
export function findTorchPython(): { python: string | null; reason: string | null } {
  const candidates = [process.env.RECFORGE_PYTHON, "/usr/bin/python3", "python3"].filter((c): c is string => !!c);
  const tried: string[] = [];
  for (const py of [...new Set(candidates)]) {
    const r = spawnSync(py, ["-c", "import torch"], { encoding: "utf8", timeout: 120_000 });
    if (r.status === 0) return { python: py, reason: null };
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr || "").trim().split("\n").pop()}`);
  }
  return { python: null, reason: `no Python with torch (install Debian's python3-torch: apt-get install -y python3-torch, or set RECFORGE_PYTHON); tried ${tried.join("; ")}` };
}

interface AnchorRound {
  version: string;
  threads: number;
  times: number[][]; // per shape
}

function runAnchor(python: string, shapes: GruShape[], threads: number, reps: number[]): AnchorRound {
  const args = [ANCHOR, "--threads", String(threads), "--warmup", "1", "--shapes", JSON.stringify(shapes.map((s, i) => ({ ...s, reps: reps[i] })))];
  const r = spawnSync(python, args, { encoding: "utf8", env: { ...process.env, ...anchorEnv() }, timeout: 600_000, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${path.relative(root, ANCHOR)} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || "").trim().split("\n").slice(-3).join(" | ")}`);
  const out = JSON.parse(r.stdout) as { torch: string; threads: number; rows: { times_ms: number[] }[] };
  return { version: out.torch, threads: out.threads, times: out.rows.map((row) => row.times_ms) };
}

function makeWeights(s: GruShape, gen: Generator): GruWeights {
  const D = s.bidirectional ? 2 : 1, H = s.H, bound = 1 / Math.sqrt(H);
  const p = (shape: number[]) => uniformInit(shape, bound, { generator: gen }).requiresGrad_();
  const w: GruWeights = { wIh: [], wHh: [], bIh: [], bHh: [] };
  for (let d = 0; d < D; d++) {
    w.wIh.push(p([3 * H, s.in]));
    w.wHh.push(p([3 * H, H]));
    w.bIh!.push(p([3 * H]));
    w.bHh!.push(p([3 * H]));
  }
  return w;
}

type GruFn = (x: Tensor, w: GruWeights, o: GruOptions) => GruResult;

/**
 * The GEMMs of one forward + backward of a one-layer GRU whose input requires grad, per direction
 * (as native/cpu/gru_kernels.h runs them; an op-by-op GRU multiplies the same products, step by step):
 * [M, N, K] and how many times each runs.
 */
export function gruGemms(s: GruShape): { name: string; M: number; N: number; K: number; count: number }[] {
  const BT = s.B * s.T, H3 = 3 * s.H;
  return [
    { name: "forward input projection X·W_ihᵀ (all steps)", M: BT, N: H3, K: s.in, count: 1 },
    { name: "forward recurrent h·W_hhᵀ (per step)", M: s.B, N: H3, K: s.H, count: s.T },
    { name: "backward carried dh += dgh·W_hh (per step)", M: s.B, N: s.H, K: H3, count: s.T },
    { name: "backward dW_ih = dgiᵀ·X", M: H3, N: s.in, K: BT, count: 1 },
    { name: "backward dW_hh = dghᵀ·h_prev", M: H3, N: s.H, K: BT, count: 1 },
    { name: "backward dx = dgi·W_ih", M: BT, N: s.in, K: H3, count: 1 },
  ];
}

/** FLOPs (2·M·N·K per product) of gruGemms over both directions: 18·D·B·T·H·(in + H). */
export function gruGemmFlops(s: GruShape): number {
  const D = s.bidirectional ? 2 : 1;
  return D * gruGemms(s).reduce((acc, g) => acc + 2 * g.M * g.N * g.K * g.count, 0);
}

export function benchGru(opts: { quick?: boolean; command?: string; torch?: boolean; shapes?: (GruShape & { spec?: string })[] } = {}): GruBenchResult {
  const quick = !!opts.quick;
  const done = startProvenance(opts.command);
  const rounds = quick ? 2 : 5;
  const threads = getNumThreads();
  const shapes = (opts.shapes ?? GRU_BENCH_SHAPES).map((s) => ({ spec: s.spec ?? "custom", B: s.B, T: s.T, in: s.in, H: s.H, bidirectional: s.bidirectional }));
  const found = opts.torch === false ? { python: null, reason: "skipped (--no-torch)" } : findTorchPython();
  const torch: GruBenchResult["torch"] = { available: !!found.python, python: found.python, version: null, threads: null, env: anchorEnv(), reason: found.reason };
  if (torch.reason) log(`bench gru: torch anchor skipped: ${torch.reason}`);

  const gen = new Generator(12);
  // Setup has its own bar: each shape checked against the reference, then warmed up and sized.
  benchProgress(0, 2 * shapes.length, "setup: check against the reference");
  const cases = shapes.map((s, si) => {
    const D = s.bidirectional ? 2 : 1;
    const w = makeWeights(s, gen);
    const x = randn([s.B, s.T, s.in], { generator: gen }).requiresGrad_();
    const h0 = randn([D, s.B, s.H], { generator: gen }).requiresGrad_();
    const G = randn([s.B, s.T, D * s.H], { generator: gen });
    const params = [x, h0, ...w.wIh, ...w.wHh, ...w.bIh!, ...w.bHh!];
    const step = (fn: GruFn) => () => {
      tidy(() => {
        const r = fn(x, w, { bidirectional: s.bidirectional, h0 });
        backward(r.output, G);
      });
      for (const p of params) p.zeroGrad();
    };
    const diff = tidy(() => {
      const a = gru(x, w, { bidirectional: s.bidirectional, h0 }).output.toTypedArray();
      const b = gruReference(x, w, { bidirectional: s.bidirectional, h0 }).output.toTypedArray();
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      return m;
    });
    // The floor's GEMM rate: the dominant product of the shape, [B·T, in]·[in, 3H] (W_ih read
    // transposed in place, as the fused kernel's input projection reads it), through the same
    // dispatch (gemm_f32) on operands that record no graph.
    const gx = randn([s.B * s.T, s.in], { generator: gen });
    const gw = randn([3 * s.H, s.in], { generator: gen });
    const gemm = () => tidy(() => void matmul(gx, transpose(gw)));
    benchProgress(si + 1, 2 * shapes.length, `setup: shape ${si + 1} checked`);
    return { s, params: [...params, gx, gw], G, fused: step(gru), ops: step(gruReference), gemm, diff, fusedMs: [] as number[], opsMs: [] as number[], gemmMs: [] as number[], torchMs: [] as number[] };
  });
  const time = (fn: () => void) => {
    const t0 = nowMs();
    fn();
    return nowMs() - t0;
  };
  // Each round times `reps` back-to-back calls per side (the median of them), enough for ~60 ms of
  // the faster side: single calls of a few ms are at the mercy of the other processes on a shared
  // machine. Every side gets the same count, the torch anchor too.
  const reps = cases.map((c, ci) => {
    c.fused(); // warm-up: first-call allocations, page faults
    c.ops();
    const est = Math.min(time(c.fused), time(c.ops));
    benchProgress(shapes.length + ci + 1, 2 * shapes.length, `setup: shape ${ci + 1} warmed up`);
    return Math.max(1, Math.min(15, Math.ceil(60 / Math.max(est, 0.1))));
  });
  const block = (fn: () => void, n: number) => median(Array.from({ length: n }, () => time(fn)));
  // The GEMM probe is ~1/12 of a forward + backward: reps for ~60 ms of it too.
  const gemmReps = cases.map((c) => {
    c.gemm();
    return Math.max(1, Math.min(15, Math.ceil(60 / Math.max(time(c.gemm), 0.1))));
  });
  benchProgress(0, rounds, "round 1");
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      if (r % 2 === 0) {
        c.fusedMs.push(block(c.fused, reps[i]));
        c.gemmMs.push(block(c.gemm, gemmReps[i]));
        c.opsMs.push(block(c.ops, reps[i]));
      } else {
        c.opsMs.push(block(c.ops, reps[i]));
        c.gemmMs.push(block(c.gemm, gemmReps[i]));
        c.fusedMs.push(block(c.fused, reps[i]));
      }
      // Within a round: the shapes (then the torch anchor, the rest of the round).
      const share = torch.python && torch.available ? 0.5 : 1;
      benchProgress(Math.round((r + (share * (i + 1)) / cases.length) * 100) / 100, rounds, `round ${r + 1}, shape ${i + 1}/${cases.length}`);
    });
    if (torch.python && torch.available) {
      try {
        const a = runAnchor(torch.python, shapes, threads, reps);
        torch.version = a.version;
        torch.threads = a.threads;
        a.times.forEach((ts, i) => cases[i].torchMs.push(median(ts)));
      } catch (e) {
        torch.available = false;
        torch.reason = (e as Error).message;
        log(`bench gru: torch anchor failed: ${torch.reason}`);
      }
    }
    log(`bench gru: round ${r + 1}/${rounds} done`);
    benchProgress(r + 1, rounds, `round ${r + 1}`);
  }
  const rows = cases.map((c): GruBenchRow => {
    const fused = median(c.fusedMs), ops = median(c.opsMs);
    const tm = torch.available && c.torchMs.length ? median(c.torchMs) : null;
    const flops = gruGemmFlops(c.s);
    const gemmGflops = (2 * c.s.B * c.s.T * c.s.in * 3 * c.s.H) / (median(c.gemmMs) * 1e6);
    const floor = flops / (gemmGflops * 1e6);
    const row: GruBenchRow = {
      spec: c.s.spec, B: c.s.B, T: c.s.T, in: c.s.in, H: c.s.H, bidirectional: c.s.bidirectional,
      fused_ms: round(fused, 3), op_by_op_ms: round(ops, 3), speedup: round(ops / fused, 2),
      torch_ms: tm === null ? null : round(tm, 3), torch_ratio: tm === null ? null : round(tm / fused, 2), max_abs_diff: c.diff,
      gflop: round(flops / 1e9, 6), gemm_gflops: round(gemmGflops, 2), floor_ms: round(floor, 3),
      fused_fraction_of_peak: round(floor / fused, 2), speedup_at_floor: round(ops / floor, 2),
    };
    log(`gru B=${row.B} T=${row.T} in=${row.in} H=${row.H}${row.bidirectional ? " bidirectional" : ""}: fused ${row.fused_ms} ms, op-by-op ${row.op_by_op_ms} ms (${row.speedup}x), torch ${row.torch_ms ?? "-"} ms (${row.torch_ratio ?? "-"}x), max |diff| ${c.diff.toExponential(1)}; ${row.gflop} GFLOP of GEMMs, GEMM ${row.gemm_gflops} GFLOP/s -> floor ${row.floor_ms} ms (fused at ${row.fused_fraction_of_peak} of it; op-by-op / floor = ${row.speedup_at_floor}x)`);
    for (const p of c.params) p.dispose();
    c.G.dispose();
    return row;
  });
  return {
    provenance: done(),
    note:
      "median wall ms of one forward + backward (upstream gradient on the output; x, h0 and all weights require grad), float32, CPU, " +
      `${threads} thread(s) for recforge and torch alike; op-by-op = lib/ops/gru_reference.ts (a GRU cell of generic ops per step); ` +
      "torch = nn.GRU via bench/cpu/gru_anchor.py (torch.set_num_threads to the same count); rounds alternate the three; " +
      "each round: median of reps_per_round back-to-back calls per side; reported: median over rounds; " +
      "floor: gflop = the GEMM work of forward + backward (gruGemms: 18·D·B·T·H·(in + H) FLOPs), gemm_gflops = recforge's GEMM " +
      "on the shape's input-projection product [B·T, in]·[in, 3H] timed in the same rounds (median), floor_ms = gflop / gemm_gflops, " +
      "fused_fraction_of_peak = floor_ms / fused_ms, speedup_at_floor = op_by_op_ms / floor_ms (the most any implementation at that GEMM rate could show)",
    rounds,
    reps_per_round: Object.fromEntries(shapes.map((s, i) => [`B=${s.B} T=${s.T} in=${s.in} H=${s.H}${s.bidirectional ? " bi" : ""}`, reps[i]])),
    torch,
    rows,
  };
}

function round(v: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
