// The backend-parity harness over test/parity/op_cases.js (see its header). For each op of the op
// table with arguments to build: the same host inputs (seeded) go to every backend present as
// that backend's tensors, outputs start poisoned (RECFORGE_POISON=1), the op runs through
// backend(device)[op]({...named arguments}), and every output (and in-place input) is compared
// with the CPU's; float outputs must be fully written (no poison NaN left). For each `grad` entry:
// float64 gradients on the CPU against central finite differences (test/helpers/gradcheck.js),
// and float32 forward + gradients of every other backend against the CPU's.
//
// `t` is ava's assertion object or scripts/cuda-smoke.mjs's minimal one (is, true).
import { ops as TABLE } from "../../native/ops.table.mjs";
import { gradcheck } from "../helpers/gradcheck.js";
import { rng } from "../helpers/reference.js";
import { closeArrays, gradParity } from "../cuda/parity.js";
import { cases, coverageProblems, numel } from "./op_cases.js";

export { coverageProblems };

const DTYPE = ["float32", "float64", "int32"];
const TOL = { 0: { rtol: 2e-4, atol: 2e-5 }, 1: { rtol: 1e-9, atol: 1e-11 }, 2: { rtol: 0, atol: 0 } };

/** The backends this process has: always "cpu", "cuda" when a CUDA addon (or the emulated device) is loaded. */
export function backendsPresent(nat) {
  return nat.cuda ? ["cpu", "cuda"] : ["cpu"];
}

/** Table ops that have arguments to build, with the backends that implement them. */
export function nativeCases() {
  return TABLE.filter((o) => cases[o.name]?.build).map((o) => ({ op: o.name, backends: o.backends, spec: cases[o.name] }));
}

/** Table ops with gradient checks. */
export function gradCases() {
  return TABLE.filter((o) => cases[o.name]?.grad).flatMap((o) => cases[o.name].grad.map((g) => ({ op: o.name, backends: o.backends, ...g })));
}

// Host data of one argument spec (generated once, shared by every backend).
function hostData(spec, dt, r) {
  if (spec.kind === "fixed") return spec.data;
  const dtype = spec.dtype ?? (spec.kind === "ints" ? 2 : dt);
  const n = numel(spec.shape);
  const Ctor = dtype === 0 ? Float32Array : dtype === 1 ? Float64Array : Int32Array;
  if (spec.kind === "out") return { dtype, n, Ctor };
  const a = new Ctor(n);
  for (let i = 0; i < n; i++) {
    if (spec.kind === "ints") a[i] = r.int(spec.lo, spec.hi);
    else if (spec.sign) a[i] = r.next() < 0.5 ? 0 : 1;
    else a[i] = r.uniform(spec.lo ?? -1, spec.hi ?? 1);
  }
  return a;
}

const isSpec = (v) => v !== null && typeof v === "object" && typeof v.kind === "string";
// A tensor-list argument (table type "tensors"): an array of specs.
const isList = (v) => Array.isArray(v) && v.length > 0 && v.every(isSpec);
const dtypeOfArray = (a) => (a instanceof Float32Array ? 0 : a instanceof Float64Array ? 1 : 2);
// Outputs compared across backends: "out" and in-place specs, except scratch.
const compared = (v) => (v.kind === "out" && !v.scratch) || v.inout;

function makeTensor(rf, v, h, device) {
  if (v.kind === "out") return rf.Tensor.empty(v.shape, DTYPE[h.dtype], device);
  return rf.tensor(h, { dtype: DTYPE[dtypeOfArray(h)], shape: v.shape, device });
}

