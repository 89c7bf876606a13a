// `recforge bench dti`, kernel part: the fused interval-attention kernel (forward + backward)
// against dense masked attention computing the same result, on packed DTI prompts.
//
// Layout: DTI prompts built by the real prompt builder (contextReach "window", positions
// "window-relative", no prefix) over items of 12 tokens, so c = 13 tokens per context
// interaction (12 + the label word) and t = 12 per target (+ [SUM]) — the dti.md cost-model
// example's sizes. Prompts are packed into one row of at least `rowTokens` tokens. H = 4 heads
// of dimension D = 64, float32, RoPE-free (the kernel's cost does not depend on positions).
// FLOPs count visible (query, key) pairs V only: forward 4·V·D per head (QKᵀ and PV), backward
// 10·V·D (recomputed scores, dP = dO·Vᵀ, dV, dQ, dK), i.e. 14·V·D·H per forward + backward.
//
// Two more baselines (issue 16 item 4), what a user without the fused kernel would run:
// - dense per prompt: the dense masked kernel called once per prompt (one prompt per batch row, its own
//   mask: the prompt's intervals made local), not on the whole packed row; the prompts are cut at the
//   block-diagonal boundaries of the intervals (promptSegments).
// - PyTorch: bench/cpu/dti_anchor.py on the same prompts, the same q, k, v, dout values and the same
//   thread count, one prompt per batch row with its dense mask (masked attention forward + backward);
//   its output is compared with the fused kernel's. Skipped, with the reason, without a Python with torch.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { native } from "../native.js";
import { DType, type IntervalAttentionBackwardArgs, type IntervalAttentionForwardArgs } from "../native_ops.generated.js";
import { Tensor } from "../tensor/tensor.js";
import { randn } from "../ops/index.js";
import { buildDataset } from "../methods/dti/data/dataset.js";
import { PromptBuilder, type PromptUnit } from "../methods/dti/prompts.js";
import type { PackedBatch } from "../methods/dti/types.js";
import { tensor } from "../ops/index.js";
import { getNumThreads } from "../runtime.js";
import { anchorEnv, findTorchPython } from "./gru.js";
import { benchProgress, log, median, timeIt } from "./timing.js";

export interface KernelRow {
  n: number;
  k: number;
  tokens: number;
  prompts: number;
  visible_fraction: number;
  /** Visible (query, key) pairs: the useful work, 14·V·D·H flops forward + backward. */
  visible_pairs: number;
  fused_ms: number;
  dense_ms: number;
  /** dense_ms / fused_ms, from the unrounded times. */
  speedup: number;
  /** Useful GFLOP/s of each side: 14·V·D·H / time (the dense kernel computes more, but is credited the same work). */
  gflops: number;
  dense_gflops: number;
  /** Largest |fused − dense| over out, dq, dk, dv: both ran on the same q, k, v, dout and intervals. */
  max_abs_diff: number;
  /** The dense masked kernel once per prompt (its own local mask), all prompts of the row, forward + backward. */
  dense_per_prompt_ms: number;
  /** dense_per_prompt_ms / fused_ms, from the unrounded times. */
  speedup_vs_dense_per_prompt: number;
  /** Largest |fused − dense per prompt| over out, dq, dk, dv. */
  dense_per_prompt_max_abs_diff: number;
  /** PyTorch (bench/cpu/dti_anchor.py), one prompt per batch row, same values and threads; null when absent (see torch). */
  torch_per_prompt_ms: number | null;
  /** torch_per_prompt_ms / fused_ms; null when absent. */
  speedup_vs_torch: number | null;
  /** Largest |torch out − fused out|; null when absent. */
  torch_max_abs_diff: number | null;
}

/** The PyTorch anchor's run (shared by the kernel rows). */
export interface TorchAnchorInfo {
  available: boolean;
  python: string | null;
  version: string | null;
  threads: number | null;
  /** "sdpa" (torch >= 2: scaled_dot_product_attention) or "matmul-softmax" (torch 1.13). */
  path: string | null;
  env: Record<string, string>;
  reason: string | null;
}

/**
 * The prompts of a packed row as [start, end) token ranges: the finest block-diagonal split of the
 * intervals (a prompt starts at token s when no token at or after s sees a key before s).
 */
export function promptSegments(iv: Int32Array, L: number): [number, number][] {
  const lo = new Int32Array(L);
  for (let i = 0; i < L; i++) {
    let m = iv[4 * L + i];
    if (iv[L + i] > iv[i]) m = Math.min(m, iv[i]);
    if (iv[3 * L + i] > iv[2 * L + i]) m = Math.min(m, iv[2 * L + i]);
    lo[i] = m;
  }
  const segs: [number, number][] = [];
  let end = L, sufMin = L;
  for (let i = L - 1; i >= 0; i--) {
    sufMin = Math.min(sufMin, lo[i]);
    if (sufMin >= i) {
      segs.push([i, end]);
      end = i;
    }
  }
  return segs.reverse();
}

