// CTA's parts: the kernel-string parser, the seven temporal kernels (values vs a float64
// reference, initialisation ranges, finite-difference gradients of a and b), the temporal
// weighting (a case worked by hand, padding, finite differences) and the in-batch losses
// (TOP1 / BPR / CE on cases worked by hand, finite differences).
import test from "ava";
import { tensor, tidy, noGrad, memory } from "../../dist/index.js";
import { parseKernelSpec, kernelSpecString, TemporalKernels, temporalWeights } from "../../dist/methods/seqrec/cta_kernels.js";
import { top1Loss, bprLoss, seqLoss, softplus } from "../../dist/methods/seqrec/inbatch_loss.js";
import { assertGradcheck } from "../helpers/gradcheck.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";

const f64 = (data, shape, requiresGrad = false) => tensor(data, { dtype: "float64", shape, requiresGrad });
const close = (t, a, b, tol, what) => t.true(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// ---- kernel strings ---------------------------------------------------------------------------

test("parseKernelSpec: the spec's strings", (t) => {
  t.deepEqual(parseKernelSpec("log"), [{ type: "log", sharp: false }]);
  t.deepEqual(parseKernelSpec("lin-5").map((k) => k.type), ["lin", "lin", "lin", "lin", "lin"]);
  t.deepEqual(parseKernelSpec("log-2-lin-2").map((k) => k.type), ["log", "log", "lin", "lin"]);
  t.deepEqual(parseKernelSpec("exp^"), [{ type: "exp", sharp: true }]);
  const many = parseKernelSpec("thres-2-ind-10");
  t.is(many.length, 12);
  t.deepEqual(parseKernelSpec("exp*-2-const-exp^").map((k) => `${k.type}${k.sharp ? "^" : ""}`), ["exp*", "exp*", "const", "exp^"]);
  t.is(kernelSpecString(parseKernelSpec("log-2-lin-lin-exp^")), "log-2-lin-2-exp^");
});

test("parseKernelSpec: bad strings are RangeErrors naming the string and the problem", (t) => {
  const bad = [
    ["", /expected a kernel string/],
    ["foo", /"foo": unknown kernel "foo"/],
    ["LOG", /unknown kernel "LOG"/],
    ["log-", /empty part at position 2/],
    ["log--lin", /empty part at position 2/],
    ["2-log", /count 2 at position 1 follows no kernel name/],
    ["log-0", /count 0 of "log" must be in \[1, 1000\]/],
    ["log-2-3", /count 3 at position 3 follows no kernel name/],
    ["log^^", /unknown kernel "log\^\^"/],
  ];
  for (const [s, re] of bad) t.throws(() => parseKernelSpec(s), { instanceOf: RangeError, message: re }, s);
  t.throws(() => parseKernelSpec(undefined), { instanceOf: RangeError });
  t.throws(() => new TemporalKernels("lin-x"), { instanceOf: RangeError, message: /unknown kernel "x"/ });
});

// ---- kernel values ----------------------------------------------------------------------------

const REF = {
  exp: (a, b, d) => 1000 * Math.exp(-a * d) + b,
  "exp*": (a, b, d) => a * Math.exp(-d) + b,
  log: (a, b, d) => a * Math.log(1 + d) + b,
  lin: (a, b, d) => a * d + b,
  ind: (_a, _b, d) => d,
  const: () => 1,
  thres: (a, b, d) => 1 / (1 + Math.exp(-a * d + b)),
};
const ALL = "exp-exp*-log-2-lin-ind-const-thres";
const A = [0.3, 1.5, 0.7, -0.2, 0.05, 0.4, 0.9, 2.0], Bv = [0.1, -0.3, 0.25, 0.6, -1.1, 0.2, 0.3, -0.5];
const DT = [0, 0.5, 3, 7.25, 0.125, 2]; // [2, 3]

function kernelsWith(spec, a, b) {
  const m = new TemporalKernels(spec, { dtype: "float64" });
  tidy(() => m.loadStateDict({ a: f64(a, [a.length]), b: f64(b, [b.length]) }));
  return m;
}

test("TemporalKernels: all seven types equal the float64 reference, in the string's order", (t) => {
  const m = kernelsWith(ALL, A, Bv);
  const types = m.kernels.map((k) => k.type);
  t.deepEqual(types, ["exp", "exp*", "log", "log", "lin", "ind", "const", "thres"]);
  const phi = tidy(() => noGrad(() => m.call(f64(DT, [2, 3])).toTypedArray()));
  const K = types.length;
  let worst = 0;
  DT.forEach((d, i) => types.forEach((ty, k) => (worst = Math.max(worst, Math.abs(phi[i * K + k] - REF[ty](A[k], Bv[k], d))))));
  t.true(worst < 1e-12, `max error ${worst}`);
  m.dispose();
});

test("TemporalKernels: initialisation a ~ U(0, 0.01) (U(10, 15) with ^), b ~ U(0, 1)", (t) => {
  const m = new TemporalKernels("lin-200-exp^-200");
  const a = m.a.toTypedArray(), b = m.b.toTypedArray();
  for (let k = 0; k < 200; k++) t.true(a[k] >= 0 && a[k] < 0.01);
  for (let k = 200; k < 400; k++) t.true(a[k] >= 10 && a[k] < 15);
  t.true(b.every((v) => v >= 0 && v < 1));
  // spread, not a constant: the draws cover most of their ranges
  t.true(Math.max(...a.slice(0, 200)) > 0.009 && Math.min(...a.slice(0, 200)) < 0.001);
  t.true(Math.max(...a.slice(200)) > 14.5 && Math.min(...a.slice(200)) < 10.5);
  m.dispose();
});

test("TemporalKernels: finite-difference gradients of a and b (ind and const read neither)", (t) => {
  const m = kernelsWith(ALL, A, Bv);
  const dt = f64(DT, [2, 3]);
  const r = moduleGradcheck(m, () => m.call(dt));
  t.true(r.ok, r.message);
  t.deepEqual(r.untouched, []); // a and b as whole tensors are reached (by the other kernels)
  // ...but the ind and const entries (5, 6) get exactly zero gradient
  tidy(() => {
    m.zeroGrad();
    m.call(dt).sum().backward();
    const ga = m.a.grad.toTypedArray(), gb = m.b.grad.toTypedArray();
    t.deepEqual([ga[5], ga[6], gb[5], gb[6]], [0, 0, 0, 0]);
  });
  m.zeroGrad();
  dt.dispose();
  m.dispose();
});

// ---- temporal weighting ----------------------------------------------------------------------

test("temporalWeights: a case worked by hand (log + lin, context, one padded position)", (t) => {
  // B = 1, T = 3, length 2. Kernels log (a 1, b 0) and lin (a 2, b 1); Δt = [e − 1, 0].
  //   φ_log = [1·log(e) + 0, 1·log 1 + 0] = [1, 0];  φ_lin = [2(e − 1) + 1, 1] = [2e − 1, 1]
  //   α = [0.6, 0.4], c = [[0.5, 0.5], [0.25, 0.75]]
  //   γ_log = [0.6·1·0.5, 0.4·0·0.25] = [0.3, 0]
  //     softmax = [e^0.3, 1] / (e^0.3 + 1) = [σ(0.3), σ(−0.3)] = [0.574442516811659, 0.425557483188341]
  //   γ_lin = [0.6·(2e − 1)·0.5, 0.4·1·0.75] = [1.330969097075427, 0.3]
  //     softmax = [σ(1.030969097075427), σ(−1.030969…)] = [0.7371037323742732, 0.2628962676257269]
  //   w = [1.3115462491859322, 0.6884537508140679, 0] (sums to K = 2)
  const m = kernelsWith("log-lin", [1, 2], [0, 1]);
  const w = tidy(() => noGrad(() => {
    const phi = m.call(f64([Math.E - 1, 0, 12345], [1, 3])); // the padded Δt is ignored
    const ctx = f64([0.5, 0.5, 0.25, 0.75, 9, 9], [1, 3, 2]);
    return temporalWeights(f64([0.6, 0.4, 7], [1, 3]), phi, ctx, [2]).toTypedArray();
  }));
  close(t, w[0], 1.3115462491859322, 1e-14, "w0");
  close(t, w[1], 0.6884537508140679, 1e-14, "w1");
  t.is(w[2], 0);
  // without context (null = all ones): γ_log = [0.6, 0], γ_lin = [0.6(2e − 1), 0.4]
  const w1 = tidy(() => noGrad(() => temporalWeights(f64([0.6, 0.4, 7], [1, 3]), m.call(f64([Math.E - 1, 0, 1], [1, 3])), null, [2]).toTypedArray()));
  const s = (x) => 1 / (1 + Math.exp(-x));
  close(t, w1[0], s(0.6) + s(0.6 * (2 * Math.E - 1) - 0.4), 1e-14, "no-context w0");
  m.dispose();
});

test("temporalWeights: rows sum to K over real positions; finite-difference gradients of α, φ and c", (t) => {
  const B = 3, T = 4, K = 3, lengths = [4, 2, 1];
  const r = (i) => Math.sin(1.7 * i + 0.3);
  const alpha = f64(Array.from({ length: B * T }, (_, i) => 0.5 + 0.4 * r(i)), [B, T], true);
  const phi = f64(Array.from({ length: B * T * K }, (_, i) => 2 * r(i + 50)), [B, T, K], true);
  const ctx = f64(Array.from({ length: B * T * K }, (_, i) => 0.5 + 0.5 * r(i + 99)), [B, T, K], true);
  const w = tidy(() => noGrad(() => temporalWeights(alpha, phi, ctx, lengths).toTypedArray()));
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < T; i++) s += w[b * T + i];
    close(t, s, K, 1e-12, `row ${b}`);
    for (let i = lengths[b]; i < T; i++) t.is(w[b * T + i], 0);
  }
  assertGradcheck(t, (a, p, c) => temporalWeights(a, p, c, lengths), [alpha, phi, ctx]);
  t.throws(() => temporalWeights(alpha, phi, ctx, [4, 0, 1]), { instanceOf: RangeError, message: /lengths\[1\] = 0 must be an integer in \[1, 4\]/ });
  t.throws(() => temporalWeights(alpha, ctx, f64(new Float64Array(B * T * 2), [B, T, 2]), lengths), { instanceOf: RangeError, message: /ctx must be \[B, T, K\] = \[3, 4, 3\]/ });
  for (const x of [alpha, phi, ctx]) x.dispose();
});