// Runs one built call on `device`; returns { outputs: {name: TypedArray}, returned }.
function runOn(rf, nat, op, built, host, device) {
  const made = [];
  const args = {};
  for (const [name, v] of Object.entries(built.args)) {
    if (isSpec(v)) {
      args[name] = makeTensor(rf, v, host[name], device);
      made.push(args[name]);
    } else if (isList(v)) {
      args[name] = v.map((e, i) => makeTensor(rf, e, host[name][i], device));
      made.push(...args[name]);
    } else args[name] = v;
  }
  try {
    const returned = nat.backend(device)[op](args);
    if (device !== "cpu") rf.synchronize();
    const outputs = {};
    for (const [name, v] of Object.entries(built.args)) {
      if (isSpec(v) && compared(v)) outputs[name] = args[name].toTypedArray();
      if (isList(v)) v.forEach((e, i) => compared(e) && (outputs[`${name}[${i}]`] = args[name][i].toTypedArray()));
    }
    return { outputs, returned };
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * Runs every size / dtype / variant of `op` on each backend in `backends` that implements it:
 * checks that float outputs are fully written and that every backend matches the CPU.
 * Returns the number of comparisons made against the CPU.
 */
export function checkOp(t, rf, nat, op, backends) {
  const entry = cases[op];
  const table = TABLE.find((o) => o.name === op);
  const devs = backends.filter((d) => table.backends.includes(d));
  let compared = 0;
  for (const size of entry.sizes) {
    for (const dt of entry.dtypes) {
      const variants = entry.build(size, dt, null);
      variants.forEach((built, vi) => {
        const what = `${op} size ${size} ${DTYPE[dt]}${built.label ? ` ${built.label}` : ""}`;
        const r = rng(1000 + 31 * size + 7 * dt + vi);
        const host = {};
        for (const [name, v] of Object.entries(built.args)) {
          if (isSpec(v)) host[name] = hostData(v, dt, r);
          else if (isList(v)) host[name] = v.map((e) => hostData(e, dt, r));
        }
        let ref = null;
        for (const dev of devs) {
          if (dev === "cuda" && dt === 1 && built.f32OnCuda) continue;
          let res;
          try {
            res = runOn(rf, nat, op, built, host, dev);
          } catch (e) {
            // A device that refuses float64 for this op says so with a TypeError: not a parity failure.
            if (dev !== "cpu" && dt === 1 && e instanceof TypeError && /float64/.test(e.message)) continue;
            throw new Error(`${what} on ${dev}: ${e.message}`);
          }
          for (const [name, arr] of Object.entries(res.outputs)) {
            if (arr instanceof Int32Array) continue;
            const nan = arr.findIndex((x) => Number.isNaN(x));
            t.is(nan, -1, `${what} on ${dev}: output ${name} has NaN at ${nan} (an element left unwritten, or a NaN result)`);
          }
          if (dev === "cpu") {
            ref = res;
            continue;
          }
          if (!ref) continue; // an op the CPU addon does not have: nothing to compare with
          compared++;
          if (built.returns) {
            const got = [res.returned].flat(), want = [ref.returned].flat();
            t.is(got.length, want.length, `${what} on ${dev}: returned ${got.length} values, cpu ${want.length}`);
            got.forEach((g, i) => t.true(Math.abs(g - want[i]) <= TOL[dt].atol + TOL[dt].rtol * Math.abs(want[i]), `${what} on ${dev}: returned ${res.returned} vs cpu ${ref.returned}`));
          }
          for (const [name, arr] of Object.entries(res.outputs)) {
            const tol = TOL[arr instanceof Int32Array ? 2 : dtypeOfArray(arr)];
            const err = closeArrays(arr, ref.outputs[name], tol.rtol, tol.atol);
            t.is(err, null, `${what} on ${dev}: output ${name} differs from the cpu: ${err}`);
          }
        }
      });
    }
  }
  return compared;
}

function randomInputs(rf, shapes, positive, seed, dtype, device = "cpu") {
  const r = rng(seed);
  return shapes.map((s, i) => {
    const n = numel(s);
    const a = Float64Array.from({ length: n }, () => (positive?.includes(i) ? r.uniform(0.05, 0.95) : r.uniform(-1, 1)));
    return rf.tensor(a, { dtype, shape: s, device });
  });
}

/**
 * One `grad` entry: float64 CPU gradients against finite differences, then (other backends)
 * float32 forward and gradients against the CPU's.
 */
export function checkGrad(t, rf, g, backends, { finiteDifferences = true } = {}) {
  if (finiteDifferences) {
    const xs = randomInputs(rf, g.shapes, g.positive, 77, "float64").map((x) => x.requiresGrad_());
    // Warm-up: state an op caches on first use (a graph's transpose) is not a leak of backward.
    rf.tidy(() => rf.sum(g.fn(rf, ...xs)).backward());
    xs.forEach((x) => x.zeroGrad());
    const res = gradcheck((...a) => g.fn(rf, ...a), xs, { eps: 1e-6, atol: 1e-6, rtol: 1e-5 });
    t.true(res.ok, `${g.op}: ${g.name}: gradient vs finite differences: ${res.message}`);
    xs.forEach((x) => x.dispose());
  }
  for (const dev of backends) {
    if (dev === "cpu" || !g.backends.includes(dev)) continue;
    const inputs = randomInputs(rf, g.shapes, g.positive, 78, "float32");
    gradParity(t, rf, `${g.op}: ${g.name} (${dev} vs cpu, float32)`, inputs, inputs.map((_, i) => i), (...a) => g.fn(rf, ...a), { rtol: 2e-4, atol: 2e-5 });
    inputs.forEach((x) => x.dispose());
  }
}
