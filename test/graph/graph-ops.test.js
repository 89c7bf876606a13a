// The differentiable graph ops (segmentAggregate, edgeSoftmax, gatAttention) against their
// op-by-op references built from foundation ops — forward values and autograd gradients — plus
// float64 finite-difference checks, on random graphs with isolated nodes, self-loops,
// duplicate edges, and graphs without edges.
import test from "ava";
import { rf, prng, randomGraph, randTensor, maxAbsDiff, gradsOf, finiteDiff } from "./helpers.js";

// [nodes, edges]: no edges (one node / several), small, medium.
const SHAPES = [[1, 0], [7, 0], [6, 10], [13, 30], [25, 80]];

function graphs(seed) {
  const rand = prng(seed);
  return SHAPES.map(([nodes, edges]) => {
    const g = rf.toCsr(randomGraph(rand, { nodes, edges }));
    // The transpose, the per-edge destinations and the self-loop version are built on first use
    // and cached by the graph: build them now so the leak checks below count only the ops.
    for (const c of [g, g.withSelfLoops()]) void [c.transpose, c.dstTensor];
    return { nodes, edges, g };
  });
}

function loss(out, G) {
  return rf.tidy(() => rf.sum(rf.mul(out, G)).item());
}

const tol = (dtype) => (dtype === "float64" ? 1e-10 : 2e-4);

for (const dtype of ["float64", "float32"]) {
  for (const reduce of ["sum", "mean", "max", "min"]) {
    test(`segmentAggregate ${reduce} (${dtype}, weighted and not) matches the op-by-op reference, forward and backward`, (t) => {
      const rand = prng(11);
      for (const { nodes, edges, g } of graphs(3)) {
        for (const weighted of [false, true]) {
          const x = randTensor(rand, [nodes, 2, 3], dtype).requiresGrad_();
          const w = weighted ? randTensor(rand, [g.numEdges], dtype).requiresGrad_() : null;
          const G = randTensor(rand, [nodes, 2, 3], dtype);
          const live = rf.memory().liveTensors;
          const a = rf.segmentAggregate(x, g, reduce, { weight: w });
          const b = rf.segmentAggregateReference(x, g, reduce, { weight: w });
          t.deepEqual(a.shape, [nodes, 2, 3]);
          const what = `${nodes} nodes ${edges} edges weighted=${weighted}`;
          t.true(maxAbsDiff(a.toTypedArray(), b.toTypedArray()) < tol(dtype), `forward ${what}`);
          const inputs = w ? [x, w] : [x];
          const ga = gradsOf(() => a, inputs, G);
          const gb = gradsOf(() => b, inputs, G);
          ga.forEach((v, i) => t.true(maxAbsDiff(v, gb[i]) < tol(dtype), `grad ${i} ${what}`));
          a.dispose();
          b.dispose();
          t.is(rf.memory().liveTensors, live, `no leaked tensors (${what})`);
          G.dispose();
          x.dispose();
          w?.dispose();
        }
        g.dispose();
      }
    });
  }

  test(`edgeSoftmax ([E] and [E, H], ${dtype}) matches the op-by-op reference, forward and backward`, (t) => {
    const rand = prng(21);
    for (const { nodes, edges, g } of graphs(5)) {
      for (const shape of [[g.numEdges], [g.numEdges, 3]]) {
        const s = randTensor(rand, shape, dtype, 3).requiresGrad_();
        const G = randTensor(rand, shape, dtype);
        const a = rf.edgeSoftmax(s, g), b = rf.edgeSoftmaxReference(s, g);
        const what = `${nodes} nodes ${edges} edges shape [${shape}]`;
        t.true(maxAbsDiff(a.toTypedArray(), b.toTypedArray()) < tol(dtype), `forward ${what}`);
        // every destination with edges sums to 1 per head
        const al = a.toTypedArray(), H = shape[1] ?? 1;
        for (let d = 0; d < g.numDst; d++)
          for (let h = 0; h < H; h++) {
            if (g.rowptr[d] === g.rowptr[d + 1]) continue;
            let sum = 0;
            for (let e = g.rowptr[d]; e < g.rowptr[d + 1]; e++) sum += al[e * H + h];
            t.true(Math.abs(sum - 1) < tol(dtype));
          }
        const [ga] = gradsOf(() => a, [s], G), [gb] = gradsOf(() => b, [s], G);
        t.true(maxAbsDiff(ga, gb) < tol(dtype), `grad ${what}`);
        [a, b, s, G].forEach((v) => v.dispose());
      }
      g.dispose();
    }
  });

  test(`gatAttention (${dtype}) matches the op-by-op GAT, forward and backward, with and without self-loops`, (t) => {
    const rand = prng(31);
    for (const { nodes, edges, g } of graphs(7)) {
      for (const withLoops of [false, true]) {
        const gg = withLoops ? g.withSelfLoops() : g;
        for (const [H, F] of [[1, 5], [4, 3]]) {
          const wh = randTensor(rand, [nodes, H, F], dtype).requiresGrad_();
          const as = randTensor(rand, [H, F], dtype).requiresGrad_();
          const ad = randTensor(rand, [H, F], dtype).requiresGrad_();
          const G = randTensor(rand, [nodes, H, F], dtype);
          const live = rf.memory().liveTensors;
          const a = rf.gatAttention(wh, as, ad, gg, { negativeSlope: 0.2 });
          const b = rf.gatAttentionReference(wh, as, ad, gg, { negativeSlope: 0.2 });
          const what = `${nodes} nodes ${edges} edges loops=${withLoops} H=${H} F=${F}`;
          t.true(maxAbsDiff(a.toTypedArray(), b.toTypedArray()) < tol(dtype), `forward ${what}`);
          const ga = gradsOf(() => a, [wh, as, ad], G), gb = gradsOf(() => b, [wh, as, ad], G);
          ga.forEach((v, i) => t.true(maxAbsDiff(v, gb[i]) < tol(dtype) * (i ? 10 : 1), `grad ${["wh", "aSrc", "aDst"][i]} ${what}: ${maxAbsDiff(v, gb[i])}`));
          a.dispose();
          b.dispose();
          t.is(rf.memory().liveTensors, live, `no leaked tensors (${what})`);
          [wh, as, ad, G].forEach((v) => v.dispose());
        }
      }
      g.dispose();
    }
  });
}