// ---- losses ------------------------------------------------------------------------------------

// S = [[1, 0], [2, −1]]: r = (1, −1)
//   TOP1 terms σ(S_bj − r_b) + σ(S_bj²):
//     (0,0): σ(0) + σ(1) = 0.5 + 0.7310585786   (0,1): σ(−1) + σ(0) = 0.2689414214 + 0.5
//     (1,0): σ(3) + σ(4) = 0.9525741268 + 0.9820137900   (1,1): σ(0) + σ(1) = 0.5 + 0.7310585786
//     sum = 5.1656464955 → mean 1.2914116239
//   BPR terms softplus(S_bj − r_b) = −log σ(r_b − S_bj):
//     ln 2 = 0.6931471806, ln(1 + e^−1) = 0.3132616875, ln(1 + e^3) = 3.0485873516, ln 2
//     sum = 4.7481434002 → mean 1.1870358501
const S_HAND = [1, 0, 2, -1];

test("top1Loss and bprLoss: the case worked by hand (diagonal included)", (t) => {
  tidy(() => {
    close(t, top1Loss(f64(S_HAND, [2, 2])).item(), 1.2914116238725868, 1e-14, "TOP1");
    close(t, bprLoss(f64(S_HAND, [2, 2])).item(), 1.1870358500529639, 1e-14, "BPR");
    // softplus is stable far from 0: softplus(800) = 800, softplus(−800) = e^−800 ≈ 0
    const sp = softplus(f64([800, -800, 0], [3])).toTypedArray();
    t.deepEqual([sp[0], sp[1]], [800, 0]);
    close(t, sp[2], Math.LN2, 1e-15, "softplus(0)");
  });
});