/** A prompt's intervals made local to its range [s, e) (5 rows of e − s; empty intervals become [0, 0)). */
export function localIntervals(iv: Int32Array, L: number, s: number, e: number): Int32Array {
  const n = e - s, out = new Int32Array(5 * n);
  for (let i = 0; i < n; i++) {
    for (const r of [0, 2]) {
      const a = iv[r * L + s + i], b = iv[(r + 1) * L + s + i];
      if (b > a) {
        if (a < s || b > e) throw new Error(`localIntervals: token ${s + i} sees keys [${a}, ${b}) outside its prompt [${s}, ${e})`);
        out[r * n + i] = a - s;
        out[(r + 1) * n + i] = b - s;
      }
    }
    out[4 * n + i] = iv[4 * L + s + i] - s;
  }
  return out;
}

/** [H, e − s, D] slice of an [H, L, D] array. */
function sliceRows(x: Float32Array, H: number, L: number, D: number, s: number, e: number): Float32Array {
  const n = e - s, out = new Float32Array(H * n * D);
  for (let h = 0; h < H; h++) out.set(x.subarray((h * L + s) * D, (h * L + e) * D), h * n * D);
  return out;
}

/** A row of packed DTI prompts (n context interactions, k targets each) of at least minTokens tokens. */
export function dtiKernelLayout(n: number, k: number, minTokens: number, itemTokens = 12): PackedBatch & { prompts: number } {
  const m = n + k; // each user: n history interactions, then k targets
  const users = Math.max(1, Math.ceil(minTokens / ((n + k - 1) * (itemTokens + 1) + k * (itemTokens + 1))));
  const text = new Map<string, string>();
  for (let i = 0; i < 64; i++) text.set(String(i), Array.from({ length: itemTokens }, (_, w) => `i${i}w${w}`).join(" "));
  const rows = [];
  for (let u = 0; u < users; u++) for (let j = 0; j < m; j++) rows.push({ user: `u${u}`, item: String((u * 7 + j) % 64), time: j, label: ((u + j) % 2) as 0 | 1 });
  const data = buildDataset("kernel-layout", text, rows);
  const itemIds = data.itemText.map((_, i) => Int32Array.from({ length: itemTokens }, (_, w) => 10 + i * itemTokens + w));
  const pb = new PromptBuilder(data, { itemTokens: itemIds, liked: Int32Array.of(1), disliked: Int32Array.of(2), sum: 3, prefix: new Int32Array(0) }, { n, contextReach: "window", positions: "window-relative" });
  const units: PromptUnit[] = data.users.map((_, u) => ({ kind: "dti", user: u, start: n, count: k }));
  const [row] = pb.pack(units);
  return { ...row, prompts: units.length };
}

/** Number of visible (query, key) pairs of a layout. */
export function visiblePairs(iv: Int32Array, L: number): number {
  let v = 0;
  for (let i = 0; i < L; i++) {
    // union of three intervals clipped to [0, i] for self; prefix and context as given
    const segs: [number, number][] = [
      [iv[i], iv[L + i]],
      [iv[2 * L + i], iv[3 * L + i]],
      [iv[4 * L + i], i + 1],
    ].filter(([a, b]) => b > a) as [number, number][];
    segs.sort((a, b) => a[0] - b[0]);
    let end = -1;
    for (const [a, b] of segs) {
      const s = Math.max(a, end);
      if (b > s) v += b - s;
      end = Math.max(end, b);
    }
  }
  return v;
}

/**
 * `minTokens`: the row length (default 2048 quick, 4096 otherwise; tests pass less). `torch`: run the
 * PyTorch anchor (default true; false reports it skipped with that reason).
 */