test("finite differences (float64): segmentAggregate, edgeSoftmax and gatAttention gradients", (t) => {
  const rand = prng(41);
  const csr = rf.toCsr(randomGraph(rand, { nodes: 9, edges: 20 }));
  const loops = csr.withSelfLoops();
  const check = (name, values, grad, evalLoss) => {
    const fd = finiteDiff(evalLoss, values);
    for (let i = 0; i < fd.length; i++)
      t.true(Math.abs(fd[i] - grad[i]) < 1e-6 * (1 + Math.abs(fd[i])), `${name}[${i}]: autograd ${grad[i]} vs finite difference ${fd[i]}`);
  };
  const f64 = (v, shape) => rf.tensor(v, { shape, dtype: "float64" });
  // segmentAggregate, every reduction, weighted: gradients in x and in the weights.
  for (const reduce of ["sum", "mean", "max", "min"]) {
    const xv = randTensor(rand, [9, 3]).toTypedArray(), wv = randTensor(rand, [csr.numEdges]).toTypedArray();
    const G = randTensor(rand, [9, 3]);
    const x = f64(xv, [9, 3]).requiresGrad_(), w = f64(wv, [csr.numEdges]).requiresGrad_();
    const [gx, gw] = gradsOf(() => rf.segmentAggregate(x, csr, reduce, { weight: w }), [x, w], G);
    const L = (xa, wa) => rf.tidy(() => loss(rf.segmentAggregate(f64(xa, [9, 3]), csr, reduce, { weight: f64(wa, [csr.numEdges]) }), G));
    check(`${reduce} x`, xv, gx, (p) => L(p, wv));
    check(`${reduce} w`, wv, gw, (p) => L(xv, p));
    [x, w, G].forEach((v) => v.dispose());
  }
  // edgeSoftmax [E, 2]
  {
    const sv = randTensor(rand, [csr.numEdges, 2], "float64", 2).toTypedArray(), G = randTensor(rand, [csr.numEdges, 2]);
    const s = f64(sv, [csr.numEdges, 2]).requiresGrad_();
    const [gs] = gradsOf(() => rf.edgeSoftmax(s, csr), [s], G);
    check("edgeSoftmax", sv, gs, (p) => rf.tidy(() => loss(rf.edgeSoftmax(f64(p, [csr.numEdges, 2]), csr), G)));
    s.dispose();
    G.dispose();
  }
  // gatAttention, 2 heads, with self-loops
  {
    const H = 2, F = 3;
    const whv = randTensor(rand, [9, H, F]).toTypedArray(), asv = randTensor(rand, [H, F]).toTypedArray(), adv = randTensor(rand, [H, F]).toTypedArray();
    const G = randTensor(rand, [9, H, F]);
    const wh = f64(whv, [9, H, F]).requiresGrad_(), as = f64(asv, [H, F]).requiresGrad_(), ad = f64(adv, [H, F]).requiresGrad_();
    const [gwh, gas, gad] = gradsOf(() => rf.gatAttention(wh, as, ad, loops), [wh, as, ad], G);
    const L = (a, b, c) => rf.tidy(() => loss(rf.gatAttention(f64(a, [9, H, F]), f64(b, [H, F]), f64(c, [H, F]), loops), G));
    check("gat wh", whv, gwh, (p) => L(p, asv, adv));
    check("gat aSrc", asv, gas, (p) => L(whv, p, adv));
    check("gat aDst", adv, gad, (p) => L(whv, asv, p));
    [wh, as, ad, G].forEach((v) => v.dispose());
  }
  csr.dispose();
});

