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
import { trainerProgressBars } from "./progress.js";
import type { TrainerProgress } from "../api/progress.js";
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
 * GREENer's progress in the CLI: runGreener reports every boundary (lib/api progressLoop events:
 * preparation stages, every optimiser step, validation and test scoring and selection) and a bar
 * per pass draws them (trainerProgressBars). Also collects, per step, the running mean of the
 * training loss within its epoch (--plot) and the epochs' mean losses.
 */
export async function greenerCliProgress(opts: { bars?: (e: TrainerProgress) => void } = {}) {
  const { progressLoop } = await import("../api/progress.js");
  const bars = opts.bars ?? trainerProgressBars("greener");
  const steps: [number, number][] = [];
  /** epoch → its last step */
  const epochEnds = new Map<number, number>();
  let epoch = 0, sum = 0, n = 0;
  const loop = progressLoop("greener", {
    onProgress: (e) => {
      bars(e);
      if (e.phase !== "train" || e.loss === undefined) return;
      if (e.epoch !== epoch) [epoch, sum, n] = [e.epoch, 0, 0];
      sum += e.loss;
      n++;
      steps.push([e.step, sum / n]);
      epochEnds.set(e.epoch, e.step);
    },
  });
  return { loop, steps, epochEnds };
}

export async function trainGreenerCommand(flags: Parsed["flags"], argv: string[] = []): Promise<CommandOutput> {
  const { runGreener } = await import("../methods/greener/pipeline.js");
  const { musicalInstrumentsPath } = await import("../data/reviews.js");
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  const o = greenerOptionsFromFlags(flags);
  const progress = await greenerCliProgress();
  const run = await runGreener({
    file, ...o, evaluate: !flags["no-eval"], checkpoint: typeof flags.out === "string" ? flags.out : undefined,
    log: (m) => process.stderr.write(m + "\n"), loop: progress.loop, command: ["recforge", ...argv].join(" "),
  });
  const result = { ...run.result } as Record<string, unknown>;
  const { epochLoss } = run.result.training;
  run.dispose();
  const chart = {
    kind: "line" as const, title: "train greener: training loss", xLabel: "training step", yLabel: "loss (running mean within the epoch)",
    series: [
      { name: "total, running mean (every step)", points: progress.steps },
      { name: "total, epoch mean", points: epochLoss.map((e, i) => [progress.epochEnds.get(i + 1) ?? i + 1, e.total] as [number, number]) },
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
  const progress = await greenerCliProgress();
  return { ...(await benchExplainWithGreener({ quick: !!flags.quick, file, greener, command: ["recforge", ...argv].join(" "), loop: progress.loop })) };
}

/**
 * `recforge bench greener-fair [--data f] [--domain name] [--seeds 0,1,2] [--variants spec,review-labels,lsa]
 * [--max-epochs 2] [--design-seeds n] [--validation-limit n] [--test-limit n] [--train-limit n] [--hidden n] [--resamples n]
 * [--fusion w1,w2,..] [--quick] [--out dir] [--tag name] [--json]`: GREENer against tuned baselines, every choice on validation
 * (lib/methods/greener/fair.ts). --out DIR writes DIR/greener-fair-<domain>-<date>[-<tag>][-quick].json.
 * --fusion adds the ENSEMBLE row "greener+standin-ilp" (GREENer + w · stand-in z-scores, w chosen on validation).
 * --quick: small settings (hidden 32, 300 training pairs, 100 validation / test pairs, 200 resamples).
 */
export async function benchGreenerFairCommand(flags: Parsed["flags"], argv: string[] = []): Promise<Record<string, unknown>> {
  const { runGreenerFair, VARIANTS } = await import("../methods/greener/fair.js");
  const { musicalInstrumentsPath } = await import("../data/reviews.js");
  const fs = await import("node:fs");
  const path = await import("node:path");
  const quick = !!flags.quick;
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  const domain = typeof flags.domain === "string" ? flags.domain : "musical-instruments";
  if (!/^[a-z0-9-]+$/.test(domain)) throw new RangeError(`--domain must be lower-case letters, digits and '-', got ${JSON.stringify(domain)}`);
  const list = (name: string) => (typeof flags[name] === "string" ? String(flags[name]).split(",").filter(Boolean) : undefined);
  const seeds = list("seeds")?.map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`--seeds must be non-negative integers, got ${JSON.stringify(s)}`);
    return v;
  });
  const variants = list("variants");
  const fusion = list("fusion")?.map((s) => {
    const v = Number(s);
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`--fusion weights must be numbers >= 0, got ${JSON.stringify(s)}`);
    return v;
  });
  for (const v of variants ?? []) if (!(v in VARIANTS)) throw new RangeError(`--variants: unknown ${JSON.stringify(v)} (one of ${Object.keys(VARIANTS).join(", ")})`);
  const opt = (name: string) => {
    if (flags[name] === undefined) return undefined;
    const v = numFlag(flags, name, 0);
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`--${name} must be an integer >= 1, got ${flags[name]}`);
    return v;
  };
  const out = typeof flags.out === "string" ? flags.out : null;
  const tag = typeof flags.tag === "string" ? flags.tag : null;
  if (tag !== null && !/^[a-z0-9-]+$/.test(tag)) throw new RangeError(`--tag must be lower-case letters, digits and '-', got ${JSON.stringify(tag)}`);
  const reduced: string[] = [];
  const o = {
    file, domain, seeds: seeds ?? [0, 1, 2],
    variants: variants as never,
    maxEpochs: opt("max-epochs") ?? 2,
    designSeeds: opt("design-seeds"),
    validationLimit: opt("validation-limit") ?? (quick ? 100 : undefined),
    testLimit: opt("test-limit") ?? (quick ? 100 : undefined),
    trainLimit: opt("train-limit") ?? (quick ? 300 : undefined),
    hidden: opt("hidden") ?? (quick ? 32 : undefined),
    resamples: opt("resamples") ?? (quick ? 200 : 1000),
    ...(fusion ? { fusion } : {}),
  };
  if (quick) reduced.push("--quick smoke run");
  if (o.validationLimit !== undefined) reduced.push(`first ${o.validationLimit} validation pairs`);
  if (o.testLimit !== undefined) reduced.push(`first ${o.testLimit} test pairs`);
  if (o.trainLimit !== undefined) reduced.push(`a seeded sample of ${o.trainLimit} training pairs`);
  if (o.hidden !== undefined) reduced.push(`hidden ${o.hidden}`);
  if (o.designSeeds !== undefined && o.designSeeds < o.seeds.length) reduced.push(`the design (variant, epochs) chosen on the validation mean over the first ${o.designSeeds} of ${o.seeds.length} seeds`);
  const { benchProgress } = await import("../bench/timing.js");
  const r = await runGreenerFair({
    ...o, protocolNote: reduced.length ? reduced.join("; ") : null as never,
    log: (m) => process.stderr.write(m + "\n"), progress: benchProgress, command: ["recforge", ...argv].join(" "),
  });
  if (out) {
    const date = new Date().toISOString().slice(0, 10);
    const f = path.join(out, `greener-fair-${domain}-${date}${tag ? "-" + tag : ""}${quick ? "-quick" : ""}.json`);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(f, JSON.stringify(r, null, 2) + "\n");
    process.stderr.write(`greener-fair: wrote ${f}\n`);
  }
  return { ...(r as unknown as Record<string, unknown>) };
}
