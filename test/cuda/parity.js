// Comparison helpers of the CUDA checks (checks.js, fused_checks.js, training_checks.js,
// device_option_checks.js): run
// the same computation on cpu inputs and on cuda copies and compare every result, forward and
// gradients. `t` is ava's assertion object or scripts/cuda-smoke.mjs's minimal one (is, true,
// truthy, deepEqual, throws).

export function closeArrays(a, b, rtol = 2e-5, atol = 1e-5) {
  const x = Array.from(a), y = Array.from(b);
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  for (let i = 0; i < x.length; i++) {
    const u = x[i], v = y[i];
    if (Number.isNaN(u) && Number.isNaN(v)) continue;
    if (u === v) continue;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return `element ${i}: ${u} vs ${v}`;
  }
  return null;
}

const flat = (rf, r) => (r instanceof rf.Tensor ? [r] : Array.isArray(r) ? r : Object.values(r));

/** Compares a list of cuda results with the cpu's: device, shape, dtype, values. */
export function compareResults(t, rf, name, cpu, gpu, tol = {}) {
  t.is(gpu.length, cpu.length, `${name}: number of results`);
  cpu.forEach((x, i) => {
    const y = gpu[i];
    if (x === null || y === null) {
      t.is(y, x, `${name}: result ${i} presence`);
      return;
    }
    t.is(y.device, "cuda", `${name}: result ${i} stays on cuda`);
    t.deepEqual(y.shape, x.shape, `${name}: result ${i} shape`);
    t.is(y.dtype, x.dtype, `${name}: result ${i} dtype`);
    const err = closeArrays(y.toTypedArray(), x.toTypedArray(), tol.rtol, tol.atol);
    t.is(err, null, `${name}: result ${i}: ${err}`);
  });
}

/** Runs f on cpu inputs and on cuda copies; compares every returned tensor. */
export function parity(t, rf, name, inputs, f, tol = {}) {
  const cpu = flat(rf, f(...inputs));
  const dev = inputs.map((x) => (x instanceof rf.Tensor ? x.to("cuda") : x));
  const gpu = flat(rf, f(...dev));
  compareResults(t, rf, name, cpu, gpu, tol);
  [...cpu, ...gpu, ...dev.filter((x, i) => x !== inputs[i])].forEach((x) => x instanceof rf.Tensor && x.dispose());
}

/**
 * Forward and gradients: f(...leaves) on the cpu and on cuda, where leaves are fresh leaf copies
 * of `inputs` (tensors listed in `differentiable` by index require grad). The loss is
 * Σ out_k · r_k with fixed random weights r_k (so every output element gets its own gradient).
 * Compares the outputs and the gradient of every differentiable input.
 */
export function gradParity(t, rf, name, inputs, differentiable, f, tol = {}) {
  const run = (device) => {
    const leaves = inputs.map((x, i) => {
      if (!(x instanceof rf.Tensor)) return x;
      const c = x.to(device).detach();
      return differentiable.includes(i) ? c.requiresGrad_() : c;
    });
    const outs = flat(rf, f(...leaves));
    const g = new rf.Generator(977);
    let loss = null;
    for (const o of outs) {
      const r = rf.randn([...o.shape], { dtype: o.dtype, generator: g, device });
      const term = o.mul(r).sum();
      loss = loss ? loss.add(term) : term;
    }
    loss.backward();
    const grads = differentiable.map((i) => leaves[i].grad);
    return { results: [...outs.map((o) => o.detach()), ...grads], leaves };
  };
  const cpu = run("cpu"), gpu = run("cuda");
  compareResults(t, rf, name, cpu.results, gpu.results, tol);
  for (const r of [cpu, gpu]) {
    r.results.forEach((x) => x?.dispose());
    r.leaves.forEach((x) => x instanceof rf.Tensor && x.dispose());
  }
}

// Training runs (training_checks.js, device_option_checks.js): a few optimiser steps on the cpu and on
// cuda from the same seed. Kernels sum in other orders and Adam carries the differences from step
// to step, hence the looser tolerances.
const LOSS_TOL = { rtol: 2e-3, atol: 1e-4 };
const PARAM_TOL = { rtol: 5e-3, atol: 5e-4 };

/** Loss series and parameters of a cpu run and a cuda run ({losses, params}): finite, close. */
/**
 * GREENer's scorer is trained by BPR alone, which sees only score differences within a candidate set: a
 * bias that moves every candidate's score alike (the DCN head's bias, the last cross layer's bias, a deep
 * unit active for every candidate) has an exactly zero gradient, so its float32 gradient is rounding noise
 * of the size of Adam's eps, which Adam turns into steps of up to lr. Those coordinates differ between any
 * two devices (or summation orders) without changing what the model ranks -- found when these checks first
 * ran, on the CUDA emulator. The scorer's biases are therefore compared through what they produce: the
 * sentence scores centred per candidate set, and the attribute logits (`scores` of a run).
 */
export const isScorerBias = (name) => /^scorer\..*bias$/.test(name);

/** Sentence scores minus their per-example mean, then the attribute logits, of scorePairs' output. */
export function greenerScores(pairScores) {
  const out = [];
  for (const p of pairScores) {
    const m = p.sentence.reduce((a, b) => a + b, 0) / Math.max(1, p.sentence.length);
    for (const v of p.sentence) out.push(v - m);
    for (const k of [...p.attributes.keys()].sort((a, b) => a - b)) out.push(p.attributes.get(k));
  }
  return out;
}

export function compareRuns(t, name, cpu, gpu, { skipParam = () => false } = {}) {
  t.is(gpu.losses.length, cpu.losses.length, `${name}: steps`);
  t.true(gpu.losses.every(Number.isFinite), `${name}: cuda losses finite: ${gpu.losses.join(", ")}`);
  const err = closeArrays(gpu.losses, cpu.losses, LOSS_TOL.rtol, LOSS_TOL.atol);
  t.is(err, null, `${name}: losses cuda [${gpu.losses.join(", ")}] vs cpu [${cpu.losses.join(", ")}]: ${err}`);
  t.deepEqual(Object.keys(gpu.params), Object.keys(cpu.params), `${name}: parameter names`);
  if (cpu.scores) {
    t.is(gpu.scores.length, cpu.scores.length, `${name}: number of scores`);
    const e = closeArrays(gpu.scores, cpu.scores, PARAM_TOL.rtol, PARAM_TOL.atol);
    t.is(e, null, `${name}: scores of the trained models: ${e}`);
  }
  for (const [k, v] of Object.entries(cpu.params)) {
    if (skipParam(k)) continue;
    const e = closeArrays(gpu.params[k], v, PARAM_TOL.rtol, PARAM_TOL.atol);
    t.is(e, null, `${name}: trained ${k}: ${e}`);
  }
}

/** Named parameters ([name, tensor] pairs) as host arrays, after checking that every one lives on `device`. */
export function paramsOf(t, named, device, name) {
  const out = {};
  for (const [k, p] of named) {
    t.is(p.device, device, `${name}: ${k} on ${device}`);
    out[k] = p.toTypedArray();
  }
  return out;
}
