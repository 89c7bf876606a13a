// CUDA backend checks shared by the ava suite (test/cuda/cuda.test.js, skipped without a
// device) and the GPU smoke script (scripts/cuda-smoke.mjs, run by scripts/gpu-check.sh).
// Each check gets `t` (is, true, deepEqual, throws) and the library; most run an op on the
// CPU and on CUDA and compare. The fused ops (fused_checks.js), a few training steps of
// each method's model (training_checks.js) and autocast / mixed precision (amp_checks.js)
// follow the core checks. A check may be async (it returns a promise).
import { native, cuda } from "../../dist/native.js";
import { closeArrays, parity } from "./parity.js";
import { fusedChecks } from "./fused_checks.js";
import { trainingChecks } from "./training_checks.js";
import { ampChecks } from "./amp_checks.js";
import { deviceOptionChecks } from "./device_option_checks.js";
import * as nat from "../../dist/native.js";
import { checkGrad, checkOp, gradCases, nativeCases } from "../parity/backend_parity.js";
import { seqrecChecks } from "./seqrec_checks.js";

export { closeArrays };

export const checks = [
  ["backends() reports the device and its GEMM", (t, rf) => {
    const b = rf.backends();
    t.true(b.cuda.available);
    t.true(typeof b.cuda.device.name === "string" && b.cuda.device.name.length > 0);
    t.true(["cublas", "own", "emulated"].includes(b.cuda.gemm), `gemm backend ${b.cuda.gemm}`);
  }],

  ["to() round trips every dtype, contiguous or not; to(same device) is the identity", (t, rf) => {
    for (const dtype of ["float32", "float64", "int32"]) {
      const x = rf.arange(0, 24, 1, { dtype }).reshape([2, 3, 4]);
      const v = x.permute([2, 0, 1]);
      const d = v.to("cuda");
      t.is(d.device, "cuda");
      t.is(d.to("cuda"), d);
      const back = d.to("cpu");
      t.deepEqual(Array.from(back.toTypedArray()), Array.from(v.toTypedArray()));
      t.deepEqual(Array.from(d.toTypedArray()), Array.from(v.toTypedArray()), "reading a device tensor directly");
      [x, v, d, back].forEach((z) => z.dispose());
    }
  }],

  ["creation on the device; seeded draws equal the CPU's", (t, rf) => {
    const opts = { device: "cuda" };
    t.deepEqual(rf.zeros([2, 3], opts).toArray(), [[0, 0, 0], [0, 0, 0]]);
    t.deepEqual(rf.full([2], 7, { ...opts, dtype: "int32" }).toArray(), [7, 7]);
    t.deepEqual(rf.tensor([[1, 2], [3, 4]], opts).toArray(), [[1, 2], [3, 4]]);
    t.deepEqual(rf.eye(3, 3, opts).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    t.deepEqual(rf.arange(4, undefined, 1, opts).toArray(), [0, 1, 2, 3]);
    for (const [f, o] of [[rf.rand, { low: -2, high: 3 }], [rf.randn, { mean: 1, std: 2 }]])
      for (const dtype of ["float32", "float64"]) {
        const a = f([1001], { ...o, dtype, generator: new rf.Generator(5) });
        const b = f([1001], { ...o, dtype, generator: new rf.Generator(5), device: "cuda" });
        const err = closeArrays(b.toTypedArray(), a.toTypedArray(), 1e-6, 1e-7);
        t.is(err, null, `${f.name} ${dtype}: ${err}`);
      }
    const i1 = rf.randint(-5, 9, [999], { generator: new rf.Generator(8) });
    const i2 = rf.randint(-5, 9, [999], { generator: new rf.Generator(8), device: "cuda" });
    t.deepEqual(Array.from(i2.toTypedArray()), Array.from(i1.toTypedArray()));
  }],

  ["elementwise, comparisons, where, cast on cuda match the cpu", (t, rf) => {
    const g = new rf.Generator(1);
    const a = rf.randn([3, 1, 5], { generator: g }), b = rf.randn([4, 5], { generator: g });
    parity(t, rf, "add/sub/mul/div", [a, b], (x, y) => [x.add(y), x.sub(y), x.mul(y), x.div(y.abs().add(0.5))]);
    parity(t, rf, "pow/max/min", [a, b], (x, y) => [x.abs().pow(y), rf.maximum(x, y), rf.minimum(x, y), x.pow(3)]);
    parity(t, rf, "unary", [a], (x) => [x.exp(), x.abs().log(), x.abs().sqrt(), x.sigmoid(), x.tanh(), x.relu(),
      rf.gelu(x), rf.silu(x), rf.elu(x), x.clamp(-0.5, 0.5), x.neg(), x.square(), rf.sign(x), rf.leakyRelu(x, 0.2)]);
    parity(t, rf, "compare", [a, b], (x, y) => [x.lt(y), x.ge(y), x.eq(x), x.ne(y)]);
    parity(t, rf, "where", [a, b], (x, y) => [rf.where(x.gt(0), x, y)]);
    parity(t, rf, "cast", [a], (x) => [x.mul(10).cast("int32"), x.cast("float64"), x.mul(10).cast("int32").cast("float32")]);
    parity(t, rf, "scalars", [a], (x) => [x.add(1), x.mul(3), rf.sub(2, x), rf.div(x, 4)]);
    [a, b].forEach((x) => x.dispose());
  }],

  ["reductions, softmax, norms, shape ops on cuda match the cpu", (t, rf) => {
    const g = new rf.Generator(2);
    const x = rf.randn([6, 7, 33], { generator: g });
    parity(t, rf, "sum/mean", [x], (v) => [v.sum(), v.sum(1), v.mean([0, 2], true), v.sum(-1)]);
    parity(t, rf, "max/argmax", [x], (v) => [v.max(1).values, v.max(1).indices, v.argmax(2), v.amin(0)]);
    parity(t, rf, "softmax", [x], (v) => [v.softmax(-1), v.logSoftmax(1), v.logsumexp(-1)]);
    const w = rf.randn([33], { generator: g }), bi = rf.randn([33], { generator: g });
    parity(t, rf, "norms", [x, w, bi], (v, ww, bb) => [rf.layerNorm(v, ww, bb), rf.rmsNorm(v, ww), rf.layerNorm(v)], { rtol: 1e-4, atol: 1e-4 });
    parity(t, rf, "shape", [x], (v) => [v.permute([2, 0, 1]).contiguous(), v.slice(2, 3, 9).contiguous(),
      rf.concat([v, v.mul(2)], 1), rf.stack([v, v], 0), v.transpose(0, 2).reshape([-1])]);
    parity(t, rf, "var", [x], (v) => [v.var(-1)], { rtol: 1e-4 });
    [x, w, bi].forEach((v) => v.dispose());
  }],

  ["matmul / linear (batched, transposed views) on cuda match the cpu", (t, rf) => {
    const g = new rf.Generator(3);
    const a = rf.randn([3, 37, 65], { generator: g }), b = rf.randn([65, 29], { generator: g });
    const c = rf.randn([3, 29, 65], { generator: g }), bias = rf.randn([29], { generator: g });
    parity(t, rf, "matmul", [a, b, c, bias], (x, y, z, bb) => [x.matmul(y), x.matmul(z.transpose(1, 2)),
      rf.linear(x, z.slice(0, 0, 1).reshape([29, 65]), bb), y.T.matmul(x.slice(0, 1, 2).reshape([37, 65]).T)], { rtol: 1e-4, atol: 1e-4 });
    [a, b, c, bias].forEach((v) => v.dispose());
  }],

  ["indexing, losses, sorting on cuda match the cpu", (t, rf) => {
    const g = new rf.Generator(4);
    const table = rf.randn([50, 8], { generator: g });
    const idx = rf.randint(0, 50, [7, 9], { generator: g });
    parity(t, rf, "embedding/indexSelect", [table, idx], (tb, ix) => [rf.embedding(ix, tb), rf.indexSelect(tb, 0, ix.reshape([-1]))]);
    const x = rf.randn([5, 6], { generator: g });
    const gi = rf.randint(0, 6, [5, 3], { generator: g });
    parity(t, rf, "gather/scatterAdd", [x, gi], (v, ix) => [rf.gather(v, 1, ix), rf.scatterAdd(v, 1, ix, rf.ones([5, 3], { device: v.device }))]);
    const logits = rf.randn([9, 11], { generator: g }), target = rf.randint(0, 11, [9], { generator: g });
    const y = rf.rand([9, 11], { generator: g });
    parity(t, rf, "losses", [logits, target, y], (l, tg, yy) => [rf.crossEntropy(l, tg), rf.bceWithLogits(l, yy), rf.mse(l, yy)], { rtol: 1e-5 });
    const s = rf.randn([4, 100], { generator: g });
    parity(t, rf, "sort/topk", [s], (v) => [rf.sort(v, { descending: true }).values, rf.sort(v).indices, rf.topk(v, 5).values, rf.topk(v, 5, { largest: false }).indices]);
    [table, idx, x, gi, logits, target, y, s].forEach((v) => v.dispose());
  }],

  ["autograd through an MLP gives the cpu's gradients; the gradient of to() flows back", (t, rf) => {
    const g = new rf.Generator(6);
    const x = rf.randn([16, 12], { generator: g }), w1 = rf.randn([20, 12], { generator: g }), w2 = rf.randn([3, 20], { generator: g });
    const tg = rf.randint(0, 3, [16], { generator: g });
    const run = (dev) => {
      const p1 = w1.to(dev).detach().requiresGrad_(), p2 = w2.to(dev).detach().requiresGrad_();
      const h = rf.layerNorm(rf.gelu(rf.linear(x.to(dev), p1)));
      const loss = rf.crossEntropy(rf.linear(rf.dropout(h, 0.1, { generator: new rf.Generator(9) }), p2), tg.to(dev));
      loss.backward();
      return [loss, p1.grad, p2.grad];
    };
    const [lc, g1c, g2c] = run("cpu"), [lg, g1g, g2g] = run("cuda");
    t.is(g1g.device, "cuda");
    for (const [a, b, n] of [[lg, lc, "loss"], [g1g, g1c, "w1.grad"], [g2g, g2c, "w2.grad"]]) {
      const err = closeArrays(a.toTypedArray(), b.toTypedArray(), 1e-4, 1e-5);
      t.is(err, null, `${n}: ${err}`);
    }
    const leaf = rf.randn([4], { generator: g }).requiresGrad_();
    leaf.to("cuda").mul(3).sum().backward();
    t.is(leaf.grad.device, "cpu");
    t.deepEqual(Array.from(leaf.grad.toTypedArray()), [3, 3, 3, 3]);
  }],

  ["memory() reports the CUDA allocator; disposing returns bytes; emptyCache empties the cache", (t, rf) => {
    rf.synchronize();
    const before = rf.memory().cuda;
    t.truthy(before);
    const x = rf.zeros([1 << 20], { device: "cuda" });
    const mid = rf.memory().cuda;
    t.true(mid.cudaBytes >= before.cudaBytes + 4 * (1 << 20));
    t.true(mid.cudaPeakBytes >= mid.cudaBytes);
    x.dispose();
    t.is(rf.memory().cuda.cudaBytes, before.cudaBytes);
    rf.emptyCache();
    t.is(rf.memory().cuda.cudaCachedBytes, 0);
  }],

  ["the CPU and CUDA addons keep disjoint handle tables; a handle given to the wrong addon is refused", (t, rf) => {
    const x = rf.arange(0, 10, 1, { dtype: "float32" }), d = x.to("cuda");
    t.deepEqual(Array.from(d.to("cpu").toTypedArray()), Array.from(x.toTypedArray()), "round trip through typed arrays");
    if (rf.backends().cuda.gemm !== "emulated") {
      // The emulated device borrows the CPU addon's table: only the real addon has its own.
      t.true(x._h < 2 ** 52 && d._h >= 2 ** 52 && d._h < 2 ** 53, `cpu ${x._h}, cuda ${d._h}`);
      t.throws(() => native.read({ handle: d._h, byteOffset: 0, out: new Float32Array(1) }), { instanceOf: TypeError, message: /tensor is on cuda but this op runs on cpu/ });
      t.throws(() => cuda.read({ handle: x._h, byteOffset: 0, out: new Float32Array(1) }), { instanceOf: TypeError, message: /tensor is on cpu but this op runs on cuda/ });
      const h = d._h;
      d.dispose();
      t.throws(() => cuda.read({ handle: h, byteOffset: 0, out: new Float32Array(1) }), { instanceOf: TypeError, message: /already disposed/ });
    } else d.dispose();
    x.dispose();
  }],

  ["errors say what happened: mixed devices, bad indices, out of memory", (t, rf) => {
    const a = rf.ones([3]), b = rf.ones([3], { device: "cuda" });
    t.throws(() => a.add(b), { instanceOf: TypeError, message: /different devices/ });
    const table = rf.ones([4, 2], { device: "cuda" });
    const bad = rf.tensor([0, 9, 1], { dtype: "int32", device: "cuda" });
    t.throws(() => rf.embedding(bad, table), { message: /index 9 at position 1 is out of range \[0, 4\)/ });
    t.throws(() => rf.zeros([2 ** 40], { device: "cuda" }), { message: /out of memory allocating 4398046511104 bytes/ });
    const ok = rf.ones([5], { device: "cuda" }).sum().item();
    t.is(ok, 5, "the device still works after the errors");
    [a, b, table, bad].forEach((v) => v.dispose());
  }],
  ...fusedChecks,
  ...trainingChecks,
  ...deviceOptionChecks,
  ...seqrecChecks,
  ...ampChecks,
  // The op table's parity list (test/parity/op_cases.js): every op with arguments to build, on
  // cuda against the cpu (poisoned outputs, odd sizes, both float dtypes), and every gradient entry.
  ["backend parity: every op of the op table, cuda vs cpu (test/parity)", (t, rf) => {
    let compared = 0;
    for (const c of nativeCases()) if (c.backends.includes("cuda")) compared += checkOp(t, rf, nat, c.op, ["cpu", "cuda"]);
    t.true(compared > 0, "some op was compared");
  }],
  ["backend parity: gradients of the op table's differentiable ops, cuda vs cpu (test/parity)", (t, rf) => {
    for (const g of gradCases()) checkGrad(t, rf, g, ["cpu", "cuda"], { finiteDifferences: false });
  }],
];
