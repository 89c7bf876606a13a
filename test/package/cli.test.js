import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "bin", "recforge.js");

test("`recforge bench ops --json --quick` prints exactly one JSON object with the promised fields", (t) => {
  const r = spawnSync(process.execPath, [cli, "bench", "ops", "--json", "--quick"], { encoding: "utf8", timeout: 120000 });
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.deepEqual(j.matmul.map((m) => m.n), [256, 512, 1024, 2048]);
  for (const m of j.matmul) {
    t.true(m.gflops > 0);
    t.true(m.baseline === null ? typeof m.baseline_reason === "string" : m.baseline_gflops > 0);
  }
  t.true(j.softmax.gbps > 0 && j.layernorm.gbps > 0 && j.overhead_us > 0);
});

test("unknown commands fail with usage on stderr", (t) => {
  const r = spawnSync(process.execPath, [cli, "frobnicate"], { encoding: "utf8" });
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown command/);
});
