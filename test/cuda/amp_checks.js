// CUDA checks of autocast (16-bit GEMM / attention inputs, fp32 accumulation, float32 results)
// and mixed-precision training. The references are float64 computations on the inputs rounded to
// bf16 / fp16 (rf.roundTo: round to nearest even): the device results must equal them within
// fp32 tolerance (so the device really rounded its inputs, and only its inputs), and must differ
// from plain float32 results by about the 16-bit rounding error (so the 16-bit path really ran).
// On the emulated device (RECFORGE_CUDA_EMULATE=1) the 16-bit kernels are the float32 CPU ones on
// host-rounded inputs; on a GPU these checks exercise gemmLowp's WMMA kernel and the 16-bit
// interval-attention kernels. Part of checks.js.
import { closeArrays } from "./parity.js";
import { GreenerModel } from "../../dist/methods/greener/model.js";
import { trainGreener } from "../../dist/methods/greener/train.js";

// Relative error norm ||x - y|| / ||y|| expected from rounding the inputs of products with K-term
// sums of standard normal values: about 2^-9 (bf16) and 2^-12 (fp16) per element, times a small
// factor; the bounds leave an order of magnitude on each side.
const ROUNDING = { bf16: [2 ** -12, 2 ** -5], fp16: [2 ** -15, 2 ** -8] };
const FP32 = { rtol: 2e-4, atol: 2e-4 };

function relNorm(x, y) {
  let d = 0, n = 0;
  for (let i = 0; i < y.length; i++) d += (x[i] - y[i]) ** 2, n += y[i] ** 2;
  return Math.sqrt(d / n);
}

/** float64 [.., M, K] @ [.., K, N] on host arrays (row-major, batch-major). */
function matmul64(a, b, batch, M, K, N) {
  const c = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += a[z * M * K + i * K + p] * b[z * K * N + p * N + j];
        c[z * M * N + i * N + j] = s;
      }
  return c;
}

function transpose2(a, R, C) {
  const t = new Float64Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) t[j * R + i] = a[i * C + j];
  return t;
}

function inBand(t, name, err, p) {
  const [lo, hi] = ROUNDING[p];
  t.true(err > lo && err < hi, `${name}: relative difference from float32 ${err.toExponential(2)} outside the ${p} band [${lo.toExponential(1)}, ${hi.toExponential(1)}]`);
}

/** Valid random intervals [5, L]: a shared prefix, a random context span, a causal self span. */
function intervals(L, seed) {
  let a = seed >>> 0;
  const next = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const iv = new Int32Array(5 * L);
  for (let i = 0; i < L; i++) {
    iv[L + i] = Math.min(4, L);
    const lo = int(0, L), hi = int(lo, L);
    iv[2 * L + i] = lo, iv[3 * L + i] = hi;
    iv[4 * L + i] = int(Math.max(0, i - 6), i);
  }
  return iv;
}

