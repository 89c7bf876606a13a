// GATConv, NodeTypeProjection and DCN modules.
import test from "ava";
import { rf, prng, randomGraph, randTensor, maxAbsDiff } from "./helpers.js";

function manualGat(conv, x, csr) {
  return rf.tidy(() => {
    const N = x.shape[0], H = conv.heads, F = conv.outFeatures;
    const wh = rf.reshape(rf.linear(x, conv.weight), [N, H, F]);
    const o = rf.gatAttentionReference(wh, conv.attSrc, conv.attDst, conv.addSelfLoops ? csr.withSelfLoops() : csr);
    let y = conv.concat ? rf.reshape(o, [N, H * F]) : rf.mean(o, 1);
    if (conv.residual) y = rf.add(y, conv.residualProj ? conv.residualProj.call(x) : x);
    return conv.bias ? rf.add(y, conv.bias) : y;
  });
}

test("GATConv equals projection + op-by-op attention (+ concat/mean, residual, bias); every parameter gets a gradient", (t) => {
  const rand = prng(3);
  const csr = rf.toCsr(randomGraph(rand, { nodes: 15, edges: 40 }));
  const x = randTensor(rand, [15, 6], "float64");
  for (const cfg of [{ heads: 4, concat: true }, { heads: 2, concat: false }, { heads: 3, concat: true, residual: true }, { heads: 1, residual: true }, { heads: 2, addSelfLoops: false }]) {
    const conv = new rf.GATConv(6, cfg.heads === 1 ? 6 : 5, { ...cfg, dtype: "float64", generator: new rf.Generator(1) });
    conv.eval();
    const y = conv.call(x, csr);
    t.deepEqual(y.shape, [15, conv.outDim]);
    t.true(maxAbsDiff(y.toTypedArray(), manualGat(conv, x, csr).toTypedArray()) < 1e-12, JSON.stringify(cfg));
    rf.tidy(() => rf.sum(rf.square(y)).backward());
    for (const [name, p] of conv.namedParameters()) t.truthy(p.grad, `${name} has a gradient (${JSON.stringify(cfg)})`);
    conv.dispose();
  }
  csr.dispose();
});

test("GATConv attention dropout runs the unfused path: with p → 0 it equals the fused layer, forward and backward", (t) => {
  const rand = prng(5);
  const csr = rf.toCsr(randomGraph(rand, { nodes: 12, edges: 30 }));
  const x = randTensor(rand, [12, 4], "float64");
  const a = new rf.GATConv(4, 3, { heads: 2, dtype: "float64", generator: new rf.Generator(2) });
  const b = new rf.GATConv(4, 3, { heads: 2, dtype: "float64", generator: new rf.Generator(2), attentionDropout: 1e-12 });
  const ya = a.call(x, csr), yb = b.call(x, csr);
  t.true(maxAbsDiff(ya.toTypedArray(), yb.toTypedArray()) < 1e-9);
  rf.tidy(() => rf.sum(rf.square(ya)).backward());
  rf.tidy(() => rf.sum(rf.square(yb)).backward());
  for (const k of ["weight", "attSrc", "attDst", "bias"]) t.true(maxAbsDiff(a[k].grad.toTypedArray(), b[k].grad.toTypedArray()) < 1e-9, k);
  // with real dropout the output changes in training and not in eval
  const c = new rf.GATConv(4, 3, { heads: 2, dtype: "float64", generator: new rf.Generator(2), attentionDropout: 0.5, dropout: 0.3 });
  t.true(maxAbsDiff(c.call(x, csr).toTypedArray(), ya.toTypedArray()) > 1e-3);
  c.eval();
  t.true(maxAbsDiff(c.call(x, csr).toTypedArray(), ya.toTypedArray()) < 1e-12);
  [a, b, c].forEach((m) => m.dispose());
  csr.dispose();
});

test("GATConv rejects mismatched inputs", (t) => {
  const csr = rf.toCsr(rf.graph({ numNodes: 3, src: [0, 1], dst: [1, 2] }));
  const conv = new rf.GATConv(4, 2, { heads: 2 });
  t.throws(() => conv.call(rf.zeros([3, 5]), csr), { instanceOf: RangeError, message: /must be \[N, 4\]/ });
  t.throws(() => conv.call(rf.zeros([4, 4]), csr), { instanceOf: RangeError, message: /4 rows, the graph 3 nodes/ });
  t.throws(() => new rf.GATConv(4, 2, { heads: 0 }), { instanceOf: RangeError, message: /heads/ });
  conv.dispose();
  csr.dispose();
});

