// `recforge train cop`: LS-DQN training (lib/methods/lsdqn/train/dqn.ts) on generated instances.
import { numFlag, type Parsed } from "./args.js";
import { ProgressBar } from "./progress.js";
import { trainCop, type CopFamily } from "../methods/lsdqn/train/dqn.js";
import type { CopProblem } from "../methods/lsdqn/env/cop_env.js";

export const TRAIN_COP_USAGE = `recforge train cop --problem maxcut|kcut|tsp [options]
  LS-DQN: N-step double DQN over reversible local-search moves (flip / swap / 2-opt), CPU.
  --n N               nodes (maxcut, tsp; default 20)        --k K --m M   k-cut: k clusters of m nodes (default 5, 6)
  --family points|er|ba   Max-Cut training law (default points: distances of uniform points)
  --steps S           environment steps (default 1000)        --env-batch B   instances acting at once (default 8)
  --batch M           minibatch (default 16)                  --replay R      replay capacity (default 5000)
  --n-step N (2)  --gamma g (0.9)  --lr x (1e-4)  --hidden d (64)  --rounds T (3)  --target-every U (100)
  --eps-start (1) --eps-end (0.05) --eps-decay fraction of steps (0.5)   --seed s (1)
  --checkpoint file   save every --checkpoint-every steps and at the end; --resume continues from it
  --json              print the result as JSON`;

export function runTrainCop(flags: Parsed["flags"]): Record<string, unknown> {
  const problem = flags.problem;
  if (problem !== "maxcut" && problem !== "kcut" && problem !== "tsp")
    throw new RangeError(`--problem must be one of maxcut, kcut, tsp, got ${JSON.stringify(problem)}`);
  const family = (flags.family ?? "points") as CopFamily;
  if (!["points", "er", "ba"].includes(family)) throw new RangeError(`--family must be one of points, er, ba, got ${JSON.stringify(flags.family)}`);
  const steps = numFlag(flags, "steps", 1000);
  const bar = new ProgressBar(`train ${problem}`, steps, !flags.json && !flags.quiet);
  const r = trainCop({
    problem: problem as CopProblem, family, steps,
    n: numFlag(flags, "n", 20), k: numFlag(flags, "k", 5), m: numFlag(flags, "m", 6),
    envBatch: numFlag(flags, "env-batch", 8), batchSize: numFlag(flags, "batch", 16), replay: numFlag(flags, "replay", 5000),
    nStep: numFlag(flags, "n-step", 2), gamma: numFlag(flags, "gamma", 0.9), lr: numFlag(flags, "lr", 1e-4),
    hidden: numFlag(flags, "hidden", 64), rounds: numFlag(flags, "rounds", 3), targetEvery: numFlag(flags, "target-every", 100),
    epsStart: numFlag(flags, "eps-start", 1), epsEnd: numFlag(flags, "eps-end", 0.05), epsDecay: numFlag(flags, "eps-decay", 0.5),
    seed: numFlag(flags, "seed", 1),
    checkpoint: typeof flags.checkpoint === "string" ? flags.checkpoint : undefined,
    checkpointEvery: flags["checkpoint-every"] === undefined ? undefined : numFlag(flags, "checkpoint-every", 0),
    resume: !!flags.resume,
    onProgress: (p) => bar.update(p.step, `ε ${p.epsilon.toFixed(2)} loss ${Number.isNaN(p.loss) ? "-" : p.loss.toExponential(2)}`),
  });
  const out = { problem: r.problem, n: r.n, steps: r.steps, updates: r.updates, resumedFrom: r.resumedFrom, earlyLoss: r.earlyLoss, recentLoss: r.recentLoss, validation: r.validation };
  if (!flags.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return out;
}
