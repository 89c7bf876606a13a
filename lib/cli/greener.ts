// `recforge train greener --data <reviews.json[.gz]> [--json] [options]`: prepares the data (cached),
// trains GREENer, and evaluates GREENer (ILP) / top-K / trigram blocking on the test pairs.
// Options: --epochs n (2), --hidden n (256), --lr x (2e-4), --batch n (32), --max-steps n,
// --dropout x (0.2), --seed n, --eval-limit n, --no-eval, --out checkpoint.safetensors,
// --quick (1 epoch, first 200 test pairs). Logs go to stderr; --json prints one JSON object.
// Loaded on demand by main.ts so the solver and tagger stay out of other commands' start-up.
import type { Parsed } from "./args.js";
import { numFlag } from "./args.js";

export function greenerOptionsFromFlags(flags: Parsed["flags"]) {
  const quick = !!flags.quick;
  const opt = (name: string) => (flags[name] === undefined ? undefined : numFlag(flags, name, 0));
  return {
    model: {
      ...(opt("hidden") !== undefined ? { hidden: opt("hidden") } : {}),
      ...(opt("dropout") !== undefined ? { dropout: opt("dropout") } : {}),
      ...(opt("seed") !== undefined ? { seed: opt("seed") } : {}),
    },
    train: {
      epochs: opt("epochs") ?? (quick ? 1 : 2),
      ...(opt("lr") !== undefined ? { lr: opt("lr") } : {}),
      ...(opt("batch") !== undefined ? { batchSize: opt("batch") } : {}),
      ...(opt("max-steps") !== undefined ? { maxSteps: opt("max-steps") } : {}),
      ...(opt("seed") !== undefined ? { seed: opt("seed") } : {}),
    },
    evalLimit: opt("eval-limit") ?? (quick ? 200 : undefined),
  };
}

export async function trainGreenerCommand(flags: Parsed["flags"], argv: string[] = []): Promise<number> {
  const { runGreener } = await import("../methods/greener/pipeline.js");
  const { musicalInstrumentsPath } = await import("../data/amazon.js");
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  const o = greenerOptionsFromFlags(flags);
  const run = await runGreener({
    file, ...o, evaluate: !flags["no-eval"], checkpoint: typeof flags.out === "string" ? flags.out : undefined,
    log: (m) => process.stderr.write(m + "\n"),
  });
  run.result.command = ["recforge", ...argv].join(" ");
  process.stdout.write((flags.json ? JSON.stringify(run.result) : JSON.stringify(run.result, null, 2)) + "\n");
  run.dispose();
  return 0;
}