test("gatAttentionWithWeights returns attention that sums to 1 per destination; no-grad path leaks nothing", (t) => {
  const rand = prng(51);
  const g = rf.toCsr(randomGraph(rand, { nodes: 12, edges: 30 })).withSelfLoops();
  const wh = randTensor(rand, [12, 2, 4], "float32"), a = randTensor(rand, [2, 4], "float32");
  const live = rf.memory().liveTensors;
  const { out, attention } = rf.gatAttentionWithWeights(wh, a, a, g);
  t.deepEqual(attention.shape, [g.numEdges, 2]);
  const al = attention.toTypedArray();
  for (let d = 0; d < 12; d++) {
    let s = 0;
    for (let e = g.rowptr[d]; e < g.rowptr[d + 1]; e++) s += al[e * 2];
    t.true(Math.abs(s - 1) < 1e-5);
  }
  out.dispose();
  attention.dispose();
  t.is(rf.memory().liveTensors, live);
});

test("backward still works after the CsrGraph is disposed (ops keep their own views)", (t) => {
  const rand = prng(61);
  const g = rf.toCsr(randomGraph(rand, { nodes: 8, edges: 20 }));
  const gl = g.withSelfLoops();
  const x = randTensor(rand, [8, 2, 3], "float64").requiresGrad_(), a = randTensor(rand, [2, 3], "float64").requiresGrad_();
  const out = rf.add(rf.gatAttention(x, a, a, gl), rf.segmentAggregate(x, g, "max"));
  g.dispose();
  t.true(gl.isDisposed);
  t.notThrows(() => rf.sum(out).backward());
  t.is(x.grad.shape.length, 3);
  t.throws(() => rf.segmentAggregate(x, g), { instanceOf: TypeError, message: /disposed/ });
});

test("graph ops reject bad shapes and arguments with messages naming them", (t) => {
  const g = rf.toCsr(rf.graph({ numNodes: 4, src: [0, 1, 2], dst: [1, 2, 3] }));
  const x = rf.zeros([4, 3]);
  t.throws(() => rf.segmentAggregate(rf.zeros([5, 3]), g), { instanceOf: RangeError, message: /x \[5, 3\] must have one row per source node \(4\)/ });
  t.throws(() => rf.segmentAggregate(x, g, "avg"), { instanceOf: TypeError, message: /reduce must be/ });
  t.throws(() => rf.segmentAggregate(x, g, "sum", { weight: rf.zeros([4]) }), { instanceOf: RangeError, message: /weight \[4\] must be \[3\]/ });
  t.throws(() => rf.segmentAggregate(x, g, "sum", { weight: rf.zeros([3], { dtype: "float64" }) }), { instanceOf: TypeError, message: /dtypes differ/ });
  t.throws(() => rf.segmentAggregate(x, {}), { instanceOf: TypeError, message: /CsrGraph/ });
  t.throws(() => rf.edgeSoftmax(rf.zeros([4, 2]), g), { instanceOf: RangeError, message: /scores \[4, 2\] must be \[3\]/ });
  const wh = rf.zeros([4, 2, 3]);
  t.throws(() => rf.gatAttention(wh, rf.zeros([2, 4]), rf.zeros([2, 3]), g), { instanceOf: RangeError, message: /aSrc \[2, 4\] must be \[H, F\] = \[2, 3\]/ });
  t.throws(() => rf.gatAttention(rf.zeros([3, 2, 3]), rf.zeros([2, 3]), rf.zeros([2, 3]), g), { instanceOf: RangeError, message: /wh \[3, 2, 3\] must be \[N, H, F\] with N = 4/ });
  t.throws(() => rf.gatAttention(wh, rf.zeros([2, 3]), rf.zeros([2, 3]), g, { negativeSlope: 2 }), { instanceOf: RangeError, message: /negativeSlope/ });
  const bip = rf.bipartiteCsr({ numSrc: 4, numDst: 2, src: [0, 1, 2, 3], dst: [0, 0, 1, 1] });
  t.throws(() => rf.gatAttention(wh, rf.zeros([2, 3]), rf.zeros([2, 3]), bip), { instanceOf: RangeError, message: /one node set/ });
  // bipartite aggregation (node → graph pooling) works
  const pooled = rf.segmentAggregate(rf.tensor([[1], [2], [3], [5]]), bip, "mean");
  t.deepEqual(Array.from(pooled.toTypedArray()), [1.5, 4]);
  g.dispose();
  bip.dispose();
});
