// Native-op profile of interleaved training runs (`bench dti-e2e --op-profile`): wall time and
// calls per CPU op, attributed to the run whose training step is executing. Why: the per-token
// premium of DTI over SW is a sum of per-op differences (attention sees more pairs per token,
// the [SUM] head rows are a larger share of the tokens, per-step costs are spread over fewer
// tokens), and only a per-op table says which of them engineering can still remove.
//
// How: every function of the CPU addon's op table (lib/native.ts `native`) is wrapped while the
// profile is installed; a run marks the start of its step (trainCtr's pace hook) and the end
// (its train progress event), so evaluation and other runs' work between steps count nowhere.
// Interval attention's forward calls also count the visible (query, key) pairs from the
// intervals they are given. The wrapper costs ~0.2 µs per call: profiled runs' own seconds are a
// little slower than unprofiled ones, so the ratio of record comes from a run without it.
import { native } from "../native.js";
import type { IntervalAttentionForwardArgs } from "../native_ops.generated.js";
import { visiblePairs } from "./dti_kernel.js";

export interface OpStat {
  calls: number;
  seconds: number;
  /** GEMM only: 2·M·N·K·batch. */
  flops?: number;
}

export interface RunProfile {
  /**
   * Training-step seconds spent inside native ops, by op. GEMM is split three ways: weight
   * gradients (dW = dYᵀ·X: in the DTI model the only products with op(A) transposed), products over at most 512
   * rows (the last layer's [SUM] rows and the head) and the rest (every token's rows).
   */
  ops: Record<string, OpStat>;
  native_seconds: number;
  /** Visible (query, key) pairs summed over heads and the forward calls of interval attention. */
  attention_visible_pairs: number;
}

type AnyFn = (a: unknown) => unknown;

// The visible pairs of one forward call: the layout's count (dti_kernel.ts, the union of each row's
// three intervals) times the heads, from the intervals read back through the unwrapped `read`.
function visiblePairsOfCall(a: IntervalAttentionForwardArgs, read: AnyFn): number {
  const iv = new Int32Array(5 * a.L);
  read({ handle: a.intervals._h, byteOffset: a.intervals.offset * 4, out: iv });
  return visiblePairs(iv, a.L) * a.H;
}

export class OpProfiler {
  private current: string | null = null;
  private readonly runs = new Map<string, RunProfile>();
  private readonly saved = new Map<string, AnyFn>();

  install(): void {
    if (this.saved.size) throw new Error("recforge: OpProfiler: already installed");
    const table = native as unknown as Record<string, unknown>;
    for (const [name, f] of Object.entries(table)) {
      if (typeof f !== "function") continue;
      const fn = f as AnyFn;
      this.saved.set(name, fn);
      table[name] = (a: unknown) => {
        const run = this.current === null ? null : this.runs.get(this.current)!;
        if (!run) return fn(a);
        const t = process.hrtime.bigint();
        const r = fn(a);
        const dt = Number(process.hrtime.bigint() - t) / 1e9;
        let key = name, flops: number | undefined;
        if (name === "gemm") {
          const g = a as { transA: boolean; M: number; N: number; K: number; batch: number };
          key = g.transA ? "gemm (weight gradients)" : g.M <= 512 ? "gemm ([SUM] rows: M <= 512)" : "gemm";
          flops = 2 * g.M * g.N * g.K * Math.max(1, g.batch);
        } else if (name === "intervalAttentionForward") run.attention_visible_pairs += visiblePairsOfCall(a as IntervalAttentionForwardArgs, this.saved.get("read")!);
        const s = (run.ops[key] ??= { calls: 0, seconds: 0 });
        s.calls++;
        s.seconds += dt;
        if (flops !== undefined) s.flops = (s.flops ?? 0) + flops;
        run.native_seconds += dt;
        return r;
      };
    }
  }

  uninstall(): void {
    const table = native as unknown as Record<string, unknown>;
    for (const [name, f] of this.saved) table[name] = f;
    this.saved.clear();
    this.current = null;
  }

  /** Ops from now on belong to `label`'s training step. */
  begin(label: string): void {
    if (!this.runs.has(label)) this.runs.set(label, { ops: {}, native_seconds: 0, attention_visible_pairs: 0 });
    this.current = label;
  }

  /** The step ended: ops count nowhere until the next begin(). */
  end(): void {
    this.current = null;
  }

  get(label: string): RunProfile | null {
    return this.runs.get(label) ?? null;
  }
}

export interface OpRow {
  op: string;
  sw_ns_per_token: number;
  dti_ns_per_token: number;
  /** (DTI − SW) ns per token over SW's seconds per token: this op's share of the premium above 1. */
  premium_share: number;
}

export interface PremiumDecomposition {
  /** Training-loop seconds per token (profiled runs). */
  sw_ns_per_token: number;
  dti_ns_per_token: number;
  premium: number;
  ops: OpRow[];
  /** Outside native ops: JavaScript (autograd, tensors, packing, the optimiser's loop) and waiting. */
  outside_native: OpRow;
  visible_pairs_per_token: { sw: number; dti: number; ratio: number };
  /** Interval attention (forward + backward) ns per visible pair, DTI over SW. */
  attention_cost_per_pair_ratio: number;
  /** The premium if every cost but interval attention were the same per token in both. */
  premium_if_only_attention_differed: number;
}

/** Per-op comparison of one SW and one DTI profile (summed over seeds by the caller). */
export function decomposePremium(sw: { profile: RunProfile; seconds: number; tokens: number }, dti: { profile: RunProfile; seconds: number; tokens: number }): PremiumDecomposition {
  const perTok = (s: number, tokens: number) => (s * 1e9) / tokens;
  const swTot = perTok(sw.seconds, sw.tokens), dtiTot = perTok(dti.seconds, dti.tokens);
  const row = (op: string, a: number, b: number): OpRow => ({ op, sw_ns_per_token: a, dti_ns_per_token: b, premium_share: (b - a) / swTot });
  const names = [...new Set([...Object.keys(sw.profile.ops), ...Object.keys(dti.profile.ops)])];
  const ops = names
    .map((op) => row(op, perTok(sw.profile.ops[op]?.seconds ?? 0, sw.tokens), perTok(dti.profile.ops[op]?.seconds ?? 0, dti.tokens)))
    .sort((x, y) => y.dti_ns_per_token - x.dti_ns_per_token);
  const attn = (p: RunProfile) => (p.ops.intervalAttentionForward?.seconds ?? 0) + (p.ops.intervalAttentionBackward?.seconds ?? 0);
  const attnSw = perTok(attn(sw.profile), sw.tokens), attnDti = perTok(attn(dti.profile), dti.tokens);
  const vpSw = sw.profile.attention_visible_pairs / sw.tokens, vpDti = dti.profile.attention_visible_pairs / dti.tokens;
  return {
    sw_ns_per_token: swTot,
    dti_ns_per_token: dtiTot,
    premium: dtiTot / swTot,
    ops,
    outside_native: row("(outside native ops)", swTot - perTok(sw.profile.native_seconds, sw.tokens), dtiTot - perTok(dti.profile.native_seconds, dti.tokens)),
    visible_pairs_per_token: { sw: vpSw, dti: vpDti, ratio: vpDti / vpSw },
    attention_cost_per_pair_ratio: attnDti / vpDti / (attnSw / vpSw),
    premium_if_only_attention_differed: 1 + (attnDti - attnSw) / swTot,
  };
}
