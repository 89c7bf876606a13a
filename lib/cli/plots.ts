// `--plot`: each bench command's main comparison as a chart, read from its result object, and
// where the SVG file goes. (Train commands build their loss-curve charts where they train.)
import fs from "node:fs";
import path from "node:path";
import { renderChart, type BarChart, type Chart } from "./svg.js";

type Row = Record<string, unknown>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v.filter((x) => typeof x === "object" && x !== null) as Row[]) : []);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const mean = (v: unknown): number | null => (typeof v === "object" && v !== null ? num((v as Row).mean) : num(v));

const intervalEnd = (v: unknown, i: 0 | 1): number | null => {
  const iv = typeof v === "object" && v !== null ? (v as Row).interval : null;
  return Array.isArray(iv) ? num(iv[i]) : null;
};

/** Bars: one category per row, one series per metric. */
function bars(title: string, yLabel: string, rs: Row[], label: (r: Row) => string, metrics: [string, (r: Row) => number | null][]): BarChart | null {
  if (!rs.length) return null;
  return { kind: "bar", title, yLabel, categories: rs.map(label), series: metrics.map(([name, f]) => ({ name, values: rs.map(f) })) };
}

/** Rows of `rs` grouped by `group` (categories) with one series per value of `by`. */
function pivot(title: string, yLabel: string, rs: Row[], group: (r: Row) => string, by: (r: Row) => string, value: (r: Row) => number | null): BarChart | null {
  if (!rs.length) return null;
  const cats = [...new Set(rs.map(group))], names = [...new Set(rs.map(by))];
  return {
    kind: "bar", title, yLabel, categories: cats,
    series: names.map((name) => ({ name, values: cats.map((c) => { const r = rs.find((x) => group(x) === c && by(x) === name); return r ? value(r) : null; }) })),
  };
}

