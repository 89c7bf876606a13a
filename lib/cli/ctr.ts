// `recforge train ctr`: trains an LLM-style CTR model with SW or DTI prompts on MovieLens-1M,
// a generic interactions file or the embedded synthetic data, and reports SW-prompt test AUC
// and log loss. --json prints exactly one JSON object (logs and progress go to stderr).
import { numFlag, type Parsed } from "./args.js";
import { ProgressBar } from "./progress.js";
import { smoothCurve } from "./svg.js";
import type { CommandOutput } from "./command.js";
import { loadCtrData, datasetStats } from "../methods/dti/data/index.js";
import { trainCtr, type TrainCtrResult } from "../methods/dti/train.js";
import { loadTokenizer } from "../text/hf_tokenizer.js";
import type { ContextReach, Paradigm, PositionMode } from "../methods/dti/types.js";
import { initProcessGroup } from "../distributed/index.js";

function oneOf<T extends string>(flags: Parsed["flags"], name: string, allowed: readonly T[], def: T): T {
  const v = flags[name];
  if (v === undefined) return def;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    throw new RangeError(`--${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** --reach: a named mode or an integer number of interactions (validated against n by the prompt builder). */
function reachFlag(v: string | number | boolean | undefined): ContextReach {
  if (v === undefined) return "window";
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  if (typeof v === "string" && ["causal", "window", "chunk"].includes(v)) return v as ContextReach;
  throw new RangeError(`--reach must be causal, window, chunk or an integer >= 0, got ${JSON.stringify(v)}`);
}

function labelWords(v: string | number | boolean | undefined): [string, string] | undefined {
  if (v === undefined) return undefined;
  const w = typeof v === "string" ? v.split(",").map((x) => x.trim()) : [];
  if (w.length !== 2 || !w[0] || !w[1]) throw new RangeError(`--label-words expects two words separated by a comma, got ${JSON.stringify(v)}`);
  return [w[0], w[1]];
}

/** The result and its loss curve; the result is null on a rank other than 0 of a distributed run (it prints nothing). */
export async function runTrainCtr(flags: Parsed["flags"]): Promise<CommandOutput> {
  const pg = flags.distributed ? initProcessGroup() : null;
  const quiet = !!pg && pg.rank !== 0;
  if (typeof flags.data !== "string") throw new RangeError(`train ctr needs --data <dir|file|synthetic>`);
  const p = oneOf(flags, "paradigm", ["dti", "sw", "sliding-window"] as const, "dti");
  const paradigm: Paradigm = p === "dti" ? "dti" : "sliding-window";
  const int = (name: string, def: number) => numFlag(flags, name, def);
  const optInt = (name: string) => (flags[name] === undefined ? undefined : numFlag(flags, name, 0));
  const seed = int("seed", 0);
  const data = loadCtrData(flags.data, {
    maxUsers: optInt("users"),
    maxPerUser: optInt("max-per-user"),
    items: typeof flags.items === "string" ? flags.items : undefined,
    seed,
  });
  const st = datasetStats(data);
  if (pg && !quiet) process.stderr.write(`distributed: ${pg.size} rank(s), ${pg.backend}${pg.library ? ` (${pg.library})` : ""}\n`);
  if (!quiet) process.stderr.write(`data: ${data.name}: ${st.users} users, ${st.items} items, ${st.interactions} interactions (train ${st.train}, val ${st.val}, test ${st.test}), positive rate ${st.positiveRate.toFixed(3)}\n`);
  let bar: ProgressBar | null = null, evalBar: ProgressBar | null = null;
  const r: TrainCtrResult = await trainCtr({
    data,
    paradigm,
    k: int("k", 20),
    n: int("n", 20),
    contextReach: reachFlag(flags.reach),
    positions: oneOf<PositionMode>(flags, "positions", ["stream", "window-relative", "alibi"], "window-relative"),
    isolation: !flags["no-isolation"],
    prefix: typeof flags.prefix === "string" ? flags.prefix : undefined,
    labelWords: labelWords(flags["label-words"]),
    tokenizer: typeof flags.tokenizer === "string" ? loadTokenizer(flags.tokenizer) : undefined,
    epochs: int("epochs", 1),
    targetsPerStep: int("targets-per-step", 256),
    lr: flags.lr === undefined ? undefined : numFlag(flags, "lr", 0),
    seed,
    model: { dim: int("dim", 64), layers: int("layers", 2), heads: int("heads", 4), ffn: optInt("ffn") },
    device: oneOf(flags, "device", ["cpu", "cuda"] as const, "cpu"),
    mixedPrecision: (() => {
      const m = oneOf(flags, "mixed-precision", ["bf16", "fp16", "off"] as const, "off");
      return m === "off" ? false : m;
    })(),
    checkpoint: typeof flags.checkpoint === "string" ? flags.checkpoint : undefined,
    checkpointEvery: int("checkpoint-every", 50),
    processGroup: pg ?? undefined,
    onProgress: (e) => {
      if (quiet) return;
      if (e.phase === "train") {
        bar ??= new ProgressBar(paradigm === "dti" ? "train dti" : "train sw", e.totalSteps);
        bar.update(e.step, `loss ${e.lossEma.toFixed(4)}  ${(e.tokens / 1e6).toFixed(2)}M tok`);
      } else {
        evalBar ??= new ProgressBar("eval (SW)", e.totalSteps);
        evalBar.update(e.step);
      }
    },
  });
  const out = {
    data: data.name,
    paradigm: r.paradigm,
    k: r.k,
    n: r.n,
    contextReach: r.contextReach,
    positions: r.positions,
    epochs: r.epochs,
    steps: r.steps,
    targets: r.targets,
    auc: r.auc,
    logloss: r.logloss,
    seconds: +r.seconds.toFixed(3),
    tokens: r.tokens,
    tokens_per_target: +r.tokensPerTarget.toFixed(2),
    eval_targets: r.eval?.targets ?? 0,
    parameters: r.parameters,
    resumed_from: r.resumedFrom,
    mixed_precision: r.mixedPrecision,
    skipped_steps: r.skippedSteps,
    world_size: pg?.size ?? 1,
    final_loss: r.curve.length ? r.curve[r.curve.length - 1].loss : null,
  };
  pg?.close();
  if (quiet) return { result: null };
  const chart = {
    kind: "line" as const, title: `train ctr: ${paradigm === "dti" ? `DTI (k=${r.k})` : `SW (n=${r.n})`} on ${data.name}`, xLabel: "target updates", yLabel: "BCE loss (EMA)",
    series: [{ name: paradigm === "dti" ? `DTI k=${r.k}` : "sliding window", points: smoothCurve(r.curve.map((p) => [p.targets, p.loss] as [number, number])) }],
  };
  return { result: out, chart };
}