test("two GAT layers learn to classify nodes by their neighbours' features", (t) => {
  // Label of a node = sign of the mean feature of its in-neighbours; its own feature is noise.
  const rand = prng(7);
  const n = 60;
  const g = randomGraph(rand, { nodes: n, edges: 240, selfLoops: 0, duplicates: 0 });
  const csr = rf.toCsr(g);
  const feat = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const sum = new Float64Array(n), cnt = new Float64Array(n);
  for (let e = 0; e < g.src.length; e++) (sum[g.dst[e]] += feat[g.src[e]]), cnt[g.dst[e]]++;
  const y = rf.tensor(Float64Array.from(sum, (s) => (s > 0 ? 1 : 0)), { shape: [n, 1] });
  const x = rf.tensor(Float64Array.from(feat, (v) => v), { shape: [n, 1] });
  const gen = new rf.Generator(3);
  const l1 = new rf.GATConv(1, 8, { heads: 4, generator: gen, dtype: "float64", addSelfLoops: false });
  const l2 = new rf.GATConv(32, 1, { heads: 1, generator: gen, dtype: "float64" });
  const params = [...l1.parameters(), ...l2.parameters()];
  const opt = new rf.Adam(params, { lr: 0.02 });
  const step = () => rf.tidy(() => {
    const loss = rf.bceWithLogits(l2.call(rf.elu(l1.call(x, csr)), csr), y);
    loss.backward();
    return loss.item();
  });
  const first = step();
  opt.zeroGrad();
  let last = first;
  for (let i = 0; i < 150; i++) {
    last = step();
    opt.step();
    opt.zeroGrad();
  }
  t.log(`bce ${first.toFixed(3)} → ${last.toFixed(3)}`);
  t.true(last < first * 0.5, `loss ${first} → ${last}`);
  [l1, l2, opt].forEach((m) => m.dispose());
  csr.dispose();
});

test("NodeTypeProjection projects each type with its own map and restores node order", (t) => {
  const rand = prng(9);
  const proj = new rf.NodeTypeProjection([3, 5, 2], 4, { dtype: "float64", names: ["user", "sentence", "attr"] });
  const nodeType = Int32Array.from([1, 0, 2, 1, 1, 2]);
  const f = [randTensor(rand, [1, 3]), randTensor(rand, [3, 5]), randTensor(rand, [2, 2])];
  const out = proj.call(f, nodeType);
  t.deepEqual(out.shape, [6, 4]);
  const rows = out.toArray();
  const expect = f.map((x, i) => proj.projections[i].call(x).toArray());
  const seen = [0, 0, 0];
  nodeType.forEach((ty, i) => t.true(maxAbsDiff(rows[i], expect[ty][seen[ty]++]) < 1e-12));
  t.deepEqual(proj.namedParameters().map(([n]) => n), ["user.weight", "user.bias", "sentence.weight", "sentence.bias", "attr.weight", "attr.bias"]);
  t.throws(() => proj.call([f[0], f[1], null], nodeType), { instanceOf: RangeError, message: /features\[2\] null must be \[2, 2\]/ });
  t.throws(() => proj.call(f, Int32Array.from([1, 0, 3, 1, 1, 2])), { instanceOf: RangeError, message: /nodeType\[2\] = 3/ });
  proj.dispose();
});

test("DCN: cross layers follow x_{l+1} = x0 (x_l·w) + b + x_l; matrix kind; training fits a product", (t) => {
  const rand = prng(11);
  const x = randTensor(rand, [5, 3]);
  const dcn = new rf.DCN(3, { crossLayers: 2, deep: [], dtype: "float64", generator: new rf.Generator(4) });
  // nonzero biases (they start at zero) so that they are exercised
  dcn.loadStateDict({ "cross.0.bias": rf.tensor([0.1, -0.2, 0.3], { dtype: "float64" }), "cross.1.bias": rf.tensor([0.5, 0, -0.4], { dtype: "float64" }) }, { strict: false });
  const X = x.toArray();
  let xl = X.map((r) => r.slice());
  for (const c of dcn.cross) {
    const w = c.weight.toTypedArray(), b = c.bias.toTypedArray();
    xl = xl.map((r, i) => {
      const s = r.reduce((acc, v, j) => acc + v * w[j], 0);
      return r.map((v, j) => X[i][j] * s + b[j] + v);
    });
  }
  const W = dcn.head.weight.toArray()[0], hb = dcn.head.bias.item();
  const want = xl.map((r) => r.reduce((acc, v, j) => acc + v * W[j], hb));
  t.true(maxAbsDiff(dcn.call(x).toTypedArray(), want) < 1e-12);
  dcn.dispose();
  const m = new rf.DCN(3, { crossLayers: 1, crossType: "matrix", deep: [8], dtype: "float64", generator: new rf.Generator(5) });
  t.deepEqual(m.call(x).shape, [5, 1]);
  t.true(m.namedParameters().some(([n]) => n === "cross.0.linear.weight"));
  m.dispose();
  // y = x0 * x1: one cross layer represents it exactly; the network should fit it well
  const xs = randTensor(rand, [128, 2]);
  const ys = rf.tensor(xs.toArray().map(([a, b]) => [a * b]), { dtype: "float64" });
  const net = new rf.DCN(2, { crossLayers: 2, deep: [16], dtype: "float64", generator: new rf.Generator(6) });
  const opt = new rf.Adam(net.parameters(), { lr: 0.01 });
  let first = 0, last = 0;
  for (let i = 0; i < 300; i++) {
    last = rf.tidy(() => {
      const l = rf.mse(net.call(xs), ys);
      l.backward();
      return l.item();
    });
    if (i === 0) first = last;
    opt.step();
    opt.zeroGrad();
  }
  t.log(`mse ${first.toFixed(4)} → ${last.toExponential(2)}`);
  t.true(last < first / 20, `mse ${first} → ${last}`);
  net.dispose();
  opt.dispose();
});
