// docs/cli.md lists every command of the table with its current usage: the generated section
// must equal what the table produces now (regenerate: `node scripts/gen-cli-docs.mjs`), and the
// command lines quoted in the docs and the README must parse under the strict parser.
import test from "ava";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cliReference, DOCS_BEGIN, DOCS_END } from "../../dist/cli/docs.js";
import { COMMANDS, findCommand } from "../../dist/cli/commands.js";
import { parseFlags } from "../../dist/cli/flags.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const doc = fs.readFileSync(path.join(root, "docs/cli.md"), "utf8");

test("docs/cli.md's command reference is the table's (run `node scripts/gen-cli-docs.mjs` after changing lib/cli/commands.ts)", (t) => {
  const a = doc.indexOf(DOCS_BEGIN), b = doc.indexOf(DOCS_END);
  t.true(a >= 0 && b > a);
  t.is(doc.slice(a, b + DOCS_END.length), cliReference());
  for (const c of COMMANDS) t.true(doc.includes(`### recforge ${c.name}\n`), c.name);
});

test("docs/cli.md documents the exit codes", (t) => {
  for (const re of [/\| 0 \| success/, /\| 1 \| runtime failure/, /\| 2 \| usage error/]) t.regex(doc, re);
});

// `recforge <cmd> --flag value ...` lines in the README, docs/*.md and bench/results/*.md (the
// example commands users copy): each must name a command of the table and parse.
test("the command lines quoted in the README and docs parse", (t) => {
  const files = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`), ...fs.readdirSync(path.join(root, "bench/results")).filter((f) => f.endsWith(".md")).map((f) => `bench/results/${f}`)];
  let checked = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(root, f), "utf8");
    for (const m of text.matchAll(/(?:npx )?recforge ((?:train|bench) [a-z]+|demo|info)((?: --?[a-z0-9-]+(?:[ =](?!-)[^\s`|'"\\[\]<>#]+)?)*)/g)) {
      const line = m[0];
      const after = text.slice(m.index + line.length, m.index + line.length + 2);
      if (/\.\.\.|[<[]/.test(line) || /^ ?[<[|\\.]/.test(after)) continue; // a schematic line ("[--json]", "<dir>", "...", "a|b")
      const argv = line.replace(/^(npx )?recforge /, "").trim().split(/\s+/);
      if (argv.some((a) => /^[A-Z]$/.test(a))) continue; // a placeholder value ("--seed N")
      const found = findCommand(argv);
      if (!found) continue; // prose such as "recforge train" alone
      t.notThrows(() => parseFlags(found.command.name, found.command.flags.map((x) => ({ ...x, required: false })), argv.slice(found.words)), `${f}: ${line}`);
      checked++;
    }
  }
  t.true(checked > 10, `checked ${checked} command lines`);
});
