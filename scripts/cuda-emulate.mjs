#!/usr/bin/env node
// Runs the CUDA kernel tests (native/tests/cuda/*_test.cu) on the CPU, without a GPU, under the
// emulator in native/tests/cuda/emulated/ (cuda_emulator.h: the execution model; cuda_runtime_emulated.cc:
// the runtime API). Checks the kernels' logic: every test compares a CUDA kernel with the CPU kernel on
// random inputs with poisoned outputs, exactly as on a GPU. It cannot say anything about speed, the
// hardware memory model or races between blocks; scripts/gpu-check.sh on a GPU machine does that.
//
// Steps: (1) rewrite the CUDA sources into plain C++ under $BUILD/emu-src (<<<...>>> launches become
// ::emu::launcher_named(...) calls; every static __shared__ array gets a poison call so reads of
// unwritten shared memory show); (2) compile them with g++ (-fsanitize=address unless EMU_ASAN=0, so
// out-of-bounds reads and writes of device memory are caught); (3) link each test with the CPU kernels
// (scripts/native-tests.sh builds them) and run it.
//
// Usage: node scripts/cuda-emulate.mjs [test-name-filter ...]   (env: BUILD_DIR, CUDA_INCLUDE, JOBS, EMU_ASAN,
//          EMU_TIMEOUT seconds per test, EMU_TEST_JOBS tests at a time (default JOBS), EMU_ORDER=index for unshuffled schedules, EMU_SEED=N for other shuffles)
//        node scripts/cuda-emulate.mjs --fma [filter ...]   the same with FMA contraction as nvcc does it on the
//          device (--fmad=true is its default): the emulated sources are compiled with -mfma -ffp-contract=fast
//          (a*b+c becomes one fused multiply-add, rounded once), into their own objects (obj-fma) and
//          executables (emu_fma_*), without AddressSanitizer unless EMU_ASAN=1. A check that passes without contraction but fails with it has a
//          tolerance that depends on rounding: found here, not on a GPU. The __fadd_rn-style intrinsics stay
//          uncontracted, as on the device. Combine with --addon for the JS checks.
//        node scripts/cuda-emulate.mjs --addon   builds $BUILD/emu/recforge_cuda_emulated.node instead (the CUDA
//          Node addon over the emulated kernels) and runs the JS checks of the CUDA backend with it
//          (RECFORGE_CUDA_ADDON=<it> node scripts/cuda-smoke.mjs: op parity, autograd, memory, errors, training)
// Exit status: 0 when every test passed, 1 otherwise, 2 when it could not build.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const build = path.resolve(root, process.env.BUILD_DIR || "build-native");
const out = path.join(build, "emu");
const src = path.join(out, "src");
// The CUDA headers (types, cuda_fp16.h / cuda_bf16.h host code): $CUDA_INCLUDE, else next to nvcc.
function findCudaInclude() {
  if (process.env.CUDA_INCLUDE) return process.env.CUDA_INCLUDE;
  const dirs = (process.env.PATH || "").split(":").concat(["/usr/local/cuda/bin"]);
  for (const d of dirs) {
    const nvcc = path.join(d, "nvcc");
    if (!fs.existsSync(nvcc)) continue;
    const inc = path.resolve(path.dirname(fs.realpathSync(nvcc)), "../include");
    if (fs.existsSync(path.join(inc, "cuda_runtime.h"))) return inc;
  }
  return "/usr/local/cuda/include";
}
const cudaInc = findCudaInclude();
const jobs = Number(process.env.JOBS || os.cpus().length || 2);
const addonOnly = process.argv.includes("--addon");
const fma = process.argv.includes("--fma") || process.env.EMU_FMA === "1";
// AddressSanitizer: on by default; off by default for --fma, a numerics run (the plain run checks memory;
// without it the tests run 2-3 times faster). EMU_ASAN=0/1 decides either way.
const asan = process.env.EMU_ASAN ? process.env.EMU_ASAN !== "0" : !fma;
const filters = process.argv.slice(2).filter((a) => a !== "--addon" && a !== "--fma");
// FMA contraction: GCC forms FMAs in its widening-multiply pass, which -O1 leaves out unless
// -fexpensive-optimizations is on; -mfma makes the instruction available.
const fmaFlags = fma ? ["-mfma", "-ffp-contract=fast", "-fexpensive-optimizations", "-DEMU_FMA_CONTRACT=1"] : ["-ffp-contract=off"];
const tag = fma ? "-fma" : "";
// The object folders name the flags (a change of flags must not reuse objects compiled without them).
const testTag = tag + (asan ? "" : "-noasan");

