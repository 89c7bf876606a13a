// The CPU GEMM dispatch never hands its products to a library whose kernels are narrower than the
// own kernels' ISA (native/cpu/gemm_choice.cc, issue 16 item 1), and says why in backends() /
// `recforge info`. A machine whose OpenBLAS does not know the CPU (and falls back to its generic
// Prescott kernels) is simulated with RECFORGE_SIMULATE_BLAS_CORE in a child process (the choice is
// made once per process); OPENBLAS_CORETYPE is never touched.
//
// Which path ran is checked by its result, not by timing: a square product through the dispatch
// must be bit-for-bit the own kernel's (gemmOwnF32) or the library's (cblasSgemm), and the two
// differ in the last bits (different summation orders), which the script checks first. The
// product is 320³; the tests of the library's choice run with the mid-size band off
// (RECFORGE_GEMM_OWN_MID=0: with it, a pooled library of the own kernels' width leaves products with
// every dimension in 257..1024 to the own kernels), and one test below checks the band itself.
import test from "ava";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "").split(/\s+/));
const hasAvx2 = flags.has("avx2") && flags.has("fma");

function run(env) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: { ...process.env, RECFORGE_SIMULATE_BLAS_CORE: "", RECFORGE_GEMM_OWN_MID: "0", GEMM_TEST_N: "320", ...env },
    encoding: "utf8",
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

// Prints the backends, and which side the dispatched square product matched bit for bit.
const script = `
import * as rf from "./dist/index.js";
import { native } from "./dist/native.js";
const n = Number(process.env.GEMM_TEST_N); // above the 256 "thin" bound of gemm.cc
const a = rf.randn([n, n]), b = rf.randn([n, n]);
const same = (x, y) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
const own = rf.Tensor.empty([n, n]);
native.gemmOwnF32({ transA: false, transB: false, M: n, N: n, K: n, alpha: 1, a, lda: n, strideA: 0, b, ldb: n, strideB: 0, beta: 0, c: own, ldc: n, strideC: 0, batch: 1 });
const lib = rf.Tensor.empty([n, n]);
const hasLib = native.cblasSgemm({ M: n, N: n, K: n, a, b, c: lib });
const d = rf.matmul(a, b).toTypedArray(), o = own.toTypedArray(), l = lib.toTypedArray();
const be = rf.backends();
console.log(JSON.stringify({
  gemm: be.cpu.gemm, dispatch: be.cpu.gemmDispatch, isa: be.cpu.isa, hasLib,
  ownDiffersFromLib: hasLib && !same(o, l),
  matchesOwn: same(d, o), matchesLib: hasLib && same(d, l),
}));
`;

const base = run({});
const isOpenBlas = /^openblas: .*\(\w+\)$/.test(base.gemm);

test("backends() says what the GEMM dispatch chose and why", (t) => {
  t.is(typeof base.dispatch, "string");
  if (!base.hasLib) {
    t.regex(base.dispatch, /-> own GEMM for every shape/);
    t.true(base.matchesOwn);
    return;
  }
  t.regex(base.dispatch, /-> (own GEMM for every shape|library for square and large products)/);
  if (isOpenBlas) t.regex(base.dispatch, /core \w+ \(\w+(\.\d)?\) (<|>=) own kernels (baseline|avx2|avx512)/);
  // Whatever was chosen is what ran on a square product.
  if (base.ownDiffersFromLib) t.true(/every shape/.test(base.dispatch) ? base.matchesOwn : base.matchesLib, JSON.stringify(base));
});

test("a simulated generic (Prescott) OpenBLAS core below the own kernels' ISA sends every product to the own kernels", (t) => {
  if (!base.hasLib) return t.pass("no CBLAS here: the own kernels run anyway (checked above)");
  if (!hasAvx2) return t.pass("this CPU has no AVX2: the own kernels are baseline SSE2, not wider than Prescott's");
  const r = run({ RECFORGE_SIMULATE_BLAS_CORE: "Prescott" });
  t.regex(r.dispatch, /core Prescott \(sse3\) \(simulated by RECFORGE_SIMULATE_BLAS_CORE; the library runs [^)]*\) < own kernels (avx2|avx512) -> own GEMM for every shape/);
  t.true(r.matchesOwn, "the dispatched square product is not the own kernel's");
  if (r.ownDiffersFromLib) t.false(r.matchesLib);
});