test("seqLoss: in-batch scores from u and E[y]; CE over all items, by hand", (t) => {
  // u = I₂; E rows: 0 pad, item 1 = (1, 2), item 2 = (0, −1); targets (1, 2)
  //   S = u·E[y]ᵀ = [[1, 0], [2, −1]] → the hand case above
  const u = f64([1, 0, 0, 1], [2, 2]);
  const E = f64([0, 0, 1, 2, 0, -1], [3, 2]);
  tidy(() => {
    close(t, seqLoss("top1", u, E, Int32Array.of(1, 2)).item(), 1.2914116238725868, 1e-14, "TOP1 via seqLoss");
    close(t, seqLoss("bpr", u, E, Int32Array.of(1, 2)).item(), 1.1870358500529639, 1e-14, "BPR via seqLoss");
    // CE: logits u·Eᵀ = [[0, 1, 0], [0, 2, −1]]; targets (1, 2)
    //   row 0: lse(0, 1, 0) − 1 = 1 + ln(1 + 2e^−1) − 1 = ln(1.7357588823) = 0.5514447139
    //   row 1: lse(0, 2, −1) − (−1) = 2 + ln(1 + e^−2 + e^−3) + 1 = 3.1698460196
    //   mean = 1.8606453667
    close(t, seqLoss("ce", u, E, Int32Array.of(1, 2)).item(), (Math.log(1 + 2 / Math.E) + 3 + Math.log(1 + Math.exp(-2) + Math.exp(-3))) / 2, 1e-14, "CE");
    t.true(Math.abs(seqLoss("ce", u, E, Int32Array.of(1, 2)).item() - 1.8606453667) < 1e-9);
  });
  t.throws(() => seqLoss("hinge", u, E, Int32Array.of(1, 2)), { instanceOf: RangeError, message: /top1, bpr, ce, got "hinge"/ });
  t.throws(() => top1Loss(f64([1, 2, 3, 4, 5, 6], [2, 3])), { instanceOf: RangeError, message: /square \[B, B\], got \[2,3\]/ });
  u.dispose();
  E.dispose();
});

test("losses: finite-difference gradients (TOP1, BPR, and through u and E)", (t) => {
  const B = 4;
  const S = f64(Array.from({ length: B * B }, (_, i) => 1.3 * Math.sin(2.1 * i + 0.4)), [B, B], true);
  assertGradcheck(t, (s) => top1Loss(s), [S]);
  assertGradcheck(t, (s) => bprLoss(s), [S]);
  const u = f64(Array.from({ length: B * 3 }, (_, i) => Math.cos(i)), [B, 3], true);
  const E = f64(Array.from({ length: 6 * 3 }, (_, i) => Math.sin(0.7 * i)), [6, 3], true);
  const y = Int32Array.of(2, 5, 2, 1); // item 2 twice: a negative for the other row
  for (const kind of ["top1", "bpr", "ce"]) assertGradcheck(t, (uu, ee) => seqLoss(kind, uu, ee, y), [u, E], { what: kind });
  const live = memory().liveTensors;
  tidy(() => seqLoss("top1", u, E, y).backward());
  u.zeroGrad();
  E.zeroGrad();
  t.is(memory().liveTensors, live);
  for (const x of [S, u, E]) x.dispose();
});
