// Finite-difference gradient checker for recforge ops.
//
// gradcheck(fn, inputs) evaluates L = Σ_k sum(out_k * W_k) for random fixed weights W_k
// (so every output element matters with a different weight), runs backward() once, and
// compares each input's .grad with central differences (L(x + eps) - L(x - eps)) / 2eps,
// element by element. It also checks that backward left no tensors alive (a leak in an
// op's backward shows up as a count that does not return to where it started).
import { add, memory, mul, noGrad, sum, tensor, tidy, Tensor } from "../../dist/index.js";
import { rng, unravel } from "./reference.js";

function listOf(o) {
  if (o instanceof Tensor) return [o];
  if (Array.isArray(o) && o.every((x) => x instanceof Tensor)) return o;
  throw new Error("gradcheck: fn must return a Tensor or an array of Tensors");
}

/**
 * @param fn (...inputs) => Tensor | Tensor[]  (called with the inputs as given)
 * @param inputs Tensors (float64 with requiresGrad are checked; others are passed through)
 * @returns { ok, message, worst }
 */
export function gradcheck(fn, inputs, { eps = 1e-6, atol = 1e-6, rtol = 1e-6, seed = 7, checkLeaks = true } = {}) {
  const checked = inputs.map((x) => x instanceof Tensor && x.requiresGrad);
  if (!checked.some(Boolean)) throw new Error("gradcheck: no input has requiresGrad");
  for (const x of inputs) if (x instanceof Tensor) x.zeroGrad();
  const r = rng(seed);

  // ---- analytic ------------------------------------------------------------------------
  const live0 = memory().liveTensors;
  const outs = listOf(tidy(() => fn(...inputs)));
  const weights = outs.map((o) => Float64Array.from({ length: o.size }, () => r.uniform(-1, 1)));
  const wts = outs.map((o, k) => tensor(weights[k], { dtype: o.dtype, shape: [...o.shape] }));
  let loss = null;
  outs.forEach((o, k) => {
    const p = mul(o, wts[k]);
    const s = sum(p);
    p.dispose();
    if (loss) {
      const l2 = add(loss, s);
      loss.dispose();
      s.dispose();
      loss = l2;
    } else loss = s;
  });
  if (loss.requiresGrad) loss.backward();
  const analytic = inputs.map((x, i) => {
    if (!checked[i]) return null;
    if (!x.grad) return new Float64Array(x.size);
    if (x.grad.shape.length !== x.shape.length || x.grad.shape.some((d, j) => d !== x.shape[j]) || x.grad.dtype !== x.dtype)
      throw new Error(`gradcheck: input ${i} grad is [${x.grad.shape}] ${x.grad.dtype}, input is [${x.shape}] ${x.dtype}`);
    return Float64Array.from(x.grad.toTypedArray());
  });
  const stray = inputs.findIndex((x, i) => !checked[i] && x instanceof Tensor && x.grad);
  loss.dispose();
  wts.forEach((w) => w.dispose());
  for (const o of outs) if (!inputs.includes(o)) o.dispose();
  for (const x of inputs) if (x instanceof Tensor) x.zeroGrad();
  const leaked = memory().liveTensors - live0;

  // ---- numeric -------------------------------------------------------------------------
  const base = inputs.map((x, i) => (checked[i] ? Float64Array.from(x.toTypedArray()) : null));
  const evalAt = (i, j, delta) =>
    tidy(() =>
      noGrad(() => {
        const data = base[i].slice();
        data[j] += delta;
        const xs = inputs.map((x, k) => (k === i ? tensor(data, { dtype: x.dtype, shape: [...x.shape] }) : x));
        const os = listOf(fn(...xs));
        let s = 0;
        os.forEach((o, k) => {
          const v = o.toTypedArray();
          for (let m = 0; m < v.length; m++) s += v[m] * weights[k][m];
        });
        return s;
      }),
    );

  let worst = null;
  for (let i = 0; i < inputs.length; i++) {
    if (!checked[i]) continue;
    for (let j = 0; j < base[i].length; j++) {
      const numeric = (evalAt(i, j, eps) - evalAt(i, j, -eps)) / (2 * eps);
      const a = analytic[i][j];
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      if (!(ratio <= (worst?.ratio ?? -1)) || Number.isNaN(ratio)) {
        worst = { input: i, index: unravel(j, inputs[i].shape), analytic: a, numeric, ratio: Number.isNaN(ratio) ? Infinity : ratio };
      }
    }
  }
  const problems = [];
  if (worst && !(worst.ratio <= 1))
    problems.push(
      `input ${worst.input} [${inputs[worst.input].shape}] element [${worst.index}]: analytic ${worst.analytic}, numeric ${worst.numeric} (${worst.ratio.toExponential(2)}x tolerance)`,
    );
  if (stray >= 0) problems.push(`input ${stray} does not require grad but got a .grad`);
  if (checkLeaks && leaked !== 0) problems.push(`forward+backward left ${leaked} tensor(s) alive`);
  return { ok: problems.length === 0, message: problems.join("; ") || "ok", worst };
}

/** ava assertion form: t.pass() or t.fail(message naming the worst element). */
export function assertGradcheck(t, fn, inputs, opts = {}) {
  const res = gradcheck(fn, inputs, opts);
  if (res.ok) t.pass();
  else t.fail(`gradcheck${opts.what ? ` ${opts.what}` : ""}: ${res.message}`);
  return res;
}

/** A float64 leaf requiring grad from a reference array ({ shape, data }). */
export function leaf(a, dtype = "float64") {
  return tensor(a.data, { dtype, shape: [...a.shape], requiresGrad: true });
}
