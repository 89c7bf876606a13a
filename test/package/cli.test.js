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
    // The reported numbers are their parts: GFLOP/s = 2n³ / ms, ratio = ours / baseline, both
    // measured in the same alternated runs (a baseline time per run of ours).
    const flops = 2 * m.n ** 3;
    t.true(Math.abs(m.gflops - flops / (m.ms * 1e6)) <= 0.05 + 1e-3 * m.gflops, `n=${m.n}: ${m.gflops} vs ${flops / (m.ms * 1e6)}`);
    t.true(m.runs >= 3);
    if (m.baseline !== null) {
      t.true(Math.abs(m.baseline_gflops - flops / (m.baseline_ms * 1e6)) <= 0.05 + 1e-3 * m.baseline_gflops);
      t.true(m.baseline_rel_diff < 1e-4, `n=${m.n}: ours and the baseline computed different products (${m.baseline_rel_diff})`);
      t.true(Math.abs(m.ratio - m.baseline_ms / m.ms) <= 1e-3 * m.ratio + 1e-3, `ratio ${m.ratio} vs ${m.baseline_ms}/${m.ms}`);
    } else t.is(m.ratio, null);
  }
  t.true(j.softmax.gbps > 0 && j.layernorm.gbps > 0 && j.overhead_us > 0);
  // Provenance: commit, the command as typed, the machine with its BLAS core, load at start and end.
  t.is(j.provenance.command, "recforge bench ops --json --quick");
  t.true(j.provenance.commit === null || /^[0-9a-f]{40}$/.test(j.provenance.commit));
  t.is(j.provenance.machine.blas_core, j.gemm_backend);
  t.true(typeof j.provenance.machine.cpu === "string" && typeof j.provenance.machine.isa === "string" && j.provenance.machine.cores > 0);
  t.is(j.provenance.load_start.length, 3);
  t.is(j.provenance.load_end.length, 3);
});

test("unknown commands fail with usage on stderr", (t) => {
  const r = spawnSync(process.execPath, [cli, "frobnicate"], { encoding: "utf8" });
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown command/);
});
