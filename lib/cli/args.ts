// Flag access helpers for the command implementations. The command line itself is parsed
// strictly against the command table (flags.ts, commands.ts): by the time a command runs, its
// flags are known names with typed values (numbers as numbers). parseArgs is the old loose
// tokenizer, kept for unit tests that build flag records by hand.
export interface Parsed {
  positionals: string[];
  flags: Record<string, string | number | boolean>;
}

export function parseArgs(argv: string[]): Parsed {
  const positionals: string[] = [];
  const flags: Parsed["flags"] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[a.slice(2)] = argv[++i];
      else flags[a.slice(2)] = true;
    } else positionals.push(a);
  }
  return { positionals, flags };
}

export function numFlag(flags: Parsed["flags"], name: string, def: number): number {
  const v = flags[name];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RangeError(`--${name} expects a number, got ${JSON.stringify(v)}`);
  return n;
}

/** --device cpu|cuda (default cpu), as `train ctr`, `train greener` and `train multitask` take it. */
export function deviceFlag(flags: Parsed["flags"]): "cpu" | "cuda" {
  const v = flags.device;
  if (v === undefined) return "cpu";
  if (v !== "cpu" && v !== "cuda") throw new RangeError(`--device must be one of cpu, cuda, got ${JSON.stringify(v)}`);
  return v;
}