// ---- (1) source rewriting --------------------------------------------------------------------------

// kernel<<<cfg>>>(args)  ->  ::emu::launcher_named("kernel", kernel, cfg)(args), or launcher_call with a
// lambda when the kernel has template arguments (see cuda_emulator.h)
export function rewriteLaunches(text) {
  let res = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<<<", from);
    if (open < 0) break;
    // The kernel expression ends right before <<<: an identifier path, possibly with template arguments.
    let e = open;
    while (e > 0 && /\s/.test(text[e - 1])) --e;
    let b = e;
    if (text[b - 1] === ">") {
      let depth = 0;
      do {
        --b;
        if (text[b] === ">") ++depth;
        else if (text[b] === "<") --depth;
      } while (depth > 0 && b > 0);
    }
    while (b > 0 && /[\w:]/.test(text[b - 1])) --b;
    const kernel = text.slice(b, e).trim();
    const close = text.indexOf(">>>", open);
    if (close < 0 || !kernel) throw new Error(`cannot parse the launch at offset ${open}`);
    const cfg = text.slice(open + 3, close);
    const name = JSON.stringify(kernel.replace(/\s+/g, " "));
    res += text.slice(from, b);
    res += kernel.includes("<")
      ? `::emu::launcher_call(${name}, [](auto&... a) { ${kernel}(a...); }, ${cfg})`
      : `::emu::launcher_named(${name}, ${kernel}, ${cfg})`;
    from = close + 3;
  }
  return res + text.slice(from);
}

// Static shared arrays: after "__shared__ T a[..], b[..];" add "::emu::poison_shared(a, sizeof(a)); ..."
export function poisonShared(text) {
  return text.replace(/(^|[^\w])__shared__\s([^;]*);/g, (m, pre, decl, offset) => {
    const lineStart = text.lastIndexOf("\n", offset) + 1;
    const line = text.slice(lineStart, offset + pre.length);
    if (/^\s*#/.test(line) || /\bextern\s*$/.test(line)) return m;
    const names = [];
    let depth = 0;
    let part = "";
    for (const ch of decl + ",") {
      if ("[(<{".includes(ch)) ++depth;
      if ("])>}".includes(ch)) --depth;
      if (ch === "," && depth === 0) {
        const head = part.split(/[[=]/)[0].trim();
        const name = head.match(/(\w+)\s*$/);
        if (name) names.push(name[1]);
        part = "";
      } else part += ch;
    }
    const calls = names.map((n) => ` ::emu::poison_shared(&${n}, sizeof(${n}));`).join("");
    return `${pre}__shared__ ${decl};${calls}`;
  });
}

function translateTree(dirs) {
  for (const dir of dirs) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs, { withFileTypes: true })) {
      if (!f.isFile() || !/\.(cu|cuh|h|hpp|cc)$/.test(f.name)) continue;
      const text = fs.readFileSync(path.join(abs, f.name), "utf8");
      const rewritten = /\.cuh?$/.test(f.name) ? poisonShared(rewriteLaunches(text)) : text;
      const dst = path.join(src, dir, f.name);
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      if (!fs.existsSync(dst) || fs.readFileSync(dst, "utf8") !== rewritten) fs.writeFileSync(dst, rewritten);
    }
  }
}

// ---- (2) compiling ---------------------------------------------------------------------------------

