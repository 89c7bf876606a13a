// The shape of one entry of the command table (commands.ts) and of what its run returns. A file
// of its own so the command implementations can name CommandOutput without importing the table
// (which imports them on demand: no cycle).
import type { FlagSpec, Flags } from "./flags.js";
import type { Chart } from "./svg.js";

export interface RunContext {
  /** the full argument list (for result files' provenance) */
  argv: string[];
  /** --json: logs and progress only on stderr, one JSON object on stdout */
  json: boolean;
}

export interface CommandOutput {
  /** the result (printed as JSON with --json, rendered as tables otherwise); null: print nothing (a non-zero rank) */
  result: Record<string, unknown> | null;
  /** what --plot draws (train: loss curves; bench: from the result, see plots.ts) */
  chart?: Chart | null;
  /** print the result as JSON even without --json (bench compexp --seed-only children) */
  forceJson?: boolean;
}

export interface Command {
  /** the command words: "train ctr" */
  name: string;
  /** one line for `recforge --help` */
  summary: string;
  /** after the command name in the usage line (required flags first) */
  synopsis?: string;
  /** notes printed after the flag list */
  notes?: string;
  flags: FlagSpec[];
  /** --out names a folder (result files, charts) rather than a file */
  outIsDir?: boolean;
  run(flags: Flags, ctx: RunContext): Promise<CommandOutput>;
  /** the human rendering of a result (default: renderObject) */
  render?(result: Record<string, unknown>): string;
}
