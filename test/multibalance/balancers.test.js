// Balancers on a toy float64 model whose gradients are also computed by hand in JS:
// MultiBalance / MetaBalance / PCGrad / GradNorm / UncertaintyWeighting / EqualWeights
// against float64 references of their rules, head gradients, and the edge cases.
import test from "ava";
import { rf, prng, maxRelErr, sumErr, multiBalanceRef, toyProblem, toyModel, toyReference, toyStep, REFS, STRATEGIES } from "./helpers.js";

const close = (a, b, tol = 1e-12) => maxRelErr(a, b) < tol;

// Several steps on the same toy model with parameters that do not move (no optimiser):
// the moving averages still evolve because the balancer sees the same gradients each step
// only if inputs are equal; perturb the targets per step to get fresh gradients.
function perturb(p, step) {
  const r = prng(1000 + step);
  return { ...p, Y: p.Y.map((y) => y.map((v) => v + (r() - 0.5) * step)) };
}

for (const reference of REFS)
  for (const strategy of STRATEGIES)
    test(`MultiBalance: bottom gradients = J^T Σ w_t g_t in float64, heads unscaled (${reference}, ${strategy})`, (t) => {
      const p0 = toyProblem(REFS.indexOf(reference) * 3 + STRATEGIES.indexOf(strategy) + 1);
      const opts = { reference, strategy, target: reference === "target" ? 1 : 0, beta: 0.85, relax: 0.7 };
      const bal = new rf.MultiBalance(p0.T, opts);
      const st = { m: new Array(p0.T).fill(0), init: new Array(p0.T).fill(false) };
      for (let step = 0; step < 4; step++) {
        const p = perturb(p0, step);
        const model = toyModel(p);
        const ref = toyReference(p);
        const { info, grads } = toyStep(model, bal);
        const want = multiBalanceRef(ref.gz, st, opts);
        t.true(close(info.weights, want.weights), `weights ${info.weights} vs ${want.weights}`);
        t.true(close(info.norms, want.norms));
        const [gW, gb] = ref.bottomGrads(want.out);
        t.true(close(grads.W, gW, 1e-11), `W step ${step}`);
        t.true(close(grads.b, gb, 1e-11), `b step ${step}`);
        // heads: their own task's gradient, not rescaled
        grads.V.forEach((gv, k) => t.true(close(gv, ref.gV[k], 1e-12), `head ${k}`));
        model.dispose();
      }
      bal.dispose();
    });

test("MultiBalance with relax 0 equals the plain summed loss (EqualWeights)", (t) => {
  const p = toyProblem(3);
  const a = toyStep(toyModel(p), new rf.MultiBalance(p.T, { relax: 0 }));
  const b = toyStep(toyModel(p), new rf.EqualWeights(p.T));
  t.true(close(a.grads.W, b.grads.W, 1e-13));
  t.true(close(a.grads.b, b.grads.b, 1e-13));
  a.grads.V.forEach((g, k) => t.true(close(g, b.grads.V[k], 1e-13)));
});

test("EqualWeights / FixedWeights: gradient of Σ w_t L_t", (t) => {
  const p = toyProblem(4);
  const ref = toyReference(p);
  const w = [0.5, 2, 1];
  const { grads } = toyStep(toyModel(p), new rf.FixedWeights(p.T, { weights: w }));
  const G = ref.gz[0].map((_, j) => ref.gz.reduce((s, g, k) => s + w[k] * g[j], 0));
  const [gW] = ref.bottomGrads(G);
  t.true(close(grads.W, gW, 1e-12));
  grads.V.forEach((g, k) => t.true(close(g, ref.gV[k].map((v) => v * w[k]), 1e-12)));
});

// MetaBalance's rule (its public code), float64, per shared tensor.
function metaRef(perTask, m, beta, relax) {
  // perTask[k][j] = gradient array of task k for shared tensor j
  const T = perTask.length, P = perTask[0].length;
  const acc = Array.from({ length: P }, (_, j) => new Array(perTask[0][j].length).fill(0));
  for (let k = 0; k < T; k++)
    for (let j = 0; j < P; j++) {
      const g = perTask[k][j];
      const n = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      m[j][k] = beta * m[j][k] + (1 - beta) * n;
      const w = (relax * m[j][0]) / (m[j][k] + 1e-5) + (1 - relax);
      for (let i = 0; i < g.length; i++) acc[j][i] += w * g[i];
    }
  return acc;
}