function run(cmd, args, opts = {}, timeoutSec = 0) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, ...opts });
    const timer = timeoutSec ? setTimeout(() => p.kill("SIGKILL"), timeoutSec * 1000) : null;
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.stderr.on("data", (d) => (text += d));
    p.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 128, signal: signal === "SIGKILL" && timer ? `timed out after ${timeoutSec} s` : signal, text });
    });
  });
}

async function pool(tasks, n) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

const emuDir = path.join(root, "native/tests/cuda/emulated");
const common = ["-std=c++20", "-O1", "-g0", "-pthread", "-Wno-deprecated-declarations", ...fmaFlags,
  `-I${cudaInc}`, `-I${path.join(root, "native/include")}`, `-I${emuDir}`];
// Tests: AddressSanitizer on. The Node addon: position-independent, no sanitizer (Node is not built with it).
const variants = {
  test: { obj: path.join(out, "obj" + testTag), flags: [...common, ...(asan ? ["-fsanitize=address", "-fno-omit-frame-pointer"] : [])] },
  addon: { obj: path.join(out, "obj-pic" + tag), flags: [...common, "-fPIC"] },
};

function newer(a, b) {
  return fs.existsSync(b) && fs.statSync(b).mtimeMs >= fs.statSync(a).mtimeMs;
}

async function compile(variant, file, { emulator = true, extra = [] } = {}) {
  const o = path.join(variant.obj, file.replace(/[/]/g, "__") + ".o");
  // Rebuild when the source or any emulator / kernel / binding header changed (compare with all of them).
  const deps = [file, path.join(emuDir, "cuda_emulator.h")];
  if (fs.existsSync(o) && deps.every((d) => newer(d, o)) && headersOlder(o)) return { o, ok: true };
  const args = [...variant.flags, ...extra, ...(emulator ? ["-x", "c++", "-include", "cuda_emulator.h"] : []), "-c", file, "-o", o];
  const r = await run("g++", args);
  if (r.code !== 0) return { o, ok: false, text: `g++ ${file}\n${r.text}` };
  return { o, ok: true };
}
let headerTimes = null;
function headersOlder(o) {
  if (!headerTimes) {
    headerTimes = 0;
    const dirs = ["native/cuda", "native/tests/cuda", "native/tests", "bench/native/cuda"].map((d) => path.join(src, d));
    dirs.push(...["native/include/recforge", "native/napi", "native/napi_cuda"].map((d) => path.join(root, d)));
    for (const d of dirs)
      for (const f of fs.existsSync(d) ? fs.readdirSync(d) : [])
        if (/\.(cuh|h)$/.test(f)) headerTimes = Math.max(headerTimes, fs.statSync(path.join(d, f)).mtimeMs);
  }
  return fs.statSync(o).mtimeMs >= headerTimes;
}

function kernelSources() {
  // cub (under radix_sort.cu) is CUDA-only: radix_sort_emulated.cc is a std::stable_sort stand-in with the
  // same contract; cuBLAS does not exist here.
  const ks = fs.readdirSync(path.join(src, "native/cuda"))
    .filter((f) => f.endsWith(".cu") && !["gemm_cublas.cu", "radix_sort.cu"].includes(f))
    .map((f) => ({ file: path.join(src, "native/cuda", f) }));
  ks.push({ file: path.join(emuDir, "radix_sort_emulated.cc"), emulator: false });
  ks.push({ file: path.join(emuDir, "cuda_runtime_emulated.cc"), emulator: false });
  return ks;
}

