// `recforge` as a user runs it (bin/recforge.js in a child process): every command in the table
// rejects a misspelt flag with exit code 2 naming the nearest flag, prints its usage for
// -h/--help without running anything (with the native addon made unloadable), --version, help,
// unknown commands, --json as exactly one object, and --plot writing a well-formed SVG.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { COMMANDS, usageOf } from "../../dist/cli/commands.js";
import { nearest } from "../../dist/cli/flags.js";
import { parseXml, findAll, pathVertices } from "./fixtures/xml.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BIN = path.join(root, "bin/recforge.js");
const NO_ADDON = path.join(root, "test/cli/fixtures/no-addon.mjs");
const cli = (args, opts = {}) =>
  spawnSync(process.execPath, [...(opts.noAddon ? ["--import", NO_ADDON] : []), BIN, ...args], {
    encoding: "utf8", timeout: opts.timeout ?? 60000, cwd: opts.cwd ?? root,
    env: { ...process.env, ...(opts.noAddon ? { PREBUILDS_ONLY: "1" } : {}) },
  });

/** A misspelling of one of the command's flags whose nearest valid flag is that flag. */
function misspell(c) {
  const names = c.flags.map((f) => f.name);
  for (const f of [...c.flags].sort((a, b) => b.name.length - a.name.length)) {
    const n = f.name;
    for (const typo of [n.slice(0, 1) + n.slice(2, 3) + n.slice(1, 2) + n.slice(3), n + "s", n.slice(0, -1) + "x"]) {
      if (typo !== n && !names.includes(typo) && nearest(typo, names) === n) return { typo, flag: n };
    }
  }
  throw new Error(`no misspelling found for ${c.name}`);
}

test("the table covers the commands and every command has a unique name and flag names", (t) => {
  const names = COMMANDS.map((c) => c.name);
  t.is(new Set(names).size, names.length);
  for (const n of ["demo", "info", "train ctr", "train cop", "train greener", "train seqrec", "train compexp", "train multitask",
    "bench ops", "bench dti", "bench gnn", "bench gru", "bench cop", "bench compexp", "bench explain", "bench seqrec", "bench balance"]) t.true(names.includes(n), n);
  for (const c of COMMANDS) {
    const flags = c.flags.map((f) => f.name);
    t.is(new Set(flags).size, flags.length, c.name);
    t.true(flags.includes("json"), `${c.name} has --json`);
    if (/^(train|bench) /.test(c.name)) t.true(flags.includes("plot"), `${c.name} has --plot`);
  }
});

for (const c of COMMANDS) {
  test(`${c.name}: a misspelt flag is a usage error (exit 2) naming the nearest flag; nothing runs`, (t) => {
    const { typo, flag } = misspell(c);
    const r = cli([...c.name.split(" "), `--${typo}`], { noAddon: true });
    t.is(r.status, 2, r.stderr);
    t.true(r.stderr.includes(`unknown flag --${typo}; did you mean --${flag}?`), r.stderr);
    t.is(r.stdout, "");
  });

  test(`${c.name} --help / -h / help: its usage on stdout, exit 0, without the native addon`, (t) => {
    const usage = usageOf(c) + "\n";
    for (const args of [[...c.name.split(" "), "--help"], [...c.name.split(" "), "--nonsense", "-h"], ["help", ...c.name.split(" ")]]) {
      const r = cli(args, { noAddon: true });
      t.is(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      t.is(r.stdout, usage);
      t.is(r.stderr, "");
    }
    for (const f of c.flags) t.true(usage.includes(`--${f.name}`), `${c.name} usage lists --${f.name}`);
  });

  const e = c.flags.find((f) => f.type === "enum");
  if (e)
    test(`${c.name}: a bad --${e.name} value is a usage error naming the flag and the value`, (t) => {
      const r = cli([...c.name.split(" "), `--${e.name}`, "bogus"], { noAddon: true });
      t.is(r.status, 2);
      t.regex(r.stderr, new RegExp(`--${e.name} must be one of .*got "bogus"`));
    });
}

test("the addon-blocking hook works: info, which needs the addon, fails with exit 1", (t) => {
  const r = cli(["info"], { noAddon: true });
  t.is(r.status, 1);
  t.regex(r.stderr, /native addon is made unloadable|native addon could not be loaded/);
});

test("recforge, --help, help: the command list; --version: package.json's version", (t) => {
  for (const args of [[], ["--help"], ["-h"], ["help"]]) {
    const r = cli(args, { noAddon: true });
    t.is(r.status, 0);
    for (const c of COMMANDS) t.true(r.stdout.includes(`  ${c.name} `), `${args}: ${c.name}`);
    t.regex(r.stdout, /Exit codes: 0 success, 1 runtime failure, 2 usage error/);
  }
  const v = cli(["--version"], { noAddon: true });
  t.is(v.status, 0);
  t.is(v.stdout, JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version + "\n");
});

test("unknown commands name the nearest command; a group without a subcommand lists them", (t) => {
  let r = cli(["trian", "ctr"], { noAddon: true });
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown command "trian ctr"; did you mean "train ctr"\?/);
  r = cli(["bench", "seqrc"], { noAddon: true });
  t.is(r.status, 2);
  t.regex(r.stderr, /did you mean "bench seqrec"\?/);
  r = cli(["train"], { noAddon: true });
  t.is(r.status, 2);
  t.regex(r.stderr, /train needs a subcommand: ctr, cop, greener, seqrec, compexp, multitask/);
  r = cli(["train", "--help"], { noAddon: true });
  t.is(r.status, 0);
  for (const c of COMMANDS.filter((x) => x.name.startsWith("train "))) t.true(r.stdout.includes(c.name), c.name);
  t.false(r.stdout.includes("bench ops"));
  r = cli(["help", "bench", "nope"], { noAddon: true });
  t.is(r.status, 2);
});