/** The main comparison of `bench <name>`'s result, or null when the result has none (a skipped stage). */
export function benchChart(name: string, r: Row): Chart | null {
  switch (name) {
    case "ops":
      // Result files before issue 16 item 3 carry gflops / baseline_gflops; later ones the four paths.
      if (rows(r.matmul).some((x) => "own_gflops" in x))
        return bars("GEMM throughput: own kernels, the library (default and best core), the dispatched path (same run)", "GFLOP/s", rows(r.matmul), (x) => `n=${x.n}`, [
          ["own", (x) => num(x.own_gflops)], ["blas default", (x) => num(x.blas_default_gflops)], ["blas best core", (x) => num(x.blas_best_gflops)], ["dispatched", (x) => num(x.dispatched_gflops)],
        ]);
      return bars("GEMM throughput: recforge vs the CBLAS baseline (same run)", "GFLOP/s", rows(r.matmul), (x) => `n=${x.n}`, [["recforge", (x) => num(x.gflops)], ["baseline", (x) => num(x.baseline_gflops)]]);
    case "dti":
      return bars("DTI attention kernel: fused vs dense (forward + backward)", "ms", rows(r.kernel), (x) => `n=${x.n} k=${x.k}`, [["fused", (x) => num(x.fused_ms)], ["dense", (x) => num(x.dense_ms)]]);
    case "gnn":
      return bars("GAT layer: fused vs op-by-op (forward + backward)", "ms", rows(r.gat), (x) => String(x.name), [["fused", (x) => num(x.fused_ms)], ["op-by-op", (x) => num(x.reference_ms)]]);
    case "gru":
      return bars("GRU: fused vs op-by-op vs PyTorch nn.GRU (forward + backward)", "ms", rows(r.rows), (x) => String(x.spec), [["fused", (x) => num(x.fused_ms)], ["op-by-op", (x) => num(x.op_by_op_ms)], ["PyTorch", (x) => num(x.torch_ms)]]);
    case "cop":
      return pivot("Max-Cut: approximation ratio by method and graph size", "ratio to the reference", rows(r.maxcut), (x) => `n=${x.n}`, (x) => String(x.method), (x) => num(x.ratio));
    case "compexp":
      return bars("CompExp and baselines on the test reviews (mean over seeds)", "score", rows(r.rows), (x) => String(x.method), [["BLEU-2", (x) => num(x.bleu2)], ["IDF-BLEU-2", (x) => num(x.idf_bleu2)]]);
    case "explain": {
      const q = rows(r.quality).filter((x) => !String(x.method).startsWith("oracle"));
      return bars("Explanation quality on the test pairs", "score", q, (x) => String(x.method), [["BLEU-4", (x) => num(x.bleu4)], ["ROUGE-L", (x) => num(x.rougeL)], ["attr F1", (x) => num(x.attr_f1)]]);
    }
    case "seqrec": {
      const s = rows(r.summary);
      if (s.some((x) => x.hr10 !== undefined)) return bars("SASRec protocol: leave-one-out vs 100 sampled items", "score", s, (x) => String(x.model), [["HR@10", (x) => mean(x.hr10)], ["NDCG@10", (x) => mean(x.ndcg10)]]);
      const recall = (k: string) => (x: Row) => mean((x.recall as Row | undefined)?.[k]);
      if (s.some((x) => x.window !== undefined)) return pivot("CTA's table: test Recall@5 by variant and window", "Recall@5 (mean over seeds)", s, (x) => String(x.variant ?? x.model), (x) => `W=${x.window}`, recall("5"));
      return bars("Next-item models: full-ranking test recall (mean over seeds)", "recall", s, (x) => String(x.model), [["Recall@5", recall("5")], ["Recall@20", recall("20")]]);
    }
    case "balance":
      return bars("Multi-task balancers: mean test AUC over tasks and seeds", "AUC", rows(r.results), (x) => `${x.dataset} ${x.balancer}`, [
        ["mean AUC", (x) => { const t = rows(x.tasks).map((y) => num(y.auc)).filter((v): v is number => v !== null); return t.length ? t.reduce((a, b) => a + b, 0) / t.length : null; }],
      ]);
    case "dti-seeds":
      // ΔAUC (DTI − SW) per k: the seed mean and the ends of the interval verdicts use.
      return bars("DTI − SW test AUC over seeds (mean and 95% interval)", "ΔAUC", rows(r.dti_by_k), (x) => `k=${x.k}`, [
        ["mean", (x) => mean(x.auc_delta)], ["interval low", (x) => intervalEnd(x.auc_delta, 0)], ["interval high", (x) => intervalEnd(x.auc_delta, 1)],
      ]);
    case "dti-e2e":
      // Per (n, k): DTI's time and token ratios to SW (the gap between them is the per-token premium).
      return bars("DTI / SW end to end: time ratio vs token ratio (interleaved runs)", "DTI / SW", rows(r.rows), (x) => `n=${x.n} k=${x.k}`, [
        ["time ratio", (x) => num(x.time_ratio)], ["CPU-time ratio", (x) => num(x.cpu_time_ratio)], ["token ratio", (x) => num(x.token_ratio)],
      ]);
    case "balance-qps":
      return bars("QPS balanced / unbalanced (mean over runs and 95% t interval)", "QPS ratio", rows(r.shapes), (x) => String(x.shape), [
        ["mean", (x) => mean(x.qps_ratio)], ["interval low", (x) => intervalEnd(x.qps_ratio, 0)], ["interval high", (x) => intervalEnd(x.qps_ratio, 1)], ["CPU-time mean", (x) => mean(x.qps_ratio_cpu)],
      ]);
    case "balance-seeds":
      return bars("NE difference against the baseline over seeds (mean and 95% interval; lower is better)", "ΔNE", rows(r.comparisons), (x) => `${x.balancer} − ${x.baseline} (${x.task})`, [
        ["mean", (x) => mean(x.ne_delta)], ["interval low", (x) => intervalEnd(x.ne_delta, 0)], ["interval high", (x) => intervalEnd(x.ne_delta, 1)],
      ]);
    case "greener-fair": {
      // Test BLEU-4 and ROUGE-L (seed means) of every row: GREENer, the tuned baselines, random.
      const t = (r.test ?? {}) as Row;
      return bars("GREENer vs baselines tuned on validation (test, mean over seeds)", "score", rows(t.rows), (x) => String(x.method), [["BLEU-4", (x) => mean(x.bleu4)], ["ROUGE-L", (x) => mean(x.rougeL)]]);
    }
    default:
      return null;
  }
}

/**
 * Where `--plot` writes: beside the result file the command wrote (results_file), else in the
 * `--out` folder, else in the working directory; always `<command>-<date>.svg`.
 */
export function plotPath(command: string, result: Row | null, outDir: string | undefined): string {
  const file = `${command.replace(/\s+/g, "-")}-${new Date().toISOString().slice(0, 10)}.svg`;
  const written = result && typeof result.results_file === "string" ? result.results_file : null;
  if (written) return written.replace(/\.json$/, "") + ".svg";
  return path.join(outDir ?? ".", file);
}

export function writeChart(file: string, chart: Chart): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderChart(chart) + "\n");
}
