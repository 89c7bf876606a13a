// Finite-difference gradient check of a MODULE's parameters (the gradcheck helper hands fresh
// input tensors to fn; a module reads its own parameters). Each parameter element is perturbed in
// place through loadStateDict (as test/compexp/model.test.js does) and the central difference of
// L = Σ_k Σ out_k·W_k (fixed weights W_k) is compared with the gradient backward() gave.
// Modules must be float64. `only` restricts the check to parameters whose name passes it; `skip(name, j)`
// leaves out single elements (e.g. an embedding's padding row, whose gradient is zeroed by design).
import { add, mul, noGrad, sum, tensor, tidy } from "../../dist/index.js";

export function moduleGradcheck(m, fn, { eps = 1e-6, atol = 1e-6, rtol = 1e-5, only = () => true, skip = () => false, maxPerParam = Infinity } = {}) {
  const named = m.namedParameters().filter(([n]) => only(n));
  let weights = null;
  const asList = (o) => (Array.isArray(o) ? o : [o]);
  const lossOf = (outs) => {
    weights ??= outs.map((o, k) => Float64Array.from({ length: o.size }, (_, i) => Math.sin(1 + 7 * i + 13 * k)));
    return outs.map((o, k) => sum(mul(o, tensor(weights[k], { dtype: "float64", shape: [...o.shape] })))).reduce((a, b) => add(a, b));
  };
  m.zeroGrad();
  tidy(() => lossOf(asList(fn())).backward());
  const analytic = named.map(([, p]) => (p.grad ? Float64Array.from(p.grad.toTypedArray()) : new Float64Array(p.size)));
  m.zeroGrad();
  const evalL = () => tidy(() => noGrad(() => lossOf(asList(fn())).item()));
  let worst = { ratio: -1 };
  let checked = 0;
  named.forEach(([name, p], i) => {
    const base = Float64Array.from(p.toTypedArray());
    const put = (data) => tidy(() => m.loadStateDict({ [name]: tensor(data, { dtype: "float64", shape: [...p.shape] }) }, { strict: false }));
    // spread the checked elements over the whole tensor when it is large
    const step = Math.max(1, Math.floor(base.length / Math.min(base.length, maxPerParam)));
    for (let j = 0; j < base.length; j += step) {
      if (skip(name, j)) continue;
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
      checked++;
      if (!(ratio <= worst.ratio)) worst = { name, j, a, numeric, ratio: Number.isNaN(ratio) ? Infinity : ratio };
    }
  });
  const untouched = named.filter((_, i) => analytic[i].every((g) => g === 0)).map(([n]) => n);
  return { ok: worst.ratio <= 1, message: `${worst.name}[${worst.j}]: analytic ${worst.a}, numeric ${worst.numeric}`, count: named.length, checked, untouched };
}
