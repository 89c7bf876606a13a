// CompExp's network: shapes, masking, a float64 finite-difference gradient check of every
// parameter on a tiny model, decoding determinism with a seed, bad input.
import test from "ava";
import { exp, sum, mul, add, tensor, tidy, noGrad, memory } from "../../dist/index.js";
import { CompExpModel, sampleLogProbs, argmaxOf } from "../../dist/methods/compexp/model.js";
import { mulberry32 } from "../../dist/prng.js";

const ids = (...a) => Int32Array.from(a);
// two examples: 2 references / 3 candidates and 1 reference / 2 candidates (padding in both)
const BATCH = [
  { refs: [ids(4, 5, 6), ids(6, 7)], refDelta: [1, -2], cands: [ids(4, 8), ids(5, 5, 9, 4), ids(7)] },
  { refs: [ids(9, 8, 7, 6)], refDelta: [0], cands: [ids(4, 4), ids(6, 5, 8)] },
];

function tiny(dtype = "float64", seed = 3) {
  return new CompExpModel({ vocabSize: 10, embedDim: 3, hidden: 4, deltaDim: 2, dtype, seed });
}

test("forward: shapes, probabilities sum to 1 over real candidates, padding has probability 0", (t) => {
  const m = tiny("float32");
  tidy(() => {
    const ext = m.call(BATCH);
    t.deepEqual(ext.logp.shape, [2, 3]);
    t.deepEqual(ext.cos.shape, [2, 2, 3]);
    t.deepEqual(ext.ctx.shape, [2, 2, 4]);
    const p = exp(ext.logp).toTypedArray();
    t.true(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-5);
    t.true(Math.abs(p[3] + p[4] - 1) < 1e-5);
    t.is(p[5], 0);
    const cos = ext.cos.toTypedArray();
    for (const c of cos) t.true(c >= -1 - 1e-5 && c <= 1 + 1e-5);
    const v = m.refine(ext, [2, 1]);
    t.deepEqual(v.shape, [2, 4]);
    t.deepEqual(m.refine(ext, [2, 1], { noReference: true }).shape, [2, 4]);
    const lp = m.sequenceLogProb(v, [ids(4, 5), ids(6, 7, 8)]);
    t.deepEqual(lp.shape, [2]);
    for (const x of lp.toTypedArray()) t.true(x < 0 && Number.isFinite(x));
    t.true(Number.isFinite(m.tokenNll(v, [ids(4, 5), ids(6, 7, 8)]).item()));
  });
  m.dispose();
});

test("extractor: a reference's padding does not change the scores (masking)", (t) => {
  const m = tiny("float64");
  tidy(() => {
    // example 1 alone vs. in a batch where it is padded to 2 references and 3 candidates
    const alone = m.call([BATCH[1]]).logp.toTypedArray();
    const padded = m.call(BATCH).logp.toTypedArray();
    t.true(Math.abs(alone[0] - padded[3]) < 1e-12 && Math.abs(alone[1] - padded[4]) < 1e-12);
  });
  m.dispose();
});

// The shared gradcheck helper hands fresh input tensors to fn; a module reads its own parameters,
// so this check perturbs each parameter element in place (loadStateDict) and compares the
// central difference of L = Σ_k Σ out_k·W_k with the gradient backward() gave.
function moduleGradcheck(m, fn, { eps = 1e-6, atol = 1e-6, rtol = 1e-5 } = {}) {
  const named = m.namedParameters();
  let weights = null;
  const lossOf = (outs) => {
    weights ??= outs.map((o, k) => Float64Array.from({ length: o.size }, (_, i) => Math.sin(1 + 7 * i + 13 * k)));
    return outs.map((o, k) => sum(mul(o, tensor(weights[k], { dtype: "float64", shape: [...o.shape] })))).reduce((a, b) => add(a, b));
  };
  m.zeroGrad();
  tidy(() => lossOf(fn()).backward());
  const analytic = named.map(([, p]) => (p.grad ? Float64Array.from(p.grad.toTypedArray()) : new Float64Array(p.size)));
  m.zeroGrad();
  const evalL = () => tidy(() => noGrad(() => lossOf(fn()).item()));
  let worst = { ratio: -1 };
  named.forEach(([name, p], i) => {
    const base = Float64Array.from(p.toTypedArray());
    const put = (data) => tidy(() => m.loadStateDict({ [name]: tensor(data, { dtype: "float64", shape: [...p.shape] }) }, { strict: false }));
    for (let j = 0; j < base.length; j++) {
      const d = base.slice();
      d[j] += eps;
      put(d);
      const lp = evalL();
      d[j] = base[j] - eps;
      put(d);
      const lm = evalL();
      put(base);
      const numeric = (lp - lm) / (2 * eps), a = analytic[i][j];
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      if (!(ratio <= worst.ratio)) worst = { name, j, a, numeric, ratio };
    }
  });
  const untouched = named.filter((_, i) => analytic[i].every((g) => g === 0)).map(([n]) => n);
  return { ok: worst.ratio <= 1, message: `${worst.name}[${worst.j}]: analytic ${worst.a}, numeric ${worst.numeric}`, count: named.length, untouched };
}

