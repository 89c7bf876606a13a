// CUDA checks of the fused ops (interval attention, RoPE, segment aggregation / SpMM, edge
// softmax, fused GAT, MultiBalance's balanceGradients, the fused GRU): each runs on fresh random inputs on the
// cpu and on cuda and compares the results and the gradients; the argument checks (shared by
// both addons: native/napi/*_args.cc) must reject bad index data on the device with the cpu's
// messages. Part of checks.js.
import { cuda } from "../../dist/native.js";
import { closeArrays, gradParity, parity } from "./parity.js";

/** A small seeded generator (mulberry32) for index data: intervals, positions, edges. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) }; // inclusive
}

/** Valid random intervals for L tokens as a flat Int32Array [5, L]: some empty, some full, some clipped. */
function randomIntervals(L, r) {
  const iv = new Int32Array(5 * L);
  for (let i = 0; i < L; i++) {
    for (const row of [0, 2]) {
      const lo = r.int(0, L), hi = r.next() < 0.2 ? r.int(0, lo) : r.int(lo, L); // lo >= hi: empty
      iv[row * L + i] = lo;
      iv[(row + 1) * L + i] = hi;
    }
    iv[4 * L + i] = r.next() < 0.3 ? i : r.int(0, i);
  }
  return iv;
}

const isEmulated = (rf) => rf.backends().cuda.gemm === "emulated";
const ATT_TOL = { rtol: 2e-4, atol: 2e-5 };