export const ampChecks = [
  ["autocast matmul (bf16, fp16) on cuda: float64 product of the rounded inputs within fp32 tolerance, 16-bit error vs float32; outside the scope and on the cpu nothing changes", (t, rf) => {
    const g = new rf.Generator(31);
    // [37, 64] @ [64, 29], and a batched product with a transposed (strided) right operand.
    const cases = [
      { a: rf.randn([37, 64], { generator: g }), b: rf.randn([64, 29], { generator: g }), batch: 1, M: 37, K: 64, N: 29, bt: false },
      { a: rf.randn([3, 17, 40], { generator: g }), b: rf.randn([3, 9, 40], { generator: g }), batch: 3, M: 17, K: 40, N: 9, bt: true },
    ];
    for (const c of cases) {
      const ad = c.a.to("cuda"), bdRaw = c.b.to("cuda");
      const bd = c.bt ? bdRaw.transpose(-1, -2) : bdRaw, bc = c.bt ? c.b.transpose(-1, -2) : c.b;
      const f32 = rf.matmul(c.a, bc).toTypedArray();
      const plain = rf.matmul(ad, bd);
      t.is(closeArrays(plain.toTypedArray(), f32, 2e-5, 1e-5), null, "float32 outside autocast is unchanged");
      t.is(rf.autocastPrecision(), null);
      // b laid out [batch, K, N] for the reference
      const bHost = Float64Array.from(c.bt ? bc.contiguous().toTypedArray() : c.b.toTypedArray());
      for (const p of ["bf16", "fp16"]) {
        const out = rf.autocast(p, () => {
          t.is(rf.autocastPrecision(), p);
          t.is(rf.autocast(false, () => rf.autocastPrecision()), null, "autocast(false) switches it off inside");
          return rf.matmul(ad, bd);
        });
        t.is(rf.autocastPrecision(), null, "the scope ends with fn");
        t.is(out.dtype, "float32");
        t.is(out.device, "cuda");
        const ref = matmul64(Float64Array.from(rf.roundTo(c.a.toTypedArray(), p)), Float64Array.from(rf.roundTo(bHost, p)), c.batch, c.M, c.K, c.N);
        const got = out.toTypedArray();
        t.is(closeArrays(got, ref, FP32.rtol, FP32.atol), null, `${p} [${c.a.shape}] @ [${bd.shape}] vs float64 of the rounded inputs`);
        inBand(t, `${p} matmul`, relNorm(got, f32), p);
        // cpu tensors: autocast is a no-op (bit for bit the float32 result)
        const cpu = rf.autocast(p, () => rf.matmul(c.a, bc));
        t.deepEqual(Array.from(cpu.toTypedArray()), Array.from(f32), `${p}: cpu matmul inside autocast is plain float32`);
        [out, cpu].forEach((x) => x.dispose());
      }
      [c.a, c.b, ad, bdRaw, plain].forEach((x) => x.dispose());
    }
  }],

  ["autocast linear on cuda: float32 gradients from 16-bit backward GEMMs (also when backward() runs after the scope); float64 tensors unaffected", (t, rf) => {
    const g = new rf.Generator(32);
    const N = 13, I = 24, O = 11;
    const xh = rf.randn([N, I], { generator: g }), wh = rf.randn([O, I], { generator: g }), bh = rf.randn([O], { generator: g });
    const G = rf.randn([N, O], { generator: g });
    for (const p of ["bf16", "fp16"]) {
      const x = xh.to("cuda"), w = wh.to("cuda"), b = bh.to("cuda"), Gd = G.to("cuda");
      [x, w, b].forEach((z) => (z.requiresGrad = true));
      const y = rf.autocast(p, () => rf.linear(x, w, b));
      const loss = y.mul(Gd).sum();
      loss.backward(); // outside the scope: the recorded ops keep their 16-bit kind
      for (const [name, z] of [["x", x], ["w", w], ["b", b]]) {
        t.truthy(z.grad, `${p}: ${name}.grad exists`);
        t.is(z.grad.dtype, "float32", `${p}: ${name}.grad is float32`);
        t.is(z.grad.device, "cuda", `${p}: ${name}.grad on cuda`);
      }
      const r = (h) => Float64Array.from(rf.roundTo(h.toTypedArray(), p));
      const Gr = r(G);
      // y = x Wᵀ + b with rounded x, W
      const yRef = matmul64(r(xh), transpose2(r(wh), O, I), 1, N, I, O).map((v, i) => v + bh.toTypedArray()[i % O]);
      t.is(closeArrays(y.toTypedArray(), yRef, FP32.rtol, FP32.atol), null, `${p}: y`);
      // dx = G W, dW = Gᵀ x: both GEMMs with rounded inputs; db = Σ_n G (a float32 reduction)
      t.is(closeArrays(x.grad.toTypedArray(), matmul64(Gr, r(wh), 1, N, O, I), FP32.rtol, FP32.atol), null, `${p}: dx`);
      t.is(closeArrays(w.grad.toTypedArray(), matmul64(transpose2(Gr, N, O), r(xh), 1, O, N, I), FP32.rtol, FP32.atol), null, `${p}: dW`);
      const dbRef = new Float64Array(O);
      G.toTypedArray().forEach((v, i) => (dbRef[i % O] += v));
      t.is(closeArrays(b.grad.toTypedArray(), dbRef, 1e-5, 1e-5), null, `${p}: db`);
      const xf = xh.to("cuda"), wf = wh.to("cuda");
      [xf, wf].forEach((z) => (z.requiresGrad = true));
      rf.linear(xf, wf).mul(Gd).sum().backward();
      inBand(t, `${p} dW`, relNorm(w.grad.toTypedArray(), wf.grad.toTypedArray()), p);
      [x, w, b, Gd, y, loss, xf, wf].forEach((z) => z.dispose());
    }
    // float64 on cuda: never rounded
    const a64 = xh.cast("float64").to("cuda"), w64 = wh.cast("float64").to("cuda");
    const in64 = rf.autocast("bf16", () => rf.matmul(a64, w64.transpose(0, 1)));
    const out64 = rf.matmul(a64, w64.transpose(0, 1));
    t.deepEqual(Array.from(in64.toTypedArray()), Array.from(out64.toTypedArray()), "float64 inside autocast is unchanged");
    [xh, wh, bh, G, a64, w64, in64, out64].forEach((z) => z.dispose());
  }],

  ["autocast intervalAttention on cuda (bf16, fp16; with ALiBi): out and q/k/v gradients equal float64 attention on the rounded inputs", (t, rf) => {
    for (const [H, L, D, alibi] of [[2, 45, 16, false], [3, 70, 40, true]]) {
      const g = new rf.Generator(H * 100 + L);
      const q = rf.randn([H, L, D], { generator: g }), k = rf.randn([H, L, D], { generator: g }), v = rf.randn([H, L, D], { generator: g });
      const G = rf.randn([H, L, D], { generator: g });
      const ivArr = intervals(L, L);
      const slopes = Array.from(rf.alibiSlopes(H));
      const positions = Array.from({ length: L }, (_, i) => (i * 7) % 23);
      const opts = alibi ? { alibiSlopes: slopes, positions, scale: 0.3 } : {};
      // float32 on cuda (no autocast) for the error band
      const f32 = rf.intervalAttention(q.to("cuda"), k.to("cuda"), v.to("cuda"), ivArr, opts).toTypedArray();
      for (const p of ["bf16", "fp16"]) {
        const r64 = (x) => rf.tensor(Float64Array.from(rf.roundTo(x.toTypedArray(), p)), { shape: x.shape, dtype: "float64" });
        const [q6, k6, v6] = [q, k, v].map((x) => {
          const y = r64(x);
          y.requiresGrad = true;
          return y;
        });
        const o6 = rf.intervalAttention(q6, k6, v6, ivArr, alibi ? { ...opts, alibiSlopes: rf.tensor(Float64Array.from(slopes), { dtype: "float64" }) } : opts);
        o6.mul(r64(G)).sum().backward();
        const [qd, kd, vd] = [q, k, v].map((x) => {
          const y = x.to("cuda");
          y.requiresGrad = true;
          return y;
        });
        const out = rf.autocast(p, () => rf.intervalAttention(qd, kd, vd, ivArr, opts));
        t.is(out.dtype, "float32");
        t.is(out.device, "cuda");
        out.mul(G.to("cuda")).sum().backward();
        const tag = `${p} H=${H} L=${L} D=${D}${alibi ? " alibi" : ""}`;
        t.is(closeArrays(out.toTypedArray(), o6.toTypedArray(), 1e-3, 1e-4), null, `${tag}: out`);
        for (const [name, a, b] of [["dq", qd, q6], ["dk", kd, k6], ["dv", vd, v6]]) {
          t.is(a.grad.dtype, "float32");
          t.is(closeArrays(a.grad.toTypedArray(), b.grad.toTypedArray(), 1e-3, 2e-4), null, `${tag}: ${name}`);
        }
        inBand(t, `${tag} out`, relNorm(out.toTypedArray(), f32), p);
        [q6, k6, v6, o6, qd, kd, vd, out].forEach((x) => x.dispose());
      }
      [q, k, v, G].forEach((x) => x.dispose());
    }
  }],

  ["mixed-precision training (trainCtr on cuda, bf16 and fp16 with loss scaling): finite losses close to float32 training, float32 master weights", async (t, rf) => {
    const data = rf.syntheticCtr({ users: 14, seed: 7 });
    const common = { data, paradigm: "dti", k: 6, n: 6, epochs: 1, targetsPerStep: 24, model: { dim: 16, layers: 1, heads: 2 }, seed: 2, stopAfterStep: 4, evaluate: false, keepModel: true, device: "cuda" };
    const run = async (mixedPrecision) => {
      const r = await rf.trainCtr({ ...common, mixedPrecision, lossScale: { initScale: 1024 } });
      t.is(r.mixedPrecision, mixedPrecision);
      for (const [name, p] of r.model.namedParameters()) {
        t.is(p.dtype, "float32", `${mixedPrecision}: ${name} stays float32`);
        t.is(p.device, "cuda", `${mixedPrecision}: ${name} on cuda`);
      }
      const params = r.model.parameters().map((p) => p.toTypedArray());
      r.model.dispose();
      return { losses: r.curve.map((c) => c.loss), params, skipped: r.skippedSteps, scale: r.lossScale };
    };
    const base = await run(false);
    t.is(base.losses.length, 4);
    for (const p of ["bf16", "fp16"]) {
      const m = await run(p);
      t.is(m.skipped, 0, `${p}: no skipped steps at loss scale 1024`);
      t.is(m.scale, p === "fp16" ? 1024 : 1);
      t.true(m.losses.every(Number.isFinite), `${p}: losses ${m.losses}`);
      t.is(closeArrays(m.losses, base.losses, 2e-2, 2e-3), null, `${p} losses [${m.losses}] vs float32 [${base.losses}]`);
      let d = 0, n = 0;
      m.params.forEach((a, i) => a.forEach((x, j) => ((d += (x - base.params[i][j]) ** 2), (n += base.params[i][j] ** 2))));
      t.true(Math.sqrt(d / n) < 2e-2, `${p}: trained parameters within 2% of float32 training (${Math.sqrt(d / n).toExponential(2)})`);
    }
    let err = null;
    try {
      await rf.trainCtr({ ...common, device: "cpu", mixedPrecision: "bf16" });
    } catch (e) {
      err = e;
    }
    t.true(err instanceof TypeError && /needs the model on "cuda"/.test(err.message), `mixedPrecision on the cpu is a TypeError, got ${err}`);
  }],

  ["mixed precision in trainGreener (bf16, fp16) and trainMultiTask (bf16) on cuda: finite losses close to float32 training", (t, rf) => {
    let a = 9;
    const rand = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
    const D = 8, nSent = 60, nUsers = 5, nItems = 4, nAttrs = 10;
    const feat = Float32Array.from({ length: nSent * D }, () => rand() - 0.5);
    const examples = Array.from({ length: 12 }, () => {
      const C = 5 + Math.floor(rand() * 6);
      const cands = Int32Array.from({ length: C }, () => Math.floor(rand() * nSent));
      return {
        user: Math.floor(rand() * nUsers), item: Math.floor(rand() * nItems), candidates: cands,
        candidateAttrs: Array.from(cands, (s) => [s % nAttrs, (3 * s) % nAttrs]),
        userAttrs: new Set([0, 1, 2, 3]), itemAttrs: new Set(Array.from({ length: nAttrs }, (_, i) => i)),
        levels: Uint8Array.from(cands, () => Math.floor(rand() * 4)),
      };
    });
    const cfg = { numUsers: nUsers, numItems: nItems, numAttributes: nAttrs, sentenceDim: D, hidden: 16, heads: 4, embedDim: 8, dropout: 0, seed: 3 };
    const greener = (mixedPrecision) => {
      const model = new GreenerModel(cfg).to("cuda");
      const table = rf.tensor(feat, { shape: [nSent, D], device: "cuda" });
      const rep = trainGreener(model, table, examples, { epochs: 1, batchSize: 4, lr: 3e-3, seed: 1, mixedPrecision, lossScale: { initScale: 1024 } });
      for (const [name, p] of model.namedParameters()) t.is(p.dtype, "float32", `GREENer ${mixedPrecision}: ${name} float32`);
      table.dispose();
      model.dispose();
      return { losses: rep.epochLoss.flatMap((e) => [e.total, e.sentence, e.attribute]), skipped: rep.skippedSteps };
    };
    const g32 = greener(false);
    for (const p of ["bf16", "fp16"]) {
      const m = greener(p);
      t.is(m.skipped, 0, `GREENer ${p}: no skipped steps`);
      t.true(m.losses.every(Number.isFinite), `GREENer ${p}: ${m.losses}`);
      t.is(closeArrays(m.losses, g32.losses, 2e-2, 2e-3), null, `GREENer ${p} [${m.losses}] vs float32 [${g32.losses}]`);
    }
    const data = rf.syntheticMultiTask({ numTasks: 3, vocabs: [200, 30, 7], denseDim: 4, trainRows: 512, validRows: 128, testRows: 128, seed: 4 });
    const mmoe = (mixedPrecision) => {
      const model = rf.createModel("mmoe", data.schema, { seed: 2, embeddingDim: 4, experts: 3, expertDim: 8 }).to("cuda");
      const r = rf.trainMultiTask({ data, model, balancer: "multibalance", epochs: 1, maxSteps: 4, batchSize: 128, lr: 3e-3, seed: 1, selectByValid: false, evalRows: 128, mixedPrecision });
      const losses = r.lossHistory.flat();
      r.balancer.dispose();
      model.dispose();
      return losses;
    };
    const m32 = mmoe(false), m16 = mmoe("bf16");
    t.true(m16.every(Number.isFinite), `MMoE bf16: ${m16}`);
    t.is(closeArrays(m16, m32, 2e-2, 2e-3), null, `MMoE bf16 [${m16}] vs float32 [${m32}]`);
    t.throws(() => rf.trainMultiTask({ data, model: "mmoe", epochs: 1, maxSteps: 1, mixedPrecision: "fp16" }), { instanceOf: TypeError, message: /"fp16" is not supported/ });
  }],
];