test("a library core as wide as the own kernels keeps the square products", (t) => {
  if (!base.hasLib) return t.pass("no CBLAS here");
  // Own kernels forced to baseline SSE2: an AVX2 (Haswell) core is at least as wide.
  const r = run({ RECFORGE_SIMULATE_BLAS_CORE: "Haswell", RECFORGE_CPU_ISA: "baseline" });
  t.regex(r.dispatch, /core Haswell \(avx2\) \(simulated[^)]*\) >= own kernels baseline -> library for square and large products/);
  if (r.ownDiffersFromLib) t.true(r.matchesLib, "the dispatched square product is not the library's");
});

test("a library naming no core, or an unknown one, is measured once at load and the reason gives both rates", (t) => {
  if (!base.hasLib) return t.pass("no CBLAS here");
  for (const sim of ["none", "NotACore"]) {
    const r = run({ RECFORGE_SIMULATE_BLAS_CORE: sim });
    t.regex(r.dispatch, sim === "none" ? /names no kernel core/ : /core NotACore .* is not in recforge's table/);
    const m = /own ([\d.]+) GFLOP\/s, library ([\d.]+) GFLOP\/s -> (own GEMM for every shape|library for square)/.exec(r.dispatch);
    t.truthy(m, r.dispatch);
    // The stated rule: own everywhere exactly when own was more than 1.25x faster (rates rounded to 0.1).
    const own = Number(m[1]), lib = Number(m[2]);
    if (Math.abs(own / lib - 1.25) > 0.01) t.is(m[3] === "own GEMM for every shape", own > 1.25 * lib, r.dispatch);
    if (r.ownDiffersFromLib) t.true(m[3] === "own GEMM for every shape" ? r.matchesOwn : r.matchesLib);
  }
});

// Mid-size products (native/cpu/gemm_choice.cc, own_mid): with the library single-threaded inside
// recforge's pool and exactly as wide as the own kernels, products with every dimension in 257..1024
// go to the own kernels (measured faster there, bench/results/ops.md); RECFORGE_GEMM_OWN_MID=0 or the
// library's own threads give them back to the library.
test("mid-size products go to the own kernels exactly when the reason says so", (t) => {
  if (!base.hasLib || /every shape/.test(base.dispatch)) return t.pass("the own kernels take every product here");
  const mid = run({ RECFORGE_GEMM_OWN_MID: "" }), off = run({ RECFORGE_GEMM_OWN_MID: "0" });
  const lib = run({ RECFORGE_GEMM_OWN_MID: "", RECFORGE_BLAS_THREADS: "library" });
  t.notRegex(off.dispatch, /mid-size/);
  t.notRegex(lib.dispatch, /mid-size/);
  if (isOpenBlas && /\(avx512\) >= own kernels avx512|\(avx2\) >= own kernels avx2/.test(mid.dispatch) && /single-threaded/.test(mid.dispatch))
    t.regex(mid.dispatch, /own GEMM also for mid-size products \(every dimension 257\.\.1024\)/);
  if (mid.ownDiffersFromLib) {
    t.true(/mid-size/.test(mid.dispatch) ? mid.matchesOwn : mid.matchesLib, JSON.stringify(mid));
    t.true(off.matchesLib, JSON.stringify(off));
    t.true(lib.matchesLib, JSON.stringify(lib));
  }
});

// One set of worker threads (native/cpu/cblas_loader.cc): OpenBLAS runs single-threaded and the
// dispatch splits large calls over recforge's pool, unless RECFORGE_BLAS_THREADS=library. Either
// way a square product through the dispatch is the library's, bit for bit (the split gives each
// element the same sum; the 320³ product is large enough to be split with 2+ threads).
test("OpenBLAS runs single-threaded inside recforge's pool unless RECFORGE_BLAS_THREADS=library, with the library's products either way", (t) => {
  if (!base.hasLib || !isOpenBlas) return t.pass("no OpenBLAS here: nothing to split");
  if (/every shape/.test(base.dispatch)) return t.pass("the own kernels take every product here");
  const pooled = run({ RECFORGE_NUM_THREADS: "2" }), library = run({ RECFORGE_NUM_THREADS: "2", RECFORGE_BLAS_THREADS: "library" });
  t.regex(pooled.dispatch, /; the library single-threaded, large calls split over recforge's pool/);
  t.notRegex(library.dispatch, /single-threaded/);
  for (const r of [pooled, library]) if (r.ownDiffersFromLib) t.true(r.matchesLib, JSON.stringify(r));
});