async function compileAll(variant, items) {
  fs.mkdirSync(variant.obj, { recursive: true });
  const t0 = Date.now();
  const res = await pool(items.map((it) => () => compile(variant, it.file, it)), jobs);
  const failed = res.filter((c) => !c.ok);
  if (failed.length) {
    for (const f of failed) console.error(f.text);
    console.error(`${failed.length} file(s) did not compile for the emulator`);
    process.exit(2);
  }
  console.log(`emulated CUDA build (${path.basename(variant.obj)}): ${res.length} objects, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return res.map((r) => r.o);
}

// The CUDA Node addon (native/napi_cuda) over the emulated kernels: lib/native.ts loads it with
// RECFORGE_CUDA_ADDON=<path>, and the JS CUDA checks (test/cuda/checks.js) then run the real binding
// code and the real kernels, on the CPU.
async function buildAddon(cpuLib) {
  const v = variants.addon;
  const napiInc = path.join(root, "node_modules/node-api-headers/include");
  const addonApi = path.join(root, "node_modules/node-addon-api");
  if (!fs.existsSync(napiInc) || !fs.existsSync(addonApi)) {
    console.error("the addon needs node_modules (node-api-headers, node-addon-api): run npm install first");
    process.exit(2);
  }
  const napiFlags = [`-I${napiInc}`, `-I${addonApi}`, `-I${path.join(root, "native/napi")}`, "-DNAPI_VERSION=8",
    "-DNODE_ADDON_API_DISABLE_DEPRECATED", "-DNAPI_CPP_EXCEPTIONS", "-DBUILDING_NODE_EXTENSION"];
  const napi = [path.join(root, "native/napi/common.cc"),
    ...fs.readdirSync(path.join(root, "native/napi")).filter((f) => f.endsWith("_args.cc")).map((f) => path.join(root, "native/napi", f)),
    ...fs.readdirSync(path.join(root, "native/napi_cuda")).filter((f) => f.endsWith(".cc")).map((f) => path.join(root, "native/napi_cuda", f))];
  const objs = await compileAll(v, [...kernelSources(), ...napi.map((file) => ({ file, emulator: false, extra: napiFlags }))]);
  const node = path.join(out, `recforge_cuda_emulated${tag}.node`);
  const link = await run("g++", ["-shared", "-fPIC", "-pthread", ...objs, cpuLib, "-ldl", "-o", node]);
  if (link.code !== 0) {
    console.error(`link ${node}:\n${link.text}`);
    process.exit(2);
  }
  console.log(`emulated CUDA addon: ${path.relative(root, node)}`);
  return node;
}

async function main() {
  const cpuLib = path.join(build, "librecforge_cpu.a");
  if (!fs.existsSync(cpuLib)) {
    console.error(`missing ${cpuLib}: build the CPU kernels first (bash scripts/native-tests.sh)`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(cudaInc, "cuda_runtime.h"))) {
    console.error(`no CUDA headers under ${cudaInc} (set CUDA_INCLUDE): the emulated tests need cuda_runtime.h`);
    process.exit(2);
  }
  translateTree(["native/cuda", "native/tests/cuda", "native/tests", "bench/native/cuda"]);
  if (addonOnly) {
    const node = await buildAddon(cpuLib);
    if (!fs.existsSync(path.join(root, "dist/index.js"))) {
      console.error("dist/ is missing: compile the TypeScript first (npx tsc -b tsconfig.json)");
      process.exit(2);
    }
    // The JS checks of the CUDA backend (test/cuda/checks.js, as gpu-check.sh runs them on a GPU).
    const r = await run(process.execPath, [path.join(root, "scripts/cuda-smoke.mjs")],
      { env: { ...process.env, RECFORGE_CUDA_ADDON: node } }, Number(process.env.EMU_TIMEOUT || 600));
    process.stdout.write(r.text);
    const m = r.text.match(/^(\d+) passed, (\d+) failed\s*$/m);
    const pass = m ? Number(m[1]) : 0, fail = m ? Number(m[2]) : 1;
    console.log(`emulated CUDA JS checks${fma ? " (FMA contraction)" : ""}: ${pass} passed, ${fail} failed`);
    process.exit(fail || r.code ? 1 : 0);
  }

  let tests = fs.readdirSync(path.join(src, "native/tests/cuda")).filter((f) => f.endsWith("_test.cu"))
    .map((f) => ({ file: path.join(src, "native/tests/cuda", f), name: f.replace(/\.cu$/, ""), args: [] }));
  // The DTI attention benchmark at a toy size (its other sizes are GPU-sized): its harness -- layouts, the
  // bf16-vs-fp32 check, the JSON lines gpu-check.sh reads -- runs before a GPU session depends on it.
  tests.push({ file: path.join(src, "bench/native/cuda/attention_bench.cu"), name: "attention_bench (300 tokens)",
    args: ["--tokens", "300", "--reps", "1", "--heads", "1", "--dims", "64"], bench: true });
  tests.push({ file: path.join(src, "bench/native/cuda/gnn_bench.cu"), name: "gnn_bench (GREENer's batch graph)",
    args: ["--batch-only", "--reps", "1"], bench: true });
  tests.push({ file: path.join(src, "bench/native/cuda/balance_bench.cu"), name: "balance_bench (N = 4099)",
    args: ["--sizes", "4099", "--reps", "1"], bench: true });
  tests.push({ file: path.join(src, "bench/native/cuda/gru_bench.cu"), name: "gru_bench (toy shapes)",
    args: ["--shapes", "5,4,7,6,1;3,3,4,5,2", "--reps", "1"], bench: true });
  if (filters.length) tests = tests.filter((t) => filters.some((f) => t.name.includes(f)));
  const ks = kernelSources();
  const objs = await compileAll(variants.test, [...ks, ...tests.map((t) => ({ file: t.file }))]);
  const kernelObjs = objs.slice(0, ks.length);
  const flags = variants.test.flags;

  // The emulator runs a test on one thread, so the tests run JOBS at a time (the CI machine has 2 cores:
  // this halves the step); each result prints in the list's order as soon as those before it have printed.
  const runOne = async (i) => {
    const t = tests[i];
    const name = t.name;
    const exe = path.join(out, `emu_${fma ? "fma_" : ""}${path.basename(t.file).replace(/\.cu$/, "")}`);
    const link = await run("g++", [...flags, objs[ks.length + i], ...kernelObjs, cpuLib, "-ldl", "-o", exe]);
    if (link.code !== 0) return { ok: false, line: `link ${name}:\n${link.text}`, linkFailed: true };
    const s = Date.now();
    const env = { ...process.env, ASAN_OPTIONS: "detect_leaks=0:detect_stack_use_after_return=0" };
    const r = await run(exe, t.args, { env }, Number(process.env.EMU_TIMEOUT || 600));
    const secs = (Date.now() - s) / 1000;
    let ok = r.code === 0;
    if (ok && t.bench) {
      // Every case printed a JSON line, none refused, and every case passed its check (bf16 vs fp32, CUDA vs CPU).
      const rows = r.text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      const bad = rows.filter((x) => x.refused || x.vs_f32_ok === false || x.vs_cpu_ok === false);
      ok = rows.some((x) => "ms_fwd" in x || "ms" in x) && bad.length === 0;
      if (!ok) r.text += `\nbenchmark rows: ${rows.length}, refused or failed checks: ${bad.length}`;
    }
    const lines = r.text.trim().split("\n").filter((l) => !l.includes("ASan doesn't fully support"));
    const tail = lines.slice(ok ? -1 : -40).join("\n");
    return { ok, line: `${ok ? "ok  " : "FAIL"} emu_${name} (${secs.toFixed(1)} s)${tail ? `\n  ${tail.replace(/\n/g, "\n  ")}` : ""}` };
  };
  const done = new Array(tests.length);
  let printed = 0;
  let pass = 0;
  let fail = 0;
  await pool(tests.map((_, i) => async () => {
    done[i] = await runOne(i);
    for (; printed < tests.length && done[printed]; ++printed) {
      const d = done[printed];
      (d.linkFailed ? console.error : console.log)(d.line);
      d.ok ? ++pass : ++fail;
    }
  }), Math.max(1, Number(process.env.EMU_TEST_JOBS || jobs)));
  console.log(`emulated CUDA tests${fma ? " (FMA contraction)" : ""}: ${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
