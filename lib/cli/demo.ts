// The main job: DTI against sliding-window training of an LLM-style CTR model on the embedded
// synthetic data (users with drifting tastes over items with text; no download). Both
// paradigms train the same model from the same initialisation with the same target updates;
// both are evaluated with SW prompts. Returns the comparison (commands.ts renders it as a table)
// and writes an SVG chart of the loss curves (against target updates and against wall time).
import fs from "node:fs";
import path from "node:path";
import { ProgressBar } from "./progress.js";
import { lineChart, smoothCurve } from "./svg.js";
import { syntheticCtr } from "../methods/dti/synthetic.js";
import { datasetStats } from "../methods/dti/data/dataset.js";
import { trainCtr, type TrainCtrResult } from "../methods/dti/train.js";
import type { Paradigm } from "../methods/dti/types.js";

export interface DemoRun {
  paradigm: Paradigm;
  k: number;
  n: number;
  steps: number;
  targets: number;
  tokens: number;
  seconds: number;
  auc: number;
  logloss: number;
}

export interface DemoResult {
  data: string;
  sw: DemoRun;
  dti: DemoRun;
  time_ratio: number;
  token_ratio: number;
  auc_delta: number;
  chart: string | null;
}

// Sizes: about two minutes on 2 cores for both paradigms together (--quick: well under one).
const FULL = { users: 400, epochs: 5 };
const QUICK = { users: 120, epochs: 2 };

function summary(r: TrainCtrResult): DemoRun {
  return { paradigm: r.paradigm, k: r.k, n: r.n, steps: r.steps, targets: r.targets, tokens: r.tokens, seconds: r.seconds, auc: r.auc, logloss: r.logloss };
}

// The loss curves for the chart: EMA-smoothed and thinned to ~200 points.
const smooth = (points: [number, number][]) => smoothCurve(points);

export async function runDemo(opts: { quick?: boolean; outDir?: string; json?: boolean } = {}): Promise<DemoResult> {
  const size = opts.quick ? QUICK : FULL;
  const data = syntheticCtr({ users: size.users, seed: 7 });
  const st = datasetStats(data);
  const k = 20, n = 20, seed = 0;
  process.stderr.write(
    `recforge demo — DTI vs sliding-window training of a CTR transformer (dim 64, 2 layers, 4 heads)\n` +
      `data: ${data.name}: ${st.interactions} interactions (train ${st.train}, test ${st.test}), ${opts.quick ? "quick" : "full"} run, ${size.epochs} epochs\n`,
  );
  const runs: Record<"sw" | "dti", TrainCtrResult> = {} as never;
  for (const paradigm of ["sliding-window", "dti"] as const) {
    let bar: ProgressBar | null = null;
    const label = paradigm === "dti" ? `DTI k=${k}` : "SW";
    runs[paradigm === "dti" ? "dti" : "sw"] = await trainCtr({
      data, paradigm, k, n, seed, epochs: size.epochs, targetsPerStep: 128,
      onProgress: (e) => {
        if (e.phase !== "train") return;
        bar ??= new ProgressBar(label, e.totalSteps);
        bar.update(e.step, `loss ${e.lossEma.toFixed(4)}`);
      },
    });
  }
  const sw = summary(runs.sw), dti = summary(runs.dti);
  let chart: string | null = null;
  if (opts.outDir !== undefined || !opts.json) {
    const dir = opts.outDir ?? "recforge-demo";
    fs.mkdirSync(dir, { recursive: true });
    chart = path.join(dir, "dti-vs-sw.svg");
    const byTargets = lineChart("training loss vs target updates (same updates)", "target updates", "BCE loss (EMA)", [
      { name: "sliding window", points: smooth(runs.sw.curve.map((p) => [p.targets, p.loss])) },
      { name: `DTI (k=${k})`, points: smooth(runs.dti.curve.map((p) => [p.targets, p.loss])) },
    ]);
    const byTime = lineChart(`training loss vs wall time (SW ${sw.seconds.toFixed(0)} s, DTI ${dti.seconds.toFixed(0)} s)`, "seconds", "BCE loss (EMA)", [
      { name: "sliding window", points: smooth(runs.sw.curve.map((p) => [p.seconds, p.loss])) },
      { name: `DTI (k=${k})`, points: smooth(runs.dti.curve.map((p) => [p.seconds, p.loss])) },
    ]);
    const nest = (svg: string, x: number) => svg.replace("<svg ", `<svg x="${x}" y="0" `);
    fs.writeFileSync(chart, `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="360">\n${nest(byTargets, 0)}\n${nest(byTime, 640)}\n</svg>\n`);
  }
  const result: DemoResult = {
    data: data.name, sw, dti,
    time_ratio: dti.seconds / sw.seconds,
    token_ratio: dti.tokens / sw.tokens,
    auc_delta: dti.auc - sw.auc,
    chart,
  };
  return result;
}