test("MetaBalance matches a float64 reference of its rule over several steps (toy model)", (t) => {
  const p0 = toyProblem(21, { T: 4 });
  const bal = new rf.MetaBalance(p0.T, { beta: 0.9, relax: 0.7 });
  const m = [new Array(p0.T).fill(0), new Array(p0.T).fill(0)];
  for (let step = 0; step < 4; step++) {
    const p = perturb(p0, step);
    const ref = toyReference(p);
    const perTask = ref.gz.map((g) => ref.bottomGrads(g));
    const want = metaRef(perTask, m, 0.9, 0.7);
    const model = toyModel(p);
    const { grads } = toyStep(model, bal);
    t.true(close(grads.W, want[0], 1e-11), `W step ${step}`);
    t.true(close(grads.b, want[1], 1e-11), `b step ${step}`);
    t.true(close(bal.movingAverages.flat(), m.flat(), 1e-13));
    grads.V.forEach((g, k) => t.true(close(g, ref.gV[k], 1e-12), `head ${k} unscaled`));
    model.dispose();
  }
});

test("PCGrad (Gram-matrix form) equals the sequential projection algorithm in float64", (t) => {
  const p = toyProblem(8, { T: 4 });
  // make two tasks conflict: flip a head
  p.V[3] = p.V[1].map((v) => -v);
  const ref = toyReference(p);
  const perTask = ref.gz.map((g) => ref.bottomGrads(g).flat());
  const bal = new rf.PCGrad(p.T, { seed: 5 });
  // reference: same random order as the implementation (Rng(hash2(seed, step)))
  const rng = new rf.Rng(rf.hash2(5, 0));
  const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
  const merged = new Array(perTask[0].length).fill(0);
  for (let i = 0; i < p.T; i++) {
    const gi = perTask[i].slice();
    for (const j of rng.permutation(p.T)) {
      const nn = dot(perTask[j], perTask[j]);
      if (!(nn > 0)) continue;
      const d = dot(gi, perTask[j]);
      if (d < 0) for (let x = 0; x < gi.length; x++) gi[x] -= (d / nn) * perTask[j][x];
    }
    for (let x = 0; x < gi.length; x++) merged[x] += gi[x];
  }
  const { grads } = toyStep(toyModel(p), bal);
  t.true(close([...grads.W, ...grads.b], merged, 1e-11));
  grads.V.forEach((g, k) => t.true(close(g, ref.gV[k], 1e-12), `head ${k} unscaled`));
});

test("GradNorm: z gets Σ w_t g_t with the current weights; weights stay positive and sum to T", (t) => {
  const p0 = toyProblem(12);
  const bal = new rf.GradNorm(p0.T);
  for (let step = 0; step < 5; step++) {
    const p = perturb(p0, step);
    const ref = toyReference(p);
    const w = bal.weights;
    const { grads, info } = toyStep(toyModel(p), bal);
    t.deepEqual(info.weights, w);
    const G = ref.gz[0].map((_, j) => ref.gz.reduce((s, g, k) => s + w[k] * g[j], 0));
    t.true(close(grads.W, ref.bottomGrads(G)[0], 1e-11));
    t.true(close(info.norms, ref.gz.map((g, k) => w[k] * Math.sqrt(g.reduce((s, v) => s + v * v, 0))), 1e-12));
    const nw = bal.weights;
    t.true(nw.every((x) => x > 0));
    t.true(Math.abs(nw.reduce((a, b) => a + b, 0) - p0.T) < 1e-12);
  }
  // the largest-gradient task (scale 10) is pushed down
  t.true(bal.weights[1] < 1);
});

test("UncertaintyWeighting: gradients of Σ 0.5·exp(-s_t)·L_t + 0.5·s_t, including s", (t) => {
  const p = toyProblem(13);
  const ref = toyReference(p);
  const bal = new rf.UncertaintyWeighting(p.T, { dtype: "float64" });
  bal.loadStateDict({ kind: "uncertainty", numTasks: 3, logVars: [0.5, -1, 0] });
  const s = [0.5, -1, 0];
  const model = toyModel(p);
  const info = rf.tidy(() => {
    const z = model.bottom();
    const zs = bal.branch(z);
    return bal.backward({ losses: model.losses(zs), rep: z, taskInputs: zs, sharedParams: model.shared });
  });
  const w = s.map((v) => 0.5 * Math.exp(-v));
  t.true(close(info.weights, w, 1e-14));
  const G = ref.gz[0].map((_, j) => ref.gz.reduce((acc, g, k) => acc + w[k] * g[j], 0));
  t.true(close(Array.from(model.W.grad.toTypedArray()), ref.bottomGrads(G)[0], 1e-11));
  const gs = Array.from(bal.logVars.grad.toTypedArray());
  t.true(close(gs, s.map((v, k) => -0.5 * Math.exp(-v) * ref.losses[k] + 0.5), 1e-12));
  // a float32 balancer with float64 losses casts them (gradients still flow)
  const b32 = new rf.UncertaintyWeighting(p.T);
  const { grads } = toyStep(toyModel(p), b32);
  t.true(grads.W.every(Number.isFinite));
  t.is(bal.parameters()[0], bal.logVars);
  bal.dispose();
});