test("gradient check (float64, finite differences): every parameter through extractor, refiner and decoder", (t) => {
  const m = tiny("float64");
  const r = moduleGradcheck(m, () => {
    const ext = m.call(BATCH);
    const v = m.refine(ext, [1, 0]);
    return [exp(ext.logp), v, m.sequenceLogProb(v, [ids(4, 5), ids(6, 7, 8)])];
  });
  t.true(r.ok, r.message);
  // refA, refB; encoder, decoder and Δ embeddings; 8 bidirectional-GRU tensors; context weight and
  // bias; the cell's 4; out weight and bias: 2 + 3 + 8 + 2 + 4 + 2 = 21, each reached by the loss
  t.is(r.count, 21);
  t.deepEqual(r.untouched, []);
  m.dispose();
});

test("decode: greedy is deterministic; sampling is deterministic for a seed and differs across seeds", (t) => {
  const m = tiny("float32", 5);
  tidy(() => {
    const v = m.refine(m.call(BATCH), [0, 1]);
    const g1 = m.decode(v, { maxLen: 8 }), g2 = m.decode(v, { maxLen: 8 });
    t.deepEqual(g1, g2);
    for (const s of g1) t.true(s.length <= 8);
    const s1 = m.decode(v, { maxLen: 8, rand: mulberry32(11) }), s2 = m.decode(v, { maxLen: 8, rand: mulberry32(11) });
    t.deepEqual(s1, s2);
    const others = [12, 13, 14, 15].map((seed) => JSON.stringify(m.decode(v, { maxLen: 8, rand: mulberry32(seed) }).map((a) => [...a])));
    t.true(others.some((o) => o !== JSON.stringify(s1.map((a) => [...a]))));
  });
  m.dispose();
});

test("decode and forward leave no tensors alive inside tidy", (t) => {
  const m = tiny("float32");
  const live0 = memory().liveTensors;
  tidy(() => {
    const v = m.refine(m.call(BATCH), [0, 0]);
    m.decode(v, { maxLen: 5, rand: mulberry32(1) });
    sum(v);
  });
  t.is(memory().liveTensors, live0);
  m.dispose();
});

test("sampleLogProbs / argmaxOf: inverse CDF over log-probabilities", (t) => {
  const lp = [Math.log(0.2), Math.log(0.5), Math.log(0.3)];
  // u·total with total = 1: u < 0.2 → 0; 0.2 ≤ u < 0.7 → 1; else 2
  t.is(sampleLogProbs(lp, () => 0.1), 0);
  t.is(sampleLogProbs(lp, () => 0.69), 1);
  t.is(sampleLogProbs(lp, () => 0.71), 2);
  t.is(sampleLogProbs([-Infinity, 0, -Infinity], () => 0.999), 1);
  t.is(argmaxOf(lp), 1);
});

test("bad input: clear RangeErrors", (t) => {
  const m = tiny("float32");
  t.throws(() => new CompExpModel({ vocabSize: 4 }), { instanceOf: RangeError, message: /vocabSize/ });
  t.throws(() => tidy(() => m.call([])), { instanceOf: RangeError, message: /empty batch/ });
  t.throws(() => tidy(() => m.call([{ refs: [], refDelta: [], cands: [ids(4)] }])), { instanceOf: RangeError, message: /no references/ });
  t.throws(() => tidy(() => m.call([{ refs: [ids(4)], refDelta: [], cands: [ids(4)] }])), { instanceOf: RangeError, message: /1 references but 0/ });
  t.throws(() => tidy(() => m.call([{ refs: [ids(4)], refDelta: [5], cands: [ids(4)] }])), { instanceOf: RangeError, message: /Δ = 5/ });
  t.throws(() => tidy(() => m.call([{ refs: [ids(4)], refDelta: [0], cands: [ids()] }])), { instanceOf: RangeError, message: /sentence 1 is empty/ });
  t.throws(() => tidy(() => m.refine(m.call(BATCH), [3, 0])), { instanceOf: RangeError, message: /choice 3 of example 0/ });
  m.dispose();
});