export const fusedChecks = [
  ["interval attention on cuda matches the cpu: forward and q/k/v gradients, with and without ALiBi", (t, rf) => {
    const r = rng(101);
    for (const [H, L, D] of [[3, 45, 20], [2, 70, 72], [1, 33, 130]]) {
      const g = new rf.Generator(H * 1000 + L);
      const q = rf.randn([H, L, D], { generator: g }), k = rf.randn([H, L, D], { generator: g }), v = rf.randn([H, L, D], { generator: g });
      const iv = rf.tensor(randomIntervals(L, r), { shape: [5, L] });
      const pos = rf.tensor(Int32Array.from({ length: L }, () => r.int(0, 3 * L)));
      const slopes = rf.tensor(rf.alibiSlopes(H), { dtype: "float32" });
      gradParity(t, rf, `intervalAttention H=${H} L=${L} D=${D}`, [q, k, v, iv], [0, 1, 2],
        (a, b, c, i) => rf.intervalAttention(a, b, c, i), ATT_TOL);
      gradParity(t, rf, `intervalAttention+ALiBi H=${H} L=${L} D=${D}`, [q, k, v, iv, slopes, pos], [0, 1, 2],
        (a, b, c, i, s, p) => rf.intervalAttention(a, b, c, i, { alibiSlopes: s, positions: p, scale: 0.3 }), ATT_TOL);
      // Intervals and positions given as plain arrays are uploaded to q's device.
      const ivArr = randomIntervals(L, r);
      parity(t, rf, `intervalAttention (array intervals) H=${H} L=${L} D=${D}`, [q, k, v],
        (a, b, c) => rf.intervalAttention(a, b, c, ivArr, { alibiSlopes: Array.from(rf.alibiSlopes(H)), positions: Array.from({ length: L }, (_, i) => i) }), ATT_TOL);
      [q, k, v, iv, pos, slopes].forEach((x) => x.dispose());
    }
  }],

  ["RoPE on cuda matches the cpu: tables, both layouts, float32 and float64, gradient", (t, rf) => {
    const r = rng(202);
    for (const dtype of ["float32", "float64"]) {
      const H = 3, L = 13, D = 18;
      const pos = Int32Array.from({ length: L }, () => r.int(-50, 5000));
      const c = rf.ropeTable(pos, D, { dtype, base: 500000 }), gd = rf.ropeTable(pos, D, { dtype, base: 500000, device: "cuda" });
      t.is(gd.cos.device, "cuda", "ropeTable({device: 'cuda'}) builds the tables there");
      const tol = dtype === "float32" ? { rtol: 1e-6, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 };
      for (const w of ["cos", "sin"]) {
        const err = closeArrays(gd[w].toTypedArray(), c[w].toTypedArray(), tol.rtol, tol.atol);
        t.is(err, null, `ropeTable ${dtype} ${w}: ${err}`);
      }
      c.dispose();
      gd.dispose();
      const x = rf.randn([H, L, D], { dtype, generator: new rf.Generator(3) });
      const posT = rf.tensor(pos);
      gradParity(t, rf, `rope ${dtype} hld`, [x, posT], [0], (a, p) => rf.rope(a, p), tol);
      gradParity(t, rf, `rope ${dtype} hld->lhd`, [x, posT], [0], (a, p) => rf.rope(a, p, { outLayout: "lhd", base: 10 }), tol);
      const xl = rf.randn([L, H, D], { dtype, generator: new rf.Generator(4) });
      gradParity(t, rf, `rope ${dtype} lhd (positions array)`, [xl], [0], (a) => rf.rope(a, pos, { layout: "lhd" }), tol);
      [x, xl, posT].forEach((v) => v.dispose());
    }
  }],

  ["fused GRU on cuda matches the cpu: output, hN and every gradient (lengths 0 / 1 / T, bidirectional, 2 layers, h0; float32 and float64)", (t, rf) => {
    for (const dtype of ["float32", "float64"]) {
      const g = new rf.Generator(dtype === "float32" ? 12 : 13);
      const B = 5, T = 6, I = 7, H = 9, K = 4;
      const w = (shape) => rf.randn(shape, { dtype, generator: g, std: 0.4 });
      const ws = [];
      for (let k = 0; k < K; k++) ws.push(w([3 * H, k < 2 ? I : 2 * H]));
      for (let k = 0; k < K; k++) ws.push(w([3 * H, H]));
      for (let k = 0; k < 2 * K; k++) ws.push(w([3 * H]));
      const x = w([B, T, I]), h0 = w([K, B, H]);
      const lengths = [6, 1, 0, 4, 6];
      const tol = dtype === "float32" ? { rtol: 2e-4, atol: 2e-5 } : { rtol: 1e-10, atol: 1e-12 };
      gradParity(t, rf, `gru ${dtype}`, [x, h0, ...ws], [...Array(2 + 4 * K).keys()], (xx, hh, ...p) => {
        const r = rf.gru(xx, { wIh: p.slice(0, K), wHh: p.slice(K, 2 * K), bIh: p.slice(2 * K, 3 * K), bHh: p.slice(3 * K) }, { bidirectional: true, h0: hh, lengths });
        return [r.output, r.hN];
      }, tol);
      [x, h0, ...ws].forEach((v) => v.dispose());
    }
    // lengths on the device are range-checked with the cpu's message (one staged copy of B int32s)
    const x = rf.zeros([2, 3, 4], { device: "cuda" });
    const wts = { wIh: [rf.zeros([6, 4], { device: "cuda" })], wHh: [rf.zeros([6, 2], { device: "cuda" })] };
    const bad = rf.tensor(new Int32Array([3, 4]), { device: "cuda" });
    t.throws(() => rf.gru(x, wts, { lengths: bad }), { instanceOf: RangeError, message: /gruForward: lengths\[1\] = 4 is outside \[0, 3\]/ });
    [x, bad, ...wts.wIh, ...wts.wHh].forEach((v) => v.dispose());
  }],

  ["segmentAggregate (sum, mean, max, min, weighted, bipartite) and edgeSoftmax on cuda match the cpu, with gradients", (t, rf) => {
    const r = rng(303);
    const N = 23, E = 71;
    const src = Array.from({ length: E }, () => r.int(0, N - 1)), dst = Array.from({ length: E }, () => r.int(0, N - 3)); // the last nodes get no edges
    const csr = rf.toCsr(rf.graph({ numNodes: N, src, dst }));
    const g = new rf.Generator(5);
    for (const dtype of ["float32", "float64"]) {
      const x = rf.randn([N, 2, 3], { dtype, generator: g }), w = rf.rand([E], { dtype, generator: g, low: 0.1, high: 2 });
      for (const reduce of ["sum", "mean", "max", "min"]) {
        gradParity(t, rf, `segmentAggregate ${reduce} ${dtype}`, [x], [0], (a) => rf.segmentAggregate(a, csr, reduce));
        gradParity(t, rf, `segmentAggregate ${reduce} weighted ${dtype}`, [x, w], [0, 1], (a, b) => rf.segmentAggregate(a, csr, reduce, { weight: b }));
      }
      const scores = rf.randn([E, 3], { dtype, generator: g });
      gradParity(t, rf, `edgeSoftmax ${dtype}`, [scores], [0], (s) => rf.edgeSoftmax(s, csr));
      gradParity(t, rf, `edgeSoftmax [E] ${dtype}`, [scores.slice(1, 0, 1).reshape([E])], [0], (s) => rf.edgeSoftmax(s, csr));
      [x, w, scores].forEach((v) => v.dispose());
    }
    // A bipartite CSR (node -> graph pooling) and Graph-order edge data moved into CSR order on the device.
    const nS = 17, nD = 5, bsrc = Array.from({ length: 30 }, () => r.int(0, nS - 1)), bdst = Array.from({ length: 30 }, () => r.int(0, nD - 1));
    const bip = rf.bipartiteCsr({ numSrc: nS, numDst: nD, src: bsrc, dst: bdst });
    const xb = rf.randn([nS, 4], { generator: g }), eg = rf.randn([30, 2], { generator: g });
    gradParity(t, rf, "segmentAggregate bipartite mean", [xb], [0], (a) => rf.segmentAggregate(a, bip, "mean"));
    parity(t, rf, "edgesToCsrOrder", [eg], (e) => [bip.edgesToCsrOrder(e)]);
    [xb, eg].forEach((v) => v.dispose());
    bip.dispose();
    csr.dispose();
  }],

  ["fused GAT attention on cuda matches the cpu: output, attention weights, gradients of wh, aSrc, aDst", (t, rf) => {
    const r = rng(404);
    const N = 29, E = 90;
    const base = rf.toCsr(rf.graph({ numNodes: N, src: Array.from({ length: E }, () => r.int(0, N - 1)), dst: Array.from({ length: E }, () => r.int(0, N - 1)) }));
    const csr = base.withSelfLoops();
    const g = new rf.Generator(6);
    for (const dtype of ["float32", "float64"]) {
      const [H, F] = [3, 7];
      const wh = rf.randn([N, H, F], { dtype, generator: g }), as = rf.randn([H, F], { dtype, generator: g }), ad = rf.randn([H, F], { dtype, generator: g });
      parity(t, rf, `gatAttentionWithWeights ${dtype}`, [wh, as, ad], (a, b, c) => {
        const { out, attention } = rf.gatAttentionWithWeights(a, b, c, csr, { negativeSlope: 0.1 });
        return [out, attention];
      });
      gradParity(t, rf, `gatAttention ${dtype}`, [wh, as, ad], [0, 1, 2], (a, b, c) => rf.gatAttention(a, b, c, csr), { rtol: 1e-4, atol: 1e-5 });
      [wh, as, ad].forEach((v) => v.dispose());
    }
    // The GATConv module (projection + fused attention + bias), and its unfused path (attention
    // dropout: edgeSoftmax + weighted segment sums).
    for (const attentionDropout of [0, 0.3]) {
      const x = rf.randn([N, 6], { generator: g });
      const run = (device) => {
        const conv = new rf.GATConv(6, 5, { heads: 2, generator: new rf.Generator(7), attentionDropout });
        if (device === "cuda") conv.to("cuda");
        const xi = x.to(device).detach().requiresGrad_();
        const y = conv.call(xi, base);
        y.square().sum().backward();
        const res = [y, xi.grad, conv.weight.grad, conv.attSrc.grad].map((v) => ({ device: v.device, values: v.toTypedArray() }));
        [y, xi].forEach((v) => v.dispose());
        conv.dispose();
        return res;
      };
      const cpu = run("cpu"), gpu = run("cuda");
      cpu.forEach((c, i) => {
        t.is(gpu[i].device, "cuda", `GATConv result ${i} on cuda`);
        const err = closeArrays(gpu[i].values, c.values, 1e-4, 1e-5);
        t.is(err, null, `GATConv (attentionDropout ${attentionDropout}) result ${i}: ${err}`);
      });
      x.dispose();
    }
    base.dispose();
  }],

  ["balanceGradients on cuda matches the cpu over several steps (weights, norms, combined gradient, state); a NaN changes nothing", (t, rf) => {
    const g = new rf.Generator(8);
    for (const dtype of ["float32", "float64"]) {
      const T = 3, shape = [37, 29];
      const sc = new rf.BalanceState(T), sg = new rf.BalanceState(T);
      for (let step = 0; step < 3; step++) {
        const grads = Array.from({ length: T }, (_, i) => rf.randn(shape, { dtype, generator: g }).mul(10 ** (i - 1)));
        const opts = { beta: 0.8, relax: 0.6, reference: step === 2 ? "mean" : "target", target: 1 };
        const a = rf.balanceGradients(grads, sc, opts);
        const dev = grads.map((x) => x.to("cuda"));
        const b = rf.balanceGradients(dev, sg, opts);
        t.is(b.out.device, "cuda", "out on the gradients' device");
        t.is(sg.device, "cuda", "the state follows the gradients");
        // out = sum_t w_t g_t: an element that cancels (terms up to ~30, sum ~1e-3) carries the rounding of
        // the terms, so its tolerance is relative to the largest element, not to itself.
        const outCpu = a.out.toTypedArray(), outRtol = dtype === "float32" ? 1e-6 : 1e-12;
        const outAtol = outRtol * outCpu.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        // float32: the cpu sums squares in float lanes once a row has >= 2048 elements, the gpu in
        // double (native/include/recforge/balance_gradients.h, "Precision"): 1e-5 relative
        const st = dtype === "float32" ? 1e-5 : 1e-12;
        for (const [u, v, what, rtol, atol] of [[b.weights, a.weights, "weights", st, 0], [b.norms, a.norms, "norms", st, 0],
          [sg.movingAverages, sc.movingAverages, "moving averages", st, 0], [b.out.toTypedArray(), outCpu, "out", outRtol, outAtol]]) {
          const err = closeArrays(u, v, rtol, atol);
          t.is(err, null, `balanceGradients ${dtype} step ${step} ${what}: ${err}`);
        }
        [...grads, ...dev, a.out, b.out].forEach((x) => x.dispose());
      }
      const before = Array.from(sg.movingAverages);
      const bad = Array.from({ length: T }, () => rf.randn(shape, { dtype, generator: g, device: "cuda" }));
      const nan = rf.full(shape, NaN, { dtype, device: "cuda" }), poisoned = bad[2].add(nan);
      const stacked = rf.stack([bad[0], bad[1], poisoned], 0);
      t.throws(() => rf.balanceGradients(stacked, sg), { instanceOf: RangeError, message: /task 2 gradient contains NaN\/Inf \(nothing was updated\)/ });
      t.deepEqual(Array.from(sg.movingAverages), before, "the rejected step left the state alone");
      [...bad, nan, poisoned, stacked].forEach((x) => x.dispose());
      sc.dispose();
      sg.dispose();
    }
  }],

  ["bad index data on the device is refused by the shared checks, with the cpu's messages", (t, rf) => {
    const L = 6, H = 1, D = 4;
    const q = rf.randn([H, L, D], { device: "cuda" });
    const iv = new Int32Array(5 * L);
    iv[4 * L + 3] = 5; // selfLo of token 3 beyond itself
    t.throws(() => rf.intervalAttention(q, q, q, iv), { instanceOf: RangeError, message: /token 3: selfLo = 5 must satisfy 0 <= selfLo <= 3/ });
    const iv2 = new Int32Array(5 * L);
    iv2[1 * L + 2] = L + 1; // prefix end past L
    t.throws(() => rf.intervalAttention(q, q, q, rf.tensor(iv2, { shape: [5, L], device: "cuda" })), { instanceOf: RangeError, message: /token 2: prefix interval \[0, 7\) must satisfy/ });
    // The binding itself (what a buggy caller would reach): a CSR whose rowptr goes backwards.
    const rowptr = rf.tensor(new Int32Array([0, 2, 1, 3]), { device: "cuda" });
    const scores = rf.zeros([3], { device: "cuda" }), alpha = rf.zeros([3], { device: "cuda" });
    t.throws(() => cuda.edgeSoftmax({ dtype: 0, nDst: 3, H: 1, nEdges: 3, rowptr: rowptr, scores: scores, alpha: alpha }),
      { instanceOf: RangeError, message: /edgeSoftmax: rowptr\[2\] = 1 is less than rowptr\[1\] = 2/ });
    const col = rf.tensor(new Int32Array([0, 9, 1]), { device: "cuda" }), good = rf.tensor(new Int32Array([0, 1, 2, 3]), { device: "cuda" });
    const x = rf.zeros([3, 2], { device: "cuda" }), out = rf.zeros([3, 2], { device: "cuda" });
    t.throws(() => cuda.segmentAggregate({ dtype: 0, reduce: 0, nDst: 3, nSrc: 3, F: 2, nEdges: 3, rowptr: good, src: col, x: x, w: null, out: out, arg: null }),
      { instanceOf: RangeError, message: /segmentAggregate: src\[1\] = 9 is outside \[0, 3\)/ });
    [q, rowptr, scores, alpha, col, good, x, out].forEach((v) => v.dispose());
    if (!isEmulated(rf)) {
      // Real device only (the emulated device runs the cpu kernels, which have these).
      const q64 = rf.randn([H, L, D], { dtype: "float64", device: "cuda" });
      t.throws(() => rf.intervalAttention(q64, q64, q64, new Int32Array(5 * L)), { instanceOf: TypeError, message: /float64 is not supported on cuda/ });
      t.throws(() => rf.denseMaskedAttention(q64, q64, q64, new Int32Array(5 * L)), { instanceOf: TypeError, message: /denseMaskedAttention: not available on cuda/ });
      q64.dispose();
    }
  }],
];
