// `recforge train greener --data <reviews.json[.gz]> [--json] [options]`: prepares the data (cached),
// trains GREENer, and evaluates GREENer (ILP) / top-K / trigram blocking on the test pairs.
// Options (defaults in lib/methods/greener/pipeline.ts): --epochs n, --hidden n, --lr x,
// --batch n, --max-steps n, --dropout x, --seed n, --eval-limit n, --no-eval,
// --out checkpoint.safetensors, --device cpu|cuda (default cpu; training and scoring), --quick (smoke run: hidden 32, ≤ 60 steps, 200 test pairs).
// Selection and labels (docs/greener.md): --alpha x (ILP redundancy weight, ≥ 0) and --length-weight x (ILP
// length term λ, ≥ 0; 0 = the spec's objective) fix what is otherwise chosen on the validation pairs;
// --labels sentences|review (relevance labels; default the spec's "sentences"); --no-centrality (drop the
// typicality features).
// Logs and a progress bar go to stderr; --json prints one JSON object.
// Loaded on demand by commands.ts so the solver and tagger stay out of other commands' start-up.
import type { Parsed } from "./args.js";
import { deviceFlag, numFlag } from "./args.js";
import { ProgressBar } from "./progress.js";
import type { CommandOutput } from "./command.js";

/**
 * GREENer settings from command-line flags. --quick is a smoke run: hidden 32, one epoch of at
 * most 60 steps, the first 200 test / validation pairs (the defaults are in pipeline.ts).
 */
