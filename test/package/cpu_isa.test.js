// The CPU kernels' instruction-set variant (native/include/recforge/cpu_isa.h): chosen at load
// from the CPU or RECFORGE_CPU_ISA, reported by backends() and `recforge info`, and every variant
// this CPU can run gives the float64 reference's product. An ISA the CPU lacks, or a misspelt
// one, is a RangeError at import naming it. Each case runs in a child process (the choice is
// made once per process).
import test from "ava";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "").split(/\s+/));
const supports = {
  baseline: true,
  avx2: flags.has("avx2") && flags.has("fma"),
  avx512: ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"].every((f) => flags.has(f)),
};

function run(env, script) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: { ...process.env, RECFORGE_BLAS: "own", RECFORGE_GEMM_PACK_A_MIN_PANELS: "1", ...env },
    encoding: "utf8",
    timeout: 120000,
    maxBuffer: 16 << 20, // the kernel script prints every value of every kernel (~1.4 MB of JSON)
  });
}

// Random products of odd sizes (edges of every micro-tile width: 4, 8, 16 floats) against a
// float64 reference computed in JS; both transposes. Prints the variant and the worst error.
const productScript = `
import * as rf from "./dist/index.js";
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
let worst = 0;
for (const [M, N, K] of [[1, 1, 1], [7, 5, 3], [13, 33, 17], [61, 47, 300], [6, 16, 256], [37, 129, 65]]) {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    const a = Array.from({ length: M * K }, rnd), b = Array.from({ length: K * N }, rnd);
    const A = ta ? rf.tensor(a, { shape: [K, M] }).transpose(0, 1) : rf.tensor(a, { shape: [M, K] });
    const B = tb ? rf.tensor(b, { shape: [N, K] }).transpose(0, 1) : rf.tensor(b, { shape: [K, N] });
    const C = rf.matmul(A, B).toTypedArray();
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0, mag = 0;
        for (let k = 0; k < K; k++) {
          const x = ta ? a[k * M + i] : a[i * K + k], y = tb ? b[j * K + k] : b[k * N + j];
          s += x * y; mag += Math.abs(x * y);
        }
        worst = Math.max(worst, Math.abs(C[i * N + j] - s) / (mag + 1e-30));
      }
  }
}
const b = rf.backends();
console.log(JSON.stringify({ isa: b.cpu.isa, reason: b.cpu.isaReason, gemm: b.cpu.gemm, worst }));
`;

for (const isa of ["baseline", "avx2", "avx512"]) {
  test(`RECFORGE_CPU_ISA=${isa}: ${supports[isa] ? "honoured, reported, and the own GEMM matches the float64 reference" : "refused with a RangeError naming what the CPU lacks"}`, (t) => {
    const r = run({ RECFORGE_CPU_ISA: isa }, productScript);
    if (!supports[isa]) {
      t.not(r.status, 0);
      t.regex(r.stderr, new RegExp(`RangeError: recforge: RECFORGE_CPU_ISA=${isa} asked, but this CPU lacks `));
      return;
    }
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop());
    t.is(j.isa, isa);
    t.is(j.reason, `RECFORGE_CPU_ISA=${isa}`);
    t.regex(j.gemm, /^own/);
    // float32 accumulation over K <= 300 terms: relative to the sum of |terms|, well under 1e-5.
    t.true(j.worst < 1e-5, `worst relative error ${j.worst}`);
  });
}