// ---- bad input ------------------------------------------------------------------------

test("one task: MultiBalance gives exactly the plain gradient", (t) => {
  const p = toyProblem(30, { T: 1 });
  const a = toyStep(toyModel(p), new rf.MultiBalance(1));
  const b = toyStep(toyModel(p), new rf.EqualWeights(1));
  t.deepEqual(a.info.weights, [1]);
  t.deepEqual(a.grads.W, b.grads.W);
  t.deepEqual(a.grads.b, b.grads.b);
});

test("zero gradient task: weight 1 (MultiBalance), finite everywhere (MetaBalance, PCGrad, GradNorm)", (t) => {
  const p = toyProblem(31);
  p.s[2] = 0; // task 2's loss is 0·mse: zero gradient
  for (const bal of [new rf.MultiBalance(3), new rf.MetaBalance(3), new rf.PCGrad(3), new rf.GradNorm(3)]) {
    for (let step = 0; step < 2; step++) {
      const { info, grads } = toyStep(toyModel(p), bal);
      t.true([...grads.W, ...grads.b, ...info.weights].every(Number.isFinite), bal.kind);
      if (bal.kind === "multibalance") t.is(info.weights[2], 1);
    }
  }
});

function nanModel(p, where) {
  const m = toyModel(p);
  const losses = m.losses;
  m.losses = (zs) => {
    const ls = losses(zs);
    if (where === "loss") ls[1] = rf.mul(ls[1], NaN);
    // finite loss, non-finite gradient: sqrt(0·z) has value 0 and gradient 0·inf = NaN
    if (where === "grad") ls[2] = rf.add(ls[2], rf.sum(rf.sqrt(rf.mul(zs[2], 0))));
    return ls;
  };
  return m;
}

for (const kind of ["multibalance", "metabalance", "pcgrad", "gradnorm", "equal", "uncertainty"])
  test(`non-finite (${kind}): RangeError naming the task or a skipped step; state unchanged, gradients cleared`, (t) => {
    const p = toyProblem(40);
    for (const where of kind === "equal" || kind === "uncertainty" ? ["loss"] : ["loss", "grad"]) {
      const bal = rf.createBalancer(kind, 3);
      toyStep(toyModel(p), bal); // one good step
      const before = JSON.stringify(bal.stateDict());
      const model = nanModel(p, where);
      t.throws(() => toyStep(model, bal), { instanceOf: RangeError, message: where === "loss" ? /task 1 is NaN/ : /task 2|tasks .*2/ });
      t.is(JSON.stringify(bal.stateDict()), before, `${where}: state unchanged`);
      t.true([model.W, model.b, ...model.V].every((x) => x.grad === null), `${where}: gradients cleared`);
      const skipper = rf.createBalancer(kind, 3, { onNonFinite: "skip" });
      const { info, grads } = toyStep(nanModel(p, where), skipper);
      t.regex(info.skipped, /NaN/);
      t.is(grads.W, null);
      t.true(grads.V.every((g) => g === null));
    }
  });

