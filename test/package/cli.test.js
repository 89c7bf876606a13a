import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "bin", "recforge.js");

test("`recforge bench ops --json --quick` prints exactly one JSON object whose numbers are their parts", (t) => {
  // The bench sets OPENBLAS_CORETYPE only in its own child processes; this test's env never has it.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  const r = spawnSync(process.execPath, [cli, "bench", "ops", "--json", "--quick"], { encoding: "utf8", timeout: 600000, env });
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.deepEqual(j.matmul.map((m) => m.n), [256, 512, 1024, 2048]);
  const close = (x, y, what) => t.true(Math.abs(x - y) <= 0.06 + 2e-3 * Math.abs(y), `${what}: ${x} vs ${y}`);
  for (const m of j.matmul) {
    for (const k of ["n", "own_gflops", "blas_default_gflops", "blas_best_gflops", "dispatched_gflops"]) t.true(k in m, `matmul row lacks ${k}`);
    const flops = 2 * m.n ** 3;
    // GFLOP/s = 2n³ / ms for each side of the parent's alternated loop.
    close(m.own_gflops, flops / (m.ms.own * 1e6), `n=${m.n} own`);
    close(m.dispatched_gflops, flops / (m.ms.dispatched * 1e6), `n=${m.n} dispatched`);
    t.true(m.runs >= 3);
    // by_core[0] is the parent's loop: the row's own and default numbers are its numbers.
    t.is(m.by_core[0].requested, "default");
    t.is(m.by_core[0].own_gflops, m.own_gflops);
    t.is(m.by_core[0].blas_gflops, m.blas_default_gflops);
    if (m.blas_default_gflops === null) {
      t.is(m.blas_best_gflops, null);
      continue;
    }
    close(m.blas_default_gflops, flops / (m.ms.blas_default * 1e6), `n=${m.n} blas default`);
    close(m.own_vs_blas_default, m.own_gflops / m.blas_default_gflops, `n=${m.n} own / default`);
    // Best = the fastest library configuration that ran the core it was asked for; its ratio is
    // own / library from the same loop (same process) as that library time.
    const honoured = m.by_core.filter((c) => c.requested === "default" || (c.reported ?? "").toLowerCase() === c.requested.toLowerCase());
    const best = honoured.reduce((a, c) => (c.blas_gflops > a.blas_gflops ? c : a));
    t.is(m.blas_best_gflops, best.blas_gflops);
    t.is(m.own_vs_blas_best, best.own_vs_blas);
    close(m.dispatched_vs_blas_best, m.dispatched_gflops / m.blas_best_gflops, `n=${m.n} dispatched / best`);
    for (const c of m.by_core) {
      close(c.own_vs_blas, c.own_gflops / c.blas_gflops, `n=${m.n} ${c.requested} own / blas`);
      // Same inputs, same product (up to float32 summation order) in every process.
      t.true(c.own_vs_blas_rel_diff < 1e-4, `n=${m.n} ${c.requested}: own and library computed different products (${c.own_vs_blas_rel_diff})`);
    }
    t.true(m.dispatched_vs_blas_rel_diff < 1e-4);
  }
  t.true(Array.isArray(j.blas_core_types.tried) && j.blas_core_types.errors.length === 0, JSON.stringify(j.blas_core_types));
  // Memory-bound kernels against the bandwidth measured in the same run.
  t.true(j.memory.copy_gbps > 0 && j.memory.triad_gbps > 0);
  for (const k of ["softmax", "layernorm"]) {
    t.true(j[k].gbps > 0);
    close(j[k].gbps, (2 * 4 * j[k].rows * j[k].cols) / (j[k].ms * 1e6), `${k} GB/s`);
    close(j[k].of_copy_bandwidth, j[k].gbps / j.memory.copy_gbps, `${k} of copy bandwidth`);
  }
  t.true(j.overhead_us > 0);
  // The machine block, and provenance: commit, the command as typed, the machine with its BLAS core, load.
  t.true(typeof j.machine.cpu === "string" && ["baseline", "avx2", "avx512"].includes(j.machine.isa) && typeof j.machine.blas_core === "string");
  t.is(j.machine.gemm_dispatch, j.provenance.machine.gemm_dispatch);
  t.is(j.provenance.command, "recforge bench ops --json --quick");
  t.true(j.provenance.commit === null || /^[0-9a-f]{40}$/.test(j.provenance.commit));
  t.is(j.provenance.machine.blas_core, j.gemm_backend);
  t.true(typeof j.provenance.machine.cpu === "string" && typeof j.provenance.machine.isa === "string" && j.provenance.machine.cores > 0);
  t.is(j.provenance.load_start.length, 3);
  t.is(j.provenance.load_end.length, 3);
});

test("`recforge bench ops` without a CBLAS (RECFORGE_BLAS=own) reports the library columns as null and says why", (t) => {
  const env = { ...process.env, RECFORGE_BLAS: "own" };
  delete env.OPENBLAS_CORETYPE;
  const r = spawnSync(process.execPath, [cli, "bench", "ops", "--json", "--quick"], { encoding: "utf8", timeout: 600000, env });
  t.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.regex(j.machine.gemm_dispatch, /no CBLAS in use .* -> own GEMM for every shape/);
  t.deepEqual(j.blas_core_types.tried, []);
  t.true(j.blas_core_types.skipped.some((s) => /the library is not OpenBLAS/.test(s)));
  for (const m of j.matmul) {
    t.deepEqual([m.blas_default_gflops, m.blas_best_gflops, m.own_vs_blas_default, m.own_vs_blas_best], [null, null, null, null]);
    t.true(m.own_gflops > 0 && m.dispatched_gflops > 0);
  }
});

test("unknown commands fail with usage on stderr", (t) => {
  const r = spawnSync(process.execPath, [cli, "frobnicate"], { encoding: "utf8" });
  t.is(r.status, 2);
  t.regex(r.stderr, /unknown command/);
});
