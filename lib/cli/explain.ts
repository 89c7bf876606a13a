// `recforge bench explain [--json] [--quick] [--data file]`: GREENer's sentence selection
// (ILP timing, brute-force agreement) and the quality of the explanation baselines.
// Loaded on demand by commands.ts so the solver and tagger stay out of other commands' start-up.
import type { Parsed } from "./args.js";

export async function benchExplainCommand(flags: Parsed["flags"]): Promise<Record<string, unknown>> {
  const { benchExplain } = await import("../bench/explain.js");
  const file = typeof flags.data === "string" ? flags.data : undefined;
  return { ...(await benchExplain({ quick: !!flags.quick, file })) };
}
