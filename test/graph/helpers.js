// Shared helpers of the graph tests (not a test file: ava runs *.test.js only).
import * as rf from "../../dist/index.js";

export { rf };

/** mulberry32: the project's seeded PRNG for test data (lib/prng.ts). */
import { mulberry32 as prng } from "../../dist/prng.js";
export { prng };

/**
 * A random graph with the awkward cases: isolated nodes (endpoints drawn from a subset),
 * self-loops, duplicate edges; `edges: 0` gives a graph without edges.
 */
export function randomGraph(rand, { nodes, edges, selfLoops = 2, duplicates = 2 }) {
  const active = Math.max(1, Math.ceil(nodes * 0.7)); // nodes >= active never get an edge
  const src = [], dst = [];
  for (let i = 0; i < edges; i++) {
    src.push(Math.floor(rand() * active));
    dst.push(Math.floor(rand() * active));
  }
  if (edges > 0) {
    for (let i = 0; i < selfLoops; i++) {
      const v = Math.floor(rand() * active);
      src.push(v);
      dst.push(v);
    }
    for (let i = 0; i < duplicates; i++) {
      const k = Math.floor(rand() * src.length);
      src.push(src[k]);
      dst.push(dst[k]);
    }
  }
  return rf.graph({ numNodes: nodes, src, dst });
}

export function randTensor(rand, shape, dtype = "float64", scale = 1) {
  const n = shape.reduce((p, c) => p * c, 1);
  const a = Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  return rf.tensor(a, { shape, dtype });
}

export function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Gradients of Σ out·G with respect to `inputs` (leaf tensors), as typed arrays; grads are cleared. */
export function gradsOf(fn, inputs, G) {
  rf.tidy(() => rf.sum(rf.mul(fn(), G)).backward());
  return inputs.map((t) => {
    const g = t.grad ? t.grad.toTypedArray() : new Float64Array(t.size);
    t.zeroGrad();
    return g;
  });
}

/**
 * Central finite differences of L = Σ fn()·G with respect to every element of the float64
 * leaf `x` (perturbed in place through a fresh tensor per evaluation by `rebuild`).
 */
export function finiteDiff(evalLoss, values, eps = 1e-6) {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const p = Float64Array.from(values), m = Float64Array.from(values);
    p[i] += eps;
    m[i] -= eps;
    out[i] = (evalLoss(p) - evalLoss(m)) / (2 * eps);
  }
  return out;
}
