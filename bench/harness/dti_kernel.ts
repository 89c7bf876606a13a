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
import { native } from "../native.js";
import { DType, type IntervalAttentionBackwardArgs, type IntervalAttentionForwardArgs } from "../native_ops.generated.js";
import { Tensor } from "../tensor/tensor.js";
import { randn } from "../ops/index.js";
import { buildDataset } from "../methods/dti/data/dataset.js";
import { PromptBuilder, type PromptUnit } from "../methods/dti/prompts.js";
import type { PackedBatch } from "../methods/dti/types.js";
import { log, timeIt } from "./timing.js";

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

/** `minTokens`: the row length (default 2048 quick, 4096 otherwise; tests pass less). */
export function benchKernel(opts: { quick?: boolean; minTokens?: number } = {}): KernelRow[] {
  const quick = !!opts.quick;
  const H = 4, D = 64, minTokens = opts.minTokens ?? (quick ? 2048 : 4096);
  const out: KernelRow[] = [];
  for (const n of [20, 40])
    for (const k of [20, 40]) {
      const lay = dtiKernelLayout(n, k, minTokens);
      const L = lay.tokens.length;
      const V = visiblePairs(lay.intervals, L);
      const q = randn([H, L, D]), kk = randn([H, L, D]), v = randn([H, L, D]), dout = randn([H, L, D]);
      const iv = Tensor.empty([5, L], "int32");
      native.write({ handle: iv._h, byteOffset: 0, data: lay.intervals });
      const mk = () => ({ out: Tensor.empty([H, L, D]), lse: Tensor.empty([H, L]), dq: Tensor.empty([H, L, D]), dk: Tensor.empty([H, L, D]), dv: Tensor.empty([H, L, D]) });
      const fused = mk(), dense = mk();
      const scale = 1 / Math.sqrt(D);
      type Fwd = (a: IntervalAttentionForwardArgs) => void;
      type Bwd = (a: IntervalAttentionBackwardArgs) => void;
      const run = (fwd: Fwd, bwd: Bwd, o: ReturnType<typeof mk>) => () => {
        const common = { dtype: DType.F32, H, L, D, q, k: kk, v, intervals: iv, useAlibi: false, slopes: null, pos: null, scale };
        fwd({ ...common, out: o.out, lse: o.lse });
        bwd({ ...common, out: o.out, lse: o.lse, dout, dq: o.dq, dk: o.dk, dv: o.dv });
      };
      const fusedRun = run(native.intervalAttentionForward, native.intervalAttentionBackward, fused);
      const denseRun = run(native.denseMaskedAttentionForward, native.denseMaskedAttentionBackward, dense);
      const fusedMs = timeIt(fusedRun, { reps: quick ? 5 : 15, warmup: 2, budgetMs: quick ? 2000 : 8000 });
      const denseMs = timeIt(denseRun, { reps: quick ? 2 : 3, warmup: 1, budgetMs: quick ? 4000 : 12000 });
      let diff = 0;
      for (const key of ["out", "dq", "dk", "dv"] as const) {
        const a = fused[key].toTypedArray(), b = dense[key].toTypedArray();
        for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      const flops = 14 * V * D * H;
      const row: KernelRow = {
        n, k, tokens: L, prompts: lay.prompts,
        visible_fraction: +(V / (L * L)).toFixed(4), visible_pairs: V,
        fused_ms: +fusedMs.toFixed(3), dense_ms: +denseMs.toFixed(3), speedup: +(denseMs / fusedMs).toFixed(2),
        gflops: +(flops / (fusedMs * 1e6)).toFixed(2), dense_gflops: +(flops / (denseMs * 1e6)).toFixed(2),
        max_abs_diff: +diff.toExponential(2),
      };
      log(`kernel n=${n} k=${k}: L=${L} visible ${(row.visible_fraction * 100).toFixed(1)}%  fused ${row.fused_ms} ms  dense ${row.dense_ms} ms  speedup ${row.speedup}x  (${row.gflops} GFLOP/s useful)`);
      out.push(row);
      for (const t of [q, kk, v, dout, iv, ...Object.values(fused), ...Object.values(dense)]) t.dispose();
    }
  return out;
}
