// `recforge train cop`: LS-DQN training (lib/methods/lsdqn/train/dqn.ts) on generated instances.
import { numFlag, type Parsed } from "./args.js";
import { ProgressBar } from "./progress.js";
import { smoothCurve } from "./svg.js";
import type { CommandOutput } from "./command.js";
import { trainCop, type CopFamily } from "../methods/lsdqn/train/dqn.js";
import type { CopProblem } from "../methods/lsdqn/env/cop_env.js";

export async function runTrainCop(flags: Parsed["flags"]): Promise<CommandOutput> {
  const problem = flags.problem;
  if (problem !== "maxcut" && problem !== "kcut" && problem !== "tsp")
    throw new RangeError(`--problem must be one of maxcut, kcut, tsp, got ${JSON.stringify(problem)}`);
  const family = (flags.family ?? "points") as CopFamily;
  if (!["points", "er", "ba", "gsetmix"].includes(family)) throw new RangeError(`--family must be one of points, er, ba, gsetmix, got ${JSON.stringify(flags.family)}`);
  const steps = numFlag(flags, "steps", 1000);
  const bar = new ProgressBar(`train ${problem}`, steps, !flags.quiet);
  const losses: [number, number][] = [];
  const r = await trainCop({
    problem: problem as CopProblem, family, steps,
    n: numFlag(flags, "n", 20), k: numFlag(flags, "k", 5), m: numFlag(flags, "m", 6),
    envBatch: numFlag(flags, "env-batch", 8), batchSize: numFlag(flags, "batch", 16), replay: numFlag(flags, "replay", 5000),
    nStep: numFlag(flags, "n-step", 2), gamma: numFlag(flags, "gamma", 0.9), lr: numFlag(flags, "lr", 1e-4),
    hidden: numFlag(flags, "hidden", 64), rounds: numFlag(flags, "rounds", 3), targetEvery: numFlag(flags, "target-every", 100),
    epsStart: numFlag(flags, "eps-start", 1), epsEnd: numFlag(flags, "eps-end", 0.05), epsDecay: numFlag(flags, "eps-decay", 0.5),
    seed: numFlag(flags, "seed", 1),
    gains: problem === "kcut" ? false : flags.features !== "plain",
    residual: flags["q-form"] === "residual",
    checkpoint: typeof flags.checkpoint === "string" ? flags.checkpoint : undefined,
    checkpointEvery: flags["checkpoint-every"] === undefined ? undefined : numFlag(flags, "checkpoint-every", 0),
    resume: !!flags.resume,
    onProgress: (p) => {
      if (Number.isFinite(p.loss)) losses.push([p.step, p.loss]);
      bar.update(p.step, `ε ${p.epsilon.toFixed(2)} loss ${Number.isNaN(p.loss) ? "-" : p.loss.toExponential(2)}`);
    },
  });
  const out = { problem: r.problem, features: r.net.gains ? "gain" : "plain", qForm: r.net.residual ? "residual" : "full", n: r.n, steps: r.steps, updates: r.updates, resumedFrom: r.resumedFrom, earlyLoss: r.earlyLoss, recentLoss: r.recentLoss, validation: r.validation };
  const chart = { kind: "line" as const, title: `train cop: LS-DQN on ${problem}`, xLabel: "environment step", yLabel: "TD loss (EMA)", series: [{ name: "TD loss", points: smoothCurve(losses) }] };
  return { result: out, chart };
}
