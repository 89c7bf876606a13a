// Strict command-line parsing against a command's declared flags (lib/cli/commands.ts).
// An unknown or misspelt flag, a missing or malformed value, or a stray argument is a
// UsageError (a RangeError: the process exits with code 2) that names the flag, the value and
// the nearest valid flag, before anything is loaded or run. This file imports nothing that
// loads the native addon: `--help` and usage errors work without it.

export type FlagType = "boolean" | "number" | "integer" | "string" | "enum" | "list";

export interface FlagSpec {
  /** the long name without dashes: "epochs" for --epochs */
  name: string;
  type: FlagType;
  /** enum: the allowed values; list: the allowed items (omit for a free list) */
  values?: readonly string[];
  /** shown in the usage text; the parser does not inject it (commands apply their own, sometimes data-dependent, defaults) */
  default?: string | number | boolean;
  /** number / integer: smallest allowed value */
  min?: number;
  /** placeholder in the usage text (default from the type: N, X, V, a|b, A,B) */
  arg?: string;
  /** a further check of the parsed value: the reason it is wrong (a usage error quotes it), or null */
  check?: (value: FlagValue) => string | null;
  /** the command cannot run without it (a usage error names it) */
  required?: boolean;
  description: string;
}

export type FlagValue = string | number | boolean;
export type Flags = Record<string, FlagValue>;

/** A command-line mistake: exit code 2, printed with a pointer to `--help`. */
export class UsageError extends RangeError {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: "epcohs" → "epochs" is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[m][n];
}

/** The candidate nearest to `word` (a prefix of a candidate first; ties: the first in `candidates`' order). */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const c of candidates) {
    // An abbreviation ("q" for "quick") is the likeliest meaning whatever its edit distance.
    const d = word.length > 0 && c.startsWith(word) ? 0.5 : editDistance(word, c) - (word.startsWith(c) ? 0.5 : 0);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function placeholder(f: FlagSpec): string {
  if (f.arg) return f.arg;
  switch (f.type) {
    case "boolean": return "";
    case "number": return "X";
    case "integer": return "N";
    case "enum": return (f.values ?? []).join("|");
    case "list": return "A,B,...";
    default: return "V";
  }
}

/** "--epochs N" / "--device cpu|cuda" / "--json". */
export function flagSynopsis(f: FlagSpec): string {
  const p = placeholder(f);
  return p ? `--${f.name} ${p}` : `--${f.name}`;
}

/** The flag list of a usage text: one line per flag (wrapped description), defaults in parentheses. */
export function formatFlags(flags: readonly FlagSpec[]): string {
  const left = flags.map((f) => `  ${flagSynopsis(f)}`);
  const width = Math.min(34, Math.max(...left.map((l) => l.length)) + 2);
  return flags
    .map((f, i) => {
      const def = f.default === undefined ? "" : ` (default ${f.default})`;
      const text = f.description + def;
      return left[i].length + 1 > width ? `${left[i]}\n${" ".repeat(width)}${text}` : `${left[i].padEnd(width)}${text}`;
    })
    .join("\n");
}

function parseValue(f: FlagSpec, raw: string): FlagValue {
  const bad = (what: string) => new UsageError(`--${f.name} ${what}, got ${JSON.stringify(raw)}`);
  switch (f.type) {
    case "number":
    case "integer": {
      const v = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(v)) throw bad(f.type === "integer" ? "expects an integer" : "expects a number");
      if (f.type === "integer" && !Number.isInteger(v)) throw bad("expects an integer");
      if (f.min !== undefined && v < f.min) throw bad(`must be >= ${f.min}`);
      return v;
    }
    case "enum": {
      const values = f.values ?? [];
      if (!values.includes(raw)) {
        const near = nearest(raw, values);
        throw new UsageError(`--${f.name} must be one of ${values.join(", ")}, got ${JSON.stringify(raw)}${near ? ` (did you mean ${near}?)` : ""}`);
      }
      return raw;
    }
    case "list": {
      const items = raw.split(",").map((s) => s.trim());
      if (items.some((s) => s === "")) throw bad("expects a comma-separated list");
      if (f.values) {
        const wrong = items.find((s) => !f.values!.includes(s));
        if (wrong !== undefined) throw new UsageError(`--${f.name}: ${JSON.stringify(wrong)} is not one of ${f.values.join(", ")}${nearest(wrong, f.values) ? ` (did you mean ${nearest(wrong, f.values)}?)` : ""}`);
      }
      return items.join(",");
    }
    case "boolean": {
      if (raw === "true") return true;
      if (raw === "false") return false;
      throw bad("is a switch: give it alone (or =true / =false)");
    }
    default:
      return raw;
  }
}

export interface ParsedCommandLine {
  flags: Flags;
  help: boolean;
}

/**
 * Parses `argv` (after the command words) against `specs`: --name, --name value, --name=value,
 * -h / --help. Values are typed (numbers are numbers, enums checked, lists normalised); absent
 * flags stay absent. Throws a UsageError for anything else; `-h`/`--help` anywhere wins over
 * every other mistake (so a user who asks for help gets it).
 */
export function parseFlags(command: string, specs: readonly FlagSpec[], argv: readonly string[]): ParsedCommandLine {
  if (argv.includes("--help") || argv.includes("-h")) return { flags: {}, help: true };
  const byName = new Map(specs.map((f) => [f.name, f]));
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      const hint = a.startsWith("-") && a.length > 1 ? ` (flags take two dashes: did you mean --${nearest(a.replace(/^-+/, ""), [...byName.keys()]) ?? a.slice(1)}?)` : "";
      throw new UsageError(`${command}: unexpected argument ${JSON.stringify(a)}${hint}`);
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const f = byName.get(name);
    if (!f) {
      const near = nearest(name, [...byName.keys()]);
      throw new UsageError(`${command}: unknown flag --${name}${near ? `; did you mean --${near}?` : ` (it takes no flags)`}`);
    }
    let raw: string | null;
    if (eq > 0) raw = a.slice(eq + 1);
    else if (f.type === "boolean") raw = null;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) raw = argv[++i];
    else throw new UsageError(`--${name} needs a value (${flagSynopsis(f)})`);
    const value = raw === null ? true : parseValue(f, raw);
    const wrong = f.check?.(value);
    if (wrong) throw new UsageError(`--${name} ${wrong}, got ${JSON.stringify(raw ?? value)}`);
    flags[name] = value;
  }
  const missing = specs.filter((f) => f.required && flags[f.name] === undefined);
  if (missing.length) throw new UsageError(`${command} needs ${missing.map(flagSynopsis).join(" ")}`);
  return { flags, help: false };
}