export function benchKernel(opts: { quick?: boolean; minTokens?: number; torch?: boolean } = {}): { rows: KernelRow[]; torch: TorchAnchorInfo } {
  const quick = !!opts.quick;
  const H = 4, D = 64, minTokens = opts.minTokens ?? (quick ? 2048 : 4096);
  const scale = 1 / Math.sqrt(D);
  const out: KernelRow[] = [];
  // Progress: the four shapes, then the PyTorch anchor's run over all of them (finding Python and torch first takes seconds).
  const units = 5;
  benchProgress(0, units, "kernel: looking for the PyTorch anchor");
  const found = opts.torch === false ? { python: null, reason: "not asked for (torch: false)" } : findTorchPython();
  const tmp = found.python ? fs.mkdtempSync(path.join(os.tmpdir(), "recforge-dti-anchor-")) : null;
  const anchorLayouts: { file: string; prompts: { L: number; intervals: number[] }[] }[] = [];
  benchProgress(0, units, "kernel");
  for (const n of [20, 40])
    for (const k of [20, 40]) {
      const lay = dtiKernelLayout(n, k, minTokens);
      const L = lay.tokens.length;
      const V = visiblePairs(lay.intervals, L);
      const q = randn([H, L, D]), kk = randn([H, L, D]), v = randn([H, L, D]), dout = randn([H, L, D]);
      const iv = Tensor.empty([5, L], "int32");
      native.write({ handle: iv._h, byteOffset: 0, data: lay.intervals });
      const mk = (len = L) => ({ out: Tensor.empty([H, len, D]), lse: Tensor.empty([H, len]), dq: Tensor.empty([H, len, D]), dk: Tensor.empty([H, len, D]), dv: Tensor.empty([H, len, D]) });
      const fused = mk(), dense = mk();
      type Fwd = (a: IntervalAttentionForwardArgs) => void;
      type Bwd = (a: IntervalAttentionBackwardArgs) => void;
      type Inputs = { q: Tensor; k: Tensor; v: Tensor; dout: Tensor; iv: Tensor; L: number };
      const run = (fwd: Fwd, bwd: Bwd, x: Inputs, o: ReturnType<typeof mk>) => () => {
        const common = { dtype: DType.F32, H, L: x.L, D, q: x.q, k: x.k, v: x.v, intervals: x.iv, useAlibi: false, slopes: null, pos: null, scale };
        fwd({ ...common, out: o.out, lse: o.lse });
        bwd({ ...common, out: o.out, lse: o.lse, dout: x.dout, dq: o.dq, dk: o.dk, dv: o.dv });
      };
      const whole: Inputs = { q, k: kk, v, dout, iv, L };
      const fusedRun = run(native.intervalAttentionForward, native.intervalAttentionBackward, whole, fused);
      const denseRun = run(native.denseMaskedAttentionForward, native.denseMaskedAttentionBackward, whole, dense);
      // One prompt per call: its rows of q, k, v, dout copied out once (a batch row of its own), its intervals local.
      const segs = promptSegments(lay.intervals, L);
      const host = { q: q.toTypedArray() as Float32Array, k: kk.toTypedArray() as Float32Array, v: v.toTypedArray() as Float32Array, dout: dout.toTypedArray() as Float32Array };
      const perPrompt = segs.map(([s, e]) => {
        const len = e - s, liv = localIntervals(lay.intervals, L, s, e);
        const ivT = Tensor.empty([5, len], "int32");
        native.write({ handle: ivT._h, byteOffset: 0, data: liv });
        const x: Inputs = { q: tensor(sliceRows(host.q, H, L, D, s, e), { shape: [H, len, D] }), k: tensor(sliceRows(host.k, H, L, D, s, e), { shape: [H, len, D] }), v: tensor(sliceRows(host.v, H, L, D, s, e), { shape: [H, len, D] }), dout: tensor(sliceRows(host.dout, H, L, D, s, e), { shape: [H, len, D] }), iv: ivT, L: len };
        const o = mk(len);
        return { s, e, liv, x, o, run: run(native.denseMaskedAttentionForward, native.denseMaskedAttentionBackward, x, o) };
      });
      const perPromptRun = () => {
        for (const p of perPrompt) p.run();
      };
      const fusedMs = timeIt(fusedRun, { reps: quick ? 5 : 15, warmup: 2, budgetMs: quick ? 2000 : 8000 });
      const denseMs = timeIt(denseRun, { reps: quick ? 2 : 3, warmup: 1, budgetMs: quick ? 4000 : 12000 });
      const perPromptMs = timeIt(perPromptRun, { reps: quick ? 3 : 10, warmup: 1, budgetMs: quick ? 3000 : 10000 });
      let diff = 0, diffPrompt = 0;
      for (const key of ["out", "dq", "dk", "dv"] as const) {
        const a = fused[key].toTypedArray(), b = dense[key].toTypedArray();
        for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
        for (const p of perPrompt) {
          const mine = sliceRows(a as Float32Array, H, L, D, p.s, p.e), theirs = p.o[key].toTypedArray();
          for (let i = 0; i < mine.length; i++) diffPrompt = Math.max(diffPrompt, Math.abs(mine[i] - theirs[i]));
        }
      }
      if (tmp) {
        // The anchor's input: per prompt q, k, v, dout and the fused out (to compare), each [H, Lp, D].
        const file = path.join(tmp, `n${n}-k${k}.f32`);
        const fusedOut = fused.out.toTypedArray() as Float32Array;
        const parts: Float32Array[] = [];
        for (const p of perPrompt) for (const a of [host.q, host.k, host.v, host.dout, fusedOut]) parts.push(sliceRows(a, H, L, D, p.s, p.e));
        fs.writeFileSync(file, Buffer.concat(parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
        anchorLayouts.push({ file, prompts: perPrompt.map((p) => ({ L: p.e - p.s, intervals: Array.from(p.liv) })) });
      }
      const flops = 14 * V * D * H;
      const row: KernelRow = {
        n, k, tokens: L, prompts: lay.prompts,
        visible_fraction: +(V / (L * L)).toFixed(4), visible_pairs: V,
        fused_ms: +fusedMs.toFixed(3), dense_ms: +denseMs.toFixed(3), speedup: +(denseMs / fusedMs).toFixed(2),
        gflops: +(flops / (fusedMs * 1e6)).toFixed(2), dense_gflops: +(flops / (denseMs * 1e6)).toFixed(2),
        max_abs_diff: +diff.toExponential(2),
        dense_per_prompt_ms: +perPromptMs.toFixed(3), speedup_vs_dense_per_prompt: +(perPromptMs / fusedMs).toFixed(2),
        dense_per_prompt_max_abs_diff: +diffPrompt.toExponential(2),
        torch_per_prompt_ms: null, speedup_vs_torch: null, torch_max_abs_diff: null,
      };
      if (segs.length !== lay.prompts) throw new Error(`bench dti: ${segs.length} block-diagonal segments in a row of ${lay.prompts} prompts`);
      log(`kernel n=${n} k=${k}: L=${L} visible ${(row.visible_fraction * 100).toFixed(1)}%  fused ${row.fused_ms} ms  dense ${row.dense_ms} ms  speedup ${row.speedup}x  dense per prompt ${row.dense_per_prompt_ms} ms (${row.speedup_vs_dense_per_prompt}x)  (${row.gflops} GFLOP/s useful)`);
      out.push(row);
      benchProgress(out.length, units, `kernel n=${n} k=${k}${found.python && out.length === 4 ? " (next: the PyTorch anchor)" : ""}`);
      for (const t of [q, kk, v, dout, iv, ...Object.values(fused), ...Object.values(dense)]) t.dispose();
      for (const p of perPrompt) for (const t of [p.x.q, p.x.k, p.x.v, p.x.dout, p.x.iv, ...Object.values(p.o)]) t.dispose();
    }
  const threads = getNumThreads();
  const torch: TorchAnchorInfo = { available: !!found.python, python: found.python, version: null, threads: null, path: null, env: anchorEnv(), reason: found.reason };
  if (tmp && found.python) {
    try {
      const spec = path.join(tmp, "spec.json");
      fs.writeFileSync(spec, JSON.stringify({ H, D, scale, reps: quick ? 3 : 10, warmup: 1, layouts: anchorLayouts }));
      const r = spawnSync(found.python, [ANCHOR, "--threads", String(threads), "--spec", spec], { encoding: "utf8", env: { ...process.env, ...anchorEnv() }, timeout: 1_800_000, maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${path.relative(root, ANCHOR)} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || "").trim().split("\n").slice(-3).join(" | ")}`);
      const res = JSON.parse(r.stdout) as { torch: string; threads: number; path: string; rows: { times_ms: number[]; max_abs_diff_out: number }[] };
      Object.assign(torch, { version: res.torch, threads: res.threads, path: res.path });
      res.rows.forEach((tr, i) => {
        const ms = median(tr.times_ms);
        out[i].torch_per_prompt_ms = +ms.toFixed(3);
        out[i].speedup_vs_torch = +(ms / out[i].fused_ms).toFixed(2);
        out[i].torch_max_abs_diff = +tr.max_abs_diff_out.toExponential(2);
        log(`torch n=${out[i].n} k=${out[i].k}: ${out[i].torch_per_prompt_ms} ms (fused ${out[i].speedup_vs_torch}x faster), |out diff| ${out[i].torch_max_abs_diff}`);
      });
    } catch (e) {
      torch.available = false;
      torch.reason = (e as Error).message;
      log(`torch anchor skipped: ${torch.reason}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  benchProgress(units, units, found.python ? "kernel: PyTorch anchor" : "kernel (no PyTorch anchor)");
  return { rows: out, torch };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ANCHOR = path.join(root, "bench", "cpu", "dti_anchor.py");
