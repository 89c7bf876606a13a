// CLI for multi-task training and the balancer benchmark (flags: commands.ts):
//   recforge train multitask --data census|synthetic --model mmoe|shared-bottom
//                            --balancer multibalance|equal|metabalance|uncertainty|gradnorm|pcgrad [--json]
//   recforge bench balance [--json] [--quick] [--datasets census,synthetic]
import { deviceFlag, numFlag, type Parsed } from "./args.js";
import { loadCensus } from "../methods/multibalance/data/census.js";
import { syntheticMultiTask } from "../methods/multibalance/data/synthetic.js";
import { trainMultiTaskSteps, saveTrainingCheckpoint, fmtMetrics } from "../methods/multibalance/trainer.js";
import { runAsync } from "../methods/step_loop.js";
import { progressLoop } from "../api/progress.js";
import { initProcessGroup, isCheckpointWriter } from "../distributed/index.js";
import type { ModelKind } from "../methods/multibalance/models.js";
import { benchBalance } from "../bench/balance.js";
import { deviceOption } from "../methods/device-option.js";
import { log } from "../bench/timing.js";
import { trainerProgressBars } from "./progress.js";
import { smoothCurve } from "./svg.js";
import type { CommandOutput } from "./command.js";

function str(flags: Parsed["flags"], name: string, def: string): string {
  const v = flags[name];
  if (v === undefined) return def;
  if (typeof v !== "string") throw new RangeError(`--${name} needs a value`);
  return v;
}

export interface TrainMultitaskOutput {
  dataset: string;
  model: string;
  balancer: string;
  device: "cpu" | "cuda";
  seed: number;
  epochs: number;
  steps: number;
  selected_epoch: number;
  qps: number;
  mean_weights: number[];
  tasks: { name: string; auc: number | null; ne: number | null; logloss: number | null; mse: number | null }[];
}

/** The output and its loss curves; the output is null on a rank other than 0 of a --distributed run. */
export async function trainMultitaskCli(flags: Parsed["flags"]): Promise<CommandOutput> {
  const pg = flags.distributed ? initProcessGroup() : null;
  const quiet = !!pg && pg.rank !== 0;
  const dataset = str(flags, "data", "census");
  const model = str(flags, "model", "mmoe") as ModelKind;
  const balancer = str(flags, "balancer", "multibalance");
  const seed = numFlag(flags, "seed", 1);
  const epochs = numFlag(flags, "epochs", dataset === "census" ? 4 : 1);
  const device = deviceOption(deviceFlag(flags), "cpu", "train multitask"); // before loading the data
  const data =
    dataset === "census"
      ? loadCensus()
      : dataset === "synthetic"
        ? syntheticMultiTask({ numTasks: numFlag(flags, "tasks", 4), trainRows: numFlag(flags, "rows", 200_000), validRows: 20_000, testRows: 20_000, seed })
        : (() => {
            throw new RangeError(`--data must be census or synthetic, got ${JSON.stringify(dataset)}`);
          })();
  const balancerOptions: Record<string, unknown> = {};
  for (const k of ["reference", "strategy"]) if (flags[k] !== undefined) balancerOptions[k] = str(flags, k, "");
  for (const k of ["relax", "beta"]) if (flags[k] !== undefined) balancerOptions[k] = numFlag(flags, k, 0);
  const modelOptions = dataset === "synthetic" ? { embeddingDim: 16, bottom: [256, 128], tower: [64] } : { embeddingDim: 8, experts: 8, expertDim: 32, tower: [32] };
  // A bar per pass from the trainer's progress events: every optimiser step, validation and test batch.
  const bars = trainerProgressBars("multitask", { enabled: !quiet });
  const batchSize = numFlag(flags, "batch-size", dataset === "census" ? 1024 : 2048);
  // Shown from the start (the first step comes after the model is built): step 0 of the planned steps.
  bars({ phase: "train", epoch: 1, step: 0, steps: epochs * Math.ceil(data.train.size / batchSize), etaS: null });
  const r = await runAsync(
    trainMultiTaskSteps({
      data, model, modelOptions, balancer, balancerOptions, epochs, seed, device,
      batchSize,
      lr: numFlag(flags, "lr", dataset === "census" ? 2e-3 : 1e-3),
      log: quiet ? () => {} : log,
      processGroup: pg ?? undefined,
    }),
    progressLoop("multibalance", { onProgress: bars }),
  );
  if (typeof flags.save === "string" && isCheckpointWriter(pg)) saveTrainingCheckpoint(flags.save, { model: r.model, optimizer: r.optimizer, balancer: r.balancer, extra: { dataset, epochs } });
  if (!quiet) log(`test: ${r.test.map(fmtMetrics).join(" | ")}`);
  const out: TrainMultitaskOutput = {
    dataset, model, balancer, device, seed, epochs, steps: r.steps, selected_epoch: r.selectedEpoch, qps: Math.round(r.qps),
    mean_weights: r.meanWeights,
    tasks: r.test.map((m) => ({ name: m.name, auc: m.auc, ne: m.ne, logloss: m.logLoss, mse: m.mse })),
  };
  r.model.dispose();
  r.balancer.dispose();
  r.optimizer.dispose();
  pg?.close();
  if (quiet) return { result: null };
  const chart = {
    kind: "line" as const, title: `train multitask: ${model} + ${balancer} on ${dataset}`, xLabel: "step", yLabel: "task loss (EMA)",
    series: r.test.map((m, t) => ({ name: m.name, points: smoothCurve(r.lossHistory.map((l, i) => [i + 1, l[t]] as [number, number]), 300) })),
  };
  return { result: { ...out }, chart };
}

export function benchBalanceCli(flags: Parsed["flags"]): unknown {
  const ds = flags.datasets === undefined ? undefined : (str(flags, "datasets", "").split(",") as ("census" | "synthetic")[]);
  if (ds && ds.some((d) => d !== "census" && d !== "synthetic")) throw new RangeError(`--datasets takes census and/or synthetic, got ${JSON.stringify(flags.datasets)}`);
  return benchBalance({ quick: !!flags.quick, datasets: ds });
}
