#!/usr/bin/env node
// Runs the ava suite with TAP output, streams it, and prints the summary line ava does
// not print: "N passed, N failed" (skipped tests are listed on the line before).
// --expect-skips KIND (CI passes no-gpu): the run's skipped tests must be exactly the ones
// test/expected_skips.js lists for that kind of machine; a difference either way is one more
// failure, with the titles printed. With test files given, only unexpected skips are checked
// (a subset cannot show every expected one).
// Exit status: non-zero when any test failed or ava itself failed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const argv = process.argv.slice(2);
let expectKind = null;
const i = argv.indexOf("--expect-skips");
if (i >= 0) {
  expectKind = argv[i + 1];
  argv.splice(i, 2);
}
const env = { ...process.env, RECFORGE_POISON: process.env.RECFORGE_POISON ?? "1" };
const args = ["ava", "--tap", ...argv];
const child = spawn("npx", args, { env, stdio: ["ignore", "pipe", "inherit"] });
let passed = 0, failed = 0, todo = 0;
const skippedTitles = [];
const rl = createInterface({ input: child.stdout });
rl.on("line", (line) => {
  process.stdout.write(line + "\n");
  const m = /^(not ok|ok)\b(?:\s+\d+)?(?:\s+-\s+)?(.*)$/.exec(line);
  if (!m) return;
  const skip = /\s# SKIP\b.*$/i.exec(m[2]);
  if (skip) skippedTitles.push(m[2].slice(0, skip.index).trim());
  else if (/# TODO/i.test(line)) todo++;
  else if (m[1] === "ok") passed++;
  else failed++;
});
child.on("close", async (code) => {
  if (code !== 0 && failed === 0) failed = 1; // ava failed outside a test (load error, timeout)
  const skipped = skippedTitles.length;
  if (skipped || todo) process.stdout.write(`${skipped} skipped, ${todo} todo\n`);
  if (expectKind !== null) {
    try {
      const { expectedSkips, compareSkips } = await import("../test/expected_skips.js");
      const expected = expectedSkips(expectKind);
      const { unexpected, missing } = compareSkips(skippedTitles, expected);
      const subset = argv.some((a) => !a.startsWith("-"));
      const bad = unexpected.length + (subset ? 0 : missing.length);
      for (const s of unexpected) process.stdout.write(`unexpected skip: ${s}\n`);
      if (!subset) for (const s of missing) process.stdout.write(`expected to skip (${expectKind}) but did not: ${s}\n`);
      process.stdout.write(`skip list (${expectKind}): ${skipped} skipped, ${expected.length} expected; ${bad ? `${unexpected.length} unexpected, ${subset ? "(subset run)" : `${missing.length} missing`}: FAIL` : "as expected"}\n`);
      if (bad) failed++;
    } catch (e) {
      process.stdout.write(`skip list (${expectKind}) could not be checked: ${e.message}\n`);
      failed++;
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
});
