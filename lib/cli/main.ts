// The `recforge` command: a dispatcher over the command table (commands.ts). It parses strictly
// (flags.ts), prints usage for -h/--help without running anything, and maps outcomes to exit
// codes (docs/cli.md): 0 success, 1 runtime failure, 2 usage error. Nothing here loads the native
// addon until a command runs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS, findCommand, renderResult, usageOf, type Command } from "./commands.js";
import { nearest, parseFlags, UsageError } from "./flags.js";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export function version(): string {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
}

export function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return (
    `recforge <command> [flags]        (recforge <command> --help for a command's flags)\n\n` +
    COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n") +
    `\n\n  ${"help <command>".padEnd(width)}a command's usage\n  ${"--version".padEnd(width)}the package version\n\n` +
    `Logs and progress go to stderr; --json prints exactly one JSON object on stdout.\n` +
    `Exit codes: 0 success, 1 runtime failure, 2 usage error (unknown command or flag, bad value).`
  );
}

function unknownCommand(words: readonly string[]): UsageError {
  const asked = words.filter((w) => !w.startsWith("-")).slice(0, 2).join(" ");
  const group = COMMANDS.filter((c) => c.name.startsWith(words[0] + " "));
  if (group.length && (words.length < 2 || words[1].startsWith("-"))) {
    return new UsageError(`${words[0]} needs a subcommand: ${group.map((c) => c.name.split(" ")[1]).join(", ")}`);
  }
  const near = nearest(asked, COMMANDS.map((c) => c.name));
  return new UsageError(`unknown command ${JSON.stringify(asked)}${near ? `; did you mean "${near}"?` : ""}`);
}

/** A bar with an ETA over a benchmark's own units (bench/harness/timing.ts benchProgress); a new total or a count that goes back starts a new bar. */
async function showBenchProgress(name: string): Promise<void> {
  const [{ setBenchProgress }, { benchProgressBars }] = await Promise.all([import("../bench/timing.js"), import("./progress.js")]);
  setBenchProgress(benchProgressBars(name));
}

/** A bar left up by a run that stopped short (an error, a skipped section) gets its newline before anything else prints. */
async function releaseBars(): Promise<void> {
  const { releaseBar } = await import("./progress.js");
  releaseBar();
}

function say(s: string): void {
  process.stdout.write(s.endsWith("\n") ? s : s + "\n");
}

export async function main(argv: string[]): Promise<number> {
  let command: Command | null = null;
  try {
    if (argv[0] === "--version") {
      say(version());
      return EXIT.ok;
    }
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || (argv[0] === "help" && argv.length === 1)) {
      say(topUsage());
      return EXIT.ok;
    }
    // `recforge train --help`: the commands of that group.
    const group = COMMANDS.filter((c) => c.name.startsWith(argv[0] + " "));
    if (group.length && (argv[1] === "--help" || argv[1] === "-h")) {
      say(group.map((c) => `  ${c.name.padEnd(18)}${c.summary}`).join("\n") + `\n\n(recforge ${argv[0]} <subcommand> --help for its flags)`);
      return EXIT.ok;
    }
    if (argv[0] === "help") {
      const found = findCommand(argv.slice(1));
      if (!found) throw unknownCommand(argv.slice(1));
      say(usageOf(found.command));
      return EXIT.ok;
    }
    const found = findCommand(argv);
    if (!found) throw unknownCommand(argv);
    command = found.command;
    const { flags, help } = parseFlags(command.name, command.flags, argv.slice(found.words));
    if (help) {
      say(usageOf(command));
      return EXIT.ok;
    }
    const json = !!flags.json;
    if (command.name.startsWith("bench ")) await showBenchProgress(command.name);
    const out = await command.run(flags, { argv, json }).finally(releaseBars);
    if (out.result === null) return EXIT.ok; // a non-zero rank of a distributed run prints nothing
    const result = out.result;
    if (flags.plot) {
      const { benchChart, plotPath, writeChart } = await import("./plots.js");
      const chart = out.chart ?? (command.name.startsWith("bench ") ? benchChart(command.name.slice(6), result) : null);
      if (!chart) process.stderr.write(`recforge ${command.name}: --plot: nothing to plot in this result\n`);
      else {
        const outFlag = typeof flags.out === "string" ? flags.out : undefined;
        const file = plotPath(command.name, result, command.outIsDir ? outFlag : outFlag && path.dirname(outFlag));
        writeChart(file, chart);
        process.stderr.write(`plot: ${file}\n`);
        result.plot = file;
      }
    }
    say(json || out.forceJson ? JSON.stringify(result) : renderResult(command, result));
    return EXIT.ok;
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      const help = command ? `recforge ${command.name} --help` : "recforge --help";
      process.stderr.write(`recforge: ${err.message}\n(${help} lists the ${command ? "flags" : "commands"})\n`);
      return EXIT.usage;
    }
    process.stderr.write(`recforge${command ? " " + command.name : ""}: ${err.message}\n`);
    return EXIT.failure;
  }
}