const tinyCop = ["train", "cop", "--problem", "maxcut", "--n", "6", "--steps", "24", "--hidden", "8", "--rounds", "1", "--env-batch", "2", "--batch", "4"];

test("--json: exactly one JSON object on stdout; progress (with ETA) on stderr; human output is a table", (t) => {
  const r = cli([...tinyCop, "--json"]);
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.is(typeof j, "object");
  t.is(j.problem, "maxcut");
  t.is(j.steps, 24);
  t.regex(r.stderr, /train maxcut\s+\[#+\] 100% 24\/24 .*done/);
  t.regex(r.stderr, /ETA /);
  const h = cli(tinyCop);
  t.is(h.status, 0, h.stderr);
  t.regex(h.stdout, /field\s+value\n\s+-+\s+-+\n\s+problem\s+maxcut/);
  t.throws(() => JSON.parse(h.stdout));
});

test("--plot: train writes its loss curve as a well-formed SVG in --out (path on stderr and in the result)", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-cli-plot-"));
  try {
    const r = cli([...tinyCop, "--plot", "--out", dir, "--json"]);
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    t.is(path.dirname(j.plot), dir);
    t.regex(path.basename(j.plot), /^train-cop-\d{4}-\d{2}-\d{2}\.svg$/);
    t.true(r.stderr.includes(`plot: ${j.plot}`));
    const svg = parseXml(fs.readFileSync(j.plot, "utf8"));
    t.is(svg.name, "svg");
    const paths = findAll(svg, (e) => e.name === "path" && e.attrs.class === "series");
    t.is(paths.length, 1);
    const v = pathVertices(paths[0].attrs.d);
    // one vertex per step with a finite TD loss (the first updates start after the replay warm-up)
    t.true(v.length >= 1 && v.length <= 24, String(v.length));
    // without --out: the working directory, and the path is said
    const r2 = cli([...tinyCop, "--plot"], { cwd: dir });
    t.is(r2.status, 0, r2.stderr);
    t.regex(r2.stderr, /plot: train-cop-\d{4}-\d{2}-\d{2}\.svg/);
    t.regex(r2.stdout, /plot\s+train-cop-/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("--plot on a bench command: its main comparison as a bar chart beside the result file in --out", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-cli-benchplot-"));
  try {
    const r = cli(["bench", "cop", "--quick", "--only", "A", "--plot", "--out", dir, "--json"], { timeout: 300000 });
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    t.is(path.dirname(j.plot), dir);
    t.true(fs.readdirSync(dir).some((f) => /^cop-.*\.json$/.test(f)), "the result file is there too");
    t.regex(r.stderr, /bench cop\s+\[#+\] 100% 2\/2 .*done/); // the bar: training, then table A
    const svg = parseXml(fs.readFileSync(j.plot, "utf8"));
    const groups = findAll(svg, (e) => e.name === "g" && e.attrs.class === "series");
    const methods = [...new Set(j.maxcut.map((x) => x.method))];
    t.deepEqual(groups.map((g) => g.attrs["data-name"]), methods);
    // one bar per (method, graph size) row of table A
    t.is(groups.reduce((a, g) => a + findAll(g, (e) => e.name === "rect").length, 0), j.maxcut.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a runtime failure exits 1 with the message (no stack trace)", (t) => {
  const r = cli(["train", "ctr", "--data", path.join(os.tmpdir(), "recforge-no-such-file.csv")]);
  t.is(r.status, 1);
  t.regex(r.stderr, /^recforge train ctr: /m);
  t.notRegex(r.stderr, /\n\s+at /);
});
