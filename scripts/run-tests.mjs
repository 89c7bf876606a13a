#!/usr/bin/env node
// Runs the ava suite with TAP output, streams it, and prints the summary line ava does
// not print: "N passed, N failed" (skipped tests are listed on the line before).
// Exit status: non-zero when any test failed or ava itself failed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const env = { ...process.env, RECFORGE_POISON: process.env.RECFORGE_POISON ?? "1" };
const args = ["ava", "--tap", ...process.argv.slice(2)];
const child = spawn("npx", args, { env, stdio: ["ignore", "pipe", "inherit"] });
let passed = 0, failed = 0, skipped = 0, todo = 0;
const rl = createInterface({ input: child.stdout });
rl.on("line", (line) => {
  process.stdout.write(line + "\n");
  const m = /^(not ok|ok)\b/.exec(line);
  if (!m) return;
  if (/# SKIP/i.test(line)) skipped++;
  else if (/# TODO/i.test(line)) todo++;
  else if (m[1] === "ok") passed++;
  else failed++;
});
child.on("close", (code) => {
  if (code !== 0 && failed === 0) failed = 1; // ava failed outside a test (load error, timeout)
  if (skipped || todo) process.stdout.write(`${skipped} skipped, ${todo} todo\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
});