test("a representation that does not reach the losses, or heads that bypass branch(): clear errors", (t) => {
  const p = toyProblem(50);
  const model = toyModel(p);
  const bal = new rf.MultiBalance(3);
  // head 1 ignores z
  t.throws(
    () => rf.tidy(() => {
      const z = model.bottom();
      const zs = bal.branch(z);
      const ls = model.losses(zs);
      ls[1] = rf.mul(rf.sum(model.V[1]), 1);
      return bal.backward({ losses: ls, rep: z, taskInputs: zs, sharedParams: model.shared, taskParams: model.heads });
    }),
    { instanceOf: TypeError, message: /task 1 does not depend on the representation/ },
  );
  t.true([model.W, model.b, ...model.V].every((x) => x.grad === null), "no half-computed gradients left");
  // heads read z itself instead of the branches
  t.throws(
    () => rf.tidy(() => {
      const z = model.bottom();
      const zs = bal.branch(z);
      return bal.backward({ losses: model.losses([z, z, z]), rep: z, taskInputs: zs, sharedParams: model.shared });
    }),
    { instanceOf: TypeError, message: /without passing through the representation/ },
  );
  [model.W, model.b, ...model.V].forEach((x) => x.zeroGrad());
  // detached representation: nothing to balance
  t.throws(() => rf.tidy(() => bal.branch(model.bottom().detach())), { instanceOf: TypeError, message: /does not require grad/ });
  // taskInputs not from branch()
  t.throws(
    () => rf.tidy(() => {
      const z = model.bottom();
      bal.branch(z);
      const zs = [z, z, z].map((x) => x.detach().requiresGrad_());
      return bal.backward({ losses: model.losses(zs), rep: z, taskInputs: zs, sharedParams: model.shared });
    }),
    { instanceOf: TypeError, message: /not the tensors branch/ },
  );
  // parameter level: a task that reaches no shared parameter
  const meta = new rf.MetaBalance(3);
  t.throws(
    () => rf.tidy(() => {
      const z = model.bottom();
      const ls = model.losses(meta.branch(z));
      ls[2] = rf.sum(model.V[2]);
      return meta.backward({ losses: ls, rep: z, taskInputs: [z, z, z], sharedParams: model.shared });
    }),
    { instanceOf: TypeError, message: /task 2 reaches none of the shared parameters/ },
  );
  [model.W, model.b, ...model.V].forEach((x) => x.zeroGrad());
  // wrong number of losses, non-scalar losses, stale gradients
  t.throws(() => rf.tidy(() => {
    const z = model.bottom();
    const zs = bal.branch(z);
    return bal.backward({ losses: model.losses(zs).slice(0, 2), rep: z, taskInputs: zs, sharedParams: model.shared });
  }), { instanceOf: RangeError, message: /expected 3 losses/ });
  t.throws(() => rf.tidy(() => {
    const z = model.bottom();
    const zs = bal.branch(z);
    const ls = model.losses(zs);
    ls[0] = rf.mul(z, 1);
    return bal.backward({ losses: ls, rep: z, taskInputs: zs, sharedParams: model.shared });
  }), { instanceOf: RangeError, message: /task 0 must be a scalar/ });
  model.W.grad = rf.zeros([p.inDim, p.d], { dtype: "float64" }).keep();
  t.throws(() => toyStep(model, bal), { instanceOf: TypeError, message: /already has a gradient/ });
  model.W.zeroGrad();
  model.dispose();
});

test("constructor options are validated", (t) => {
  t.throws(() => new rf.MultiBalance(0), { instanceOf: RangeError });
  t.throws(() => new rf.MultiBalance(2, { beta: 1 }), { message: /beta/ });
  t.throws(() => new rf.MultiBalance(2, { relax: 2 }), { message: /relax/ });
  t.throws(() => new rf.MultiBalance(2, { reference: "min" }), { message: /reference/ });
  t.throws(() => new rf.MultiBalance(2, { strategy: "x" }), { message: /strategy/ });
  t.throws(() => new rf.MultiBalance(2, { target: 2 }), { message: /target/ });
  t.throws(() => new rf.MultiBalance(2, { onNonFinite: "ignore" }), { message: /onNonFinite/ });
  t.throws(() => rf.createBalancer("mgda", 2), { message: /unknown balancer/ });
  t.throws(() => new rf.FixedWeights(2, { weights: [1] }), { message: /weights/ });
});

// MultiBalance writes Σ w_t g_t into task 0's gradient at z when the step owns it alone
// (representation.ts, scratchGradient): never into a gradient that is also another task's or a
// parameter's .grad, nor into a strided one.
test("the combined gradient reuses task 0's gradient only when nothing else holds it", async (t) => {
  const { scratchGradient } = await import("../../dist/methods/multibalance/balancers/representation.js");
  const g0 = rf.randn([4, 3]), g1 = rf.randn([4, 3]);
  const p = rf.randn([4, 3]);
  t.is(scratchGradient([g0, g1], [p], []), g0);
  t.is(scratchGradient([g0, g0], [p], []), null);
  p.grad = g0;
  t.is(scratchGradient([g0, g1], [p], []), null);
  t.is(scratchGradient([g0, g1], [], [p]), null);
  p.grad = null;
  const wide = rf.randn([3, 4]);
  const strided = wide.transpose(0, 1);
  t.false(strided.isContiguous);
  t.is(scratchGradient([strided, g1], [], []), null);
  for (const x of [g0, g1, p, wide]) x.dispose();
});