test("without RECFORGE_CPU_ISA the widest supported variant is chosen and `recforge info` reports it", (t) => {
  const want = supports.avx512 ? "avx512" : supports.avx2 ? "avx2" : "baseline";
  const r = spawnSync(process.execPath, [path.join(root, "bin", "recforge.js"), "info", "--json"], {
    cwd: root,
    env: { ...process.env, RECFORGE_CPU_ISA: "" },
    encoding: "utf8",
  });
  t.is(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  t.is(info.cpu.isa, want);
  t.regex(info.cpu.isaReason, /^the widest variant this CPU supports/);
});

test("a misspelt RECFORGE_CPU_ISA is a RangeError at import, not a fallback", (t) => {
  const r = run({ RECFORGE_CPU_ISA: "avx3" }, `await import("./dist/index.js");`);
  t.not(r.status, 0);
  t.regex(r.stderr, /RangeError: recforge: RECFORGE_CPU_ISA=avx3 is not one of baseline, avx2, avx512/);
});

// The dispatched non-GEMM kernels (softmax, LayerNorm / RMSNorm, the fused GRU, interval attention: recforge/cpu_isa.h) under
// each variant: each child computes softmax / log-softmax (forward and backward, odd row lengths, a row
// with -inf entries), LayerNorm and RMSNorm (output, gradients of x, weight, bias) a bidirectional, ragged GRU (output, hN and every gradient) and interval attention (out and the gradients of q, k, v,
// D = 20: not a whole number of vectors; with and without ALiBi) in float32 and float64 from the same
// inputs; every variant's float32 and float64 results are compared with the baseline variant's float64.
const kernelScript = `
import * as rf from "./dist/index.js";
let seed = 777;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const out = {};
for (const dtype of ["float32", "float64"]) {
  seed = 777;
  const res = {};
  for (const [rows, n] of [[3, 1], [5, 7], [4, 33], [2, 1000]]) {
    const data = Array.from({ length: rows * n }, () => 4 * rnd());
    if (n === 33) data[5] = data[40] = -Infinity;
    const g = Array.from({ length: rows * n }, rnd);
    for (const log of [false, true]) {
      const x = rf.tensor(data, { shape: [rows, n], dtype }).requiresGrad_();
      const y = log ? rf.logSoftmax(x, -1) : rf.softmax(x, -1);
      y.mul(rf.tensor(g, { shape: [rows, n], dtype })).sum().backward();
      res[(log ? "logsoftmax" : "softmax") + "_" + rows + "x" + n] = [...y.toTypedArray(), ...x.grad.toTypedArray()];
    }
  }
  for (const [rows, n] of [[3, 1], [5, 7], [4, 33], [2, 1000]])
    for (const rms of [false, true]) {
      const x = rf.tensor(Array.from({ length: rows * n }, () => 3 * rnd() + 1), { shape: [rows, n], dtype }).requiresGrad_();
      const w = rf.tensor(Array.from({ length: n }, rnd), { shape: [n], dtype }).requiresGrad_();
      const b = rf.tensor(Array.from({ length: n }, rnd), { shape: [n], dtype }).requiresGrad_();
      const y = rms ? rf.rmsNorm(x, w) : rf.layerNorm(x, w, b);
      y.mul(rf.tensor(Array.from({ length: rows * n }, rnd), { shape: [rows, n], dtype })).sum().backward();
      res[(rms ? "rmsnorm" : "layernorm") + "_" + rows + "x" + n] = [...y.toTypedArray(), ...x.grad.toTypedArray(), ...w.grad.toTypedArray(), ...(rms ? [] : b.grad.toTypedArray())];
    }
  const B = 3, T = 5, IN = 6, H = 9, D = 2;
  const p = (shape) => rf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => 0.5 * rnd()), { shape, dtype }).requiresGrad_();
  const w = { wIh: [p([3 * H, IN]), p([3 * H, IN])], wHh: [p([3 * H, H]), p([3 * H, H])], bIh: [p([3 * H]), p([3 * H])], bHh: [p([3 * H]), p([3 * H])] };
  const x = p([B, T, IN]), h0 = p([D, B, H]);
  const r = rf.gru(x, w, { bidirectional: true, h0, lengths: [5, 3, 1] });
  const gy = rf.tensor(Array.from({ length: B * T * D * H }, rnd), { shape: [B, T, D * H], dtype });
  r.output.mul(gy).sum().add(r.hN.sum()).backward();
  res.gru = [r.output, r.hN, x.grad, h0.grad, ...w.wIh.map((t) => t.grad), ...w.wHh.map((t) => t.grad), ...w.bIh.map((t) => t.grad), ...w.bHh.map((t) => t.grad)].flatMap((t) => [...t.toTypedArray()]);
  {
    // Interval attention: prefix, context and self intervals over L = 37 tokens (tiles cut by L, masked
    // and full tiles), D = 20 (padded to the vector width), with and without ALiBi.
    const H = 2, L = 37, D = 20;
    const iv = new Int32Array(5 * L);
    for (let i = 0; i < L; i++) {
      iv[L + i] = Math.min(3, i);
      iv[2 * L + i] = Math.max(0, i - 12);
      iv[3 * L + i] = Math.max(0, i - 5);
      iv[4 * L + i] = i - (i % 7);
    }
    for (const alibi of [false, true]) {
      const mk = () => rf.tensor(Array.from({ length: H * L * D }, rnd), { shape: [H, L, D], dtype }).requiresGrad_();
      const q = mk(), k = mk(), v = mk();
      const opts = alibi ? { alibiSlopes: [0.5, 0.25], positions: Int32Array.from({ length: L }, (_, i) => i % 9) } : {};
      const o = rf.intervalAttention(q, k, v, iv, opts);
      o.mul(rf.tensor(Array.from({ length: H * L * D }, rnd), { shape: [H, L, D], dtype })).sum().backward();
      res["interval_attention" + (alibi ? "_alibi" : "")] = [o, q.grad, k.grad, v.grad].flatMap((t) => [...t.toTypedArray()]);
    }
  }
  out[dtype] = res;
}
console.log(JSON.stringify({ isa: rf.backends().cpu.isa, out }));
`;

test("softmax, LayerNorm / RMSNorm, the fused GRU and interval attention give the float64 reference's values under every variant this CPU runs", (t) => {
  const results = {};
  for (const isa of ["baseline", "avx2", "avx512"].filter((i) => supports[i])) {
    const r = run({ RECFORGE_CPU_ISA: isa }, kernelScript);
    t.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop(), (k, v) => (v === null ? -Infinity : v));
    t.is(j.isa, isa);
    results[isa] = j.out;
  }
  const ref = results.baseline.float64;
  for (const [isa, out] of Object.entries(results))
    for (const [dtype, tol] of [["float64", 1e-12], ["float32", 2e-5]])
      for (const [name, vals] of Object.entries(out[dtype])) {
        const want = ref[name];
        t.is(vals.length, want.length);
        let worst = 0;
        for (let i = 0; i < vals.length; i++) {
          if (want[i] === -Infinity || vals[i] === -Infinity) t.is(vals[i], want[i], `${isa} ${dtype} ${name}[${i}]`);
          else worst = Math.max(worst, Math.abs(vals[i] - want[i]) / (1 + Math.abs(want[i])));
        }
        t.true(worst <= tol, `${isa} ${dtype} ${name}: worst error ${worst} > ${tol}`);
      }
});
