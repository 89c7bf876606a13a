// `recforge bench explain` with GREENer: the harness's baselines and ILP timing (explain.ts)
// plus GREENer itself, trained on the training pairs and evaluated on the SAME test pairs:
// GREENer (ILP, α and length weight chosen on the validation pairs), the ILP without the length
// term and with the reference α = 1, GREENer top-K (relevance only) and top-K with trigram
// blocking. `comparison` lists, from the measured rows, GREENer (ILP) minus random and most popular
// (and the authors' attribute-popularity reading) on BLEU-4 and ROUGE-L: one run, so differences
// only, no beats_* verdict (issue 17: verdicts come from intervals; `bench greener-fair` gives them).
import { benchExplain, type ExplainBenchResult } from "./explain.js";
import { runGreener, type GreenerRunOptions, type GreenerRunResult } from "../methods/greener/pipeline.js";
import { musicalInstrumentsPath } from "../data/reviews.js";
import { log } from "./timing.js";
import { startProvenance } from "../provenance.js";

type Row = ExplainBenchResult["quality"][number];

export interface GreenerExplainResult extends ExplainBenchResult {
  greener: Omit<GreenerRunResult, "quality" | "provenance" | "data">;
  comparison: {
    metric: "bleu4" | "rougeL";
    greener_ilp: number;
    random: number | null;
    popular: number | null;
    popular_attributes: number | null;
    greener_topk: number | null;
    greener_trigram_blocking: number | null;
    /** GREENer (ILP) minus the baseline on this metric, one run, no interval: a description, not a verdict
     * (verdicts with paired bootstrap intervals over seeds and test pairs: `recforge bench greener-fair`). */
    diff_random: number | null;
    diff_popular: number | null;
    diff_popular_attributes: number | null;
  }[];
}

function find(rows: Row[], method: string): Row | undefined {
  return rows.find((r) => r.method === method);
}

export async function benchExplainWithGreener(opts: { quick?: boolean; file?: string; command?: string; greener?: Omit<GreenerRunOptions, "file" | "log" | "evalLimit" | "command" | "loop">; log?: (msg: string) => void; loop?: GreenerRunOptions["loop"] } = {}): Promise<GreenerExplainResult> {
  const quick = !!opts.quick;
  const done = startProvenance(opts.command); // one block over the harness and GREENer's run
  const file = opts.file ?? musicalInstrumentsPath();
  const base = await benchExplain({ quick, file, command: opts.command });
  // The harness evaluates the first 200 test pairs in quick mode, all otherwise: same here.
  const run = await runGreener({
    file, ...(opts.greener ?? {}),
    train: { ...(opts.greener?.train ?? {}) },
    evalLimit: quick ? 200 : undefined,
    log: opts.log ?? log,
    loop: opts.loop, // GREENer's progress events (the CLI draws its bars from them)
  });
  const { quality, provenance: _p, data: _d, ...greener } = run.result;
  run.dispose();
  // GREENer's rows go before the oracle (an upper reference that reads the ground truth).
  const oracle = base.quality.findIndex((r) => r.method.startsWith("oracle"));
  const rows: Row[] = quality.map((q) => ({ ...q }));
  if (oracle >= 0) base.quality.splice(oracle, 0, ...rows);
  else base.quality.push(...rows);
  const comparison: GreenerExplainResult["comparison"] = (["bleu4", "rougeL"] as const).map((metric) => {
    const v = (m: string) => find(base.quality, m)?.[metric] ?? null;
    const g = v("greener-ilp")!, rnd = v("random"), pop = v("popular"), popAttr = v("popular-attributes");
    return {
      metric, greener_ilp: g, random: rnd, popular: pop, popular_attributes: popAttr, greener_topk: v("greener-topk"), greener_trigram_blocking: v("greener-topk+trigram-blocking"),
      diff_random: rnd === null ? null : g - rnd, diff_popular: pop === null ? null : g - pop,
      diff_popular_attributes: popAttr === null ? null : g - popAttr,
    };
  });
  base.notes.push(
    `greener-*: GREENer trained here (${greener.training.steps} steps, ${greener.training.seconds.toFixed(0)} s) on the training pairs, scored by its GAT + DCN; selection K = ${greener.settings.selection.k}, ILP pool ${greener.settings.selection.topP}, alpha ${greener.settings.selection.alpha}, length weight ${greener.settings.selection.lengthWeight}${greener.selection_tuning ? " (chosen on the validation pairs: greener.selection_tuning)" : ""}`,
    `greener sentence features: ${greener.settings.sentence_encoder}`,
    "comparison: differences of one run without an interval; for verdicts (seeds, paired bootstrap over test pairs, baselines tuned on validation) run `recforge bench greener-fair`",
  );
  return { ...base, provenance: done(), greener, comparison };
}