export function greenerOptionsFromFlags(flags: Parsed["flags"]) {
  const quick = !!flags.quick;
  const opt = (name: string) => (flags[name] === undefined ? undefined : numFlag(flags, name, 0));
  const hidden = opt("hidden") ?? (quick ? 32 : undefined);
  const maxSteps = opt("max-steps") ?? (quick ? 60 : undefined);
  const device = deviceFlag(flags);
  return {
    model: {
      ...(hidden !== undefined ? { hidden } : {}),
      ...(opt("dropout") !== undefined ? { dropout: opt("dropout") } : {}),
      ...(opt("seed") !== undefined ? { seed: opt("seed") } : {}),
    },
    train: {
      ...(opt("epochs") !== undefined || quick ? { epochs: opt("epochs") ?? 1 } : {}),
      ...(opt("lr") !== undefined ? { lr: opt("lr") } : {}),
      ...(opt("batch") !== undefined ? { batchSize: opt("batch") } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
      ...(opt("seed") !== undefined ? { seed: opt("seed") } : {}),
      ...(device !== "cpu" ? { device } : {}),
    },
    evalLimit: opt("eval-limit") ?? (quick ? 200 : undefined),
    ...selectionFlags(flags),
  };
}

/** --alpha, --length-weight, --labels, --no-centrality (only those given; validated here so a typo fails before data loading). */
export function selectionFlags(flags: Parsed["flags"]): { alpha?: number; lengthWeight?: number; labels?: "sentences" | "review"; centralityFeatures?: boolean } {
  const out: { alpha?: number; lengthWeight?: number; labels?: "sentences" | "review"; centralityFeatures?: boolean } = {};
  for (const [flag, key] of [["alpha", "alpha"], ["length-weight", "lengthWeight"]] as const) {
    if (flags[flag] === undefined) continue;
    const v = numFlag(flags, flag, 0);
    if (v < 0) throw new RangeError(`--${flag} must be >= 0, got ${v}`);
    out[key] = v;
  }
  if (flags.labels !== undefined) {
    if (flags.labels !== "sentences" && flags.labels !== "review") throw new RangeError(`--labels must be one of sentences, review, got ${JSON.stringify(flags.labels)}`);
    out.labels = flags.labels;
  }
  if (flags["no-centrality"]) out.centralityFeatures = false;
  return out;
}

/**
 * A progress bar over GREENer's training steps, driven by the pipeline's log lines (the trainer
 * reports through `log` only: "N training pairs labelled" gives the step count, "GREENer step S"
 * arrives every 50 steps, "GREENer epoch e/E" at epoch ends). Other lines pass through to stderr.
 * Also collects the running-mean losses for --plot. When the trainers report progress events
 * (the API work of issue 18, item 6), this becomes a per-step bar fed by them.
 */
export function greenerLogProgress(opts: { batchSize: number; epochs: number; maxSteps?: number; write?: (s: string) => void }) {
  const write = opts.write ?? ((s: string) => process.stderr.write(s + "\n"));
  let bar: ProgressBar | null = null, perEpoch = 0;
  const steps: [number, number][] = [], epochs: [number, number][] = [];
  const log = (m: string) => {
    let g = /greener: (\d+) training pairs labelled/.exec(m);
    if (g) {
      perEpoch = Math.ceil(Number(g[1]) / opts.batchSize);
      const total = Math.min(opts.maxSteps ?? Infinity, perEpoch * opts.epochs);
      write(m);
      bar = new ProgressBar("train greener", total);
      bar.update(0);
      return;
    }
    g = /^GREENer step (\d+): loss (-?[\d.]+)/.exec(m);
    if (g && bar) {
      steps.push([Number(g[1]), Number(g[2])]);
      bar.update(Number(g[1]), `loss ${g[2]}`);
      return;
    }
    g = /^GREENer epoch (\d+)\/\d+: loss (-?[\d.]+)/.exec(m);
    if (g && bar) {
      const e = Number(g[1]);
      epochs.push([Math.min(e * perEpoch, opts.maxSteps ?? Infinity), Number(g[2])]);
      bar.update(Math.min(e * perEpoch, opts.maxSteps ?? Infinity), `epoch ${e} loss ${g[2]}`);
      return;
    }
    if (/^greener: trained (\d+) steps/.test(m) && bar) {
      bar.setTotal(Number(/trained (\d+)/.exec(m)![1]));
      bar.update(Number(/trained (\d+)/.exec(m)![1]));
    }
    write(m);
  };
  return { log, steps, epochs, stepsPerEpoch: () => perEpoch };
}

export async function trainGreenerCommand(flags: Parsed["flags"], argv: string[] = []): Promise<CommandOutput> {
  const { runGreener, TRAIN_DEFAULTS } = await import("../methods/greener/pipeline.js");
  const { musicalInstrumentsPath } = await import("../data/reviews.js");
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  const o = greenerOptionsFromFlags(flags);
  const t = { ...TRAIN_DEFAULTS, ...o.train };
  const progress = greenerLogProgress({ batchSize: t.batchSize, epochs: t.epochs, maxSteps: t.maxSteps });
  const run = await runGreener({
    file, ...o, evaluate: !flags["no-eval"], checkpoint: typeof flags.out === "string" ? flags.out : undefined,
    log: progress.log, command: ["recforge", ...argv].join(" "),
  });
  const result = { ...run.result } as Record<string, unknown>;
  const { epochLoss, steps: trained } = run.result.training;
  run.dispose();
  const chart = {
    kind: "line" as const, title: "train greener: training loss", xLabel: "training step", yLabel: "loss (running mean within the epoch)",
    series: [
      { name: "total, every 50 steps", points: progress.steps },
      { name: "total, epoch mean", points: epochLoss.map((e, i) => [Math.min((i + 1) * progress.stepsPerEpoch(), trained), e.total] as [number, number]) },
    ],
  };
  return { result, chart };
}

/** `recforge bench explain [--json] [--quick] [--data f] [--no-greener] [GREENer options]`. */
export async function benchExplainGreenerCommand(flags: Parsed["flags"], argv: string[] = []): Promise<Record<string, unknown>> {
  const file = typeof flags.data === "string" ? flags.data : undefined;
  if (flags["no-greener"]) return (await import("./explain.js")).benchExplainCommand(flags);
  const { benchExplainWithGreener } = await import("../bench/explain_greener.js");
  const o = greenerOptionsFromFlags(flags);
  // The harness sets evalLimit itself (quick: the first 200 pairs, like its baselines).
  const { evalLimit: _evalLimit, ...greener } = o;
  const { TRAIN_DEFAULTS } = await import("../methods/greener/pipeline.js");
  const t = { ...TRAIN_DEFAULTS, ...o.train };
  const progress = greenerLogProgress({ batchSize: t.batchSize, epochs: t.epochs, maxSteps: t.maxSteps });
  return { ...(await benchExplainWithGreener({ quick: !!flags.quick, file, greener, command: ["recforge", ...argv].join(" "), log: progress.log })) };
}
