// Smoke test of the interval-attention binding from Node: fused vs dense vs a JS reference on a
// small DTI-like layout (float64 and float32, with and without ALiBi) and the validation errors.
// Usage: node native/tests/interval_attention_smoke.cjs [path/to/recforge.node]  (after node-gyp rebuild)
const path = require("path");
const rf = require(process.argv[2] ? path.resolve(process.argv[2]) : path.join(__dirname, "../../build/Release/recforge.node"));
const H = 2, L = 23, D = 5;
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
function tensor(arr, Ctor = Float64Array) {
  const ta = Ctor.from(arr);
  const h = rf.alloc(ta.byteLength);
  rf.write(h, 0, ta);
  return h;
}
function readT(h, n, Ctor = Float64Array) { const ta = new Ctor(n); rf.read(h, 0, ta); return ta; }
// DTI-like layout: prefix 3, context interactions of 2 tokens, targets of 2 tokens (+[SUM] counted in).
const iv = new Int32Array(5 * L), pos = new Int32Array(L);
const P = 3, ctxEnd = 15;
for (let i = 0; i < L; i++) {
  pos[i] = i;
  let pl = 0, ph = 0, cl = 0, ch = 0, sl = 0;
  if (i < P) sl = 0;
  else if (i < ctxEnd) { const s = P + 2 * Math.floor((i - P) / 2); ph = P; cl = Math.max(P, s - 4); ch = s; sl = s; }
  else { const j = Math.floor((i - ctxEnd) / 2); ph = P; cl = P + 2 * j; ch = Math.min(ctxEnd, cl + 6); sl = ctxEnd + 2 * j; }
  iv[i] = pl; iv[L + i] = ph; iv[2 * L + i] = cl; iv[3 * L + i] = ch; iv[4 * L + i] = sl;
}
const n = H * L * D;
const q = Array.from({ length: n }, rnd), k = Array.from({ length: n }, rnd), v = Array.from({ length: n }, rnd), g = Array.from({ length: n }, rnd);
const slopes = [0.5, 0.25], scale = 1 / Math.sqrt(D);
const hq = tensor(q), hk = tensor(k), hv = tensor(v), hg = tensor(g), hiv = tensor(iv, Int32Array), hpos = tensor(pos, Int32Array), hs = tensor(slopes);
const sees = (i, j) => (j >= iv[i] && j < iv[L + i]) || (j >= iv[2 * L + i] && j < iv[3 * L + i]) || (j >= iv[4 * L + i] && j <= i);
// JS reference forward
const refOut = new Float64Array(n), refLse = new Float64Array(H * L);
for (let h = 0; h < H; h++) for (let i = 0; i < L; i++) {
  const s = [];
  for (let j = 0; j < L; j++) {
    if (!sees(i, j)) { s.push(-Infinity); continue; }
    let d = 0; for (let t = 0; t < D; t++) d += q[(h * L + i) * D + t] * k[(h * L + j) * D + t];
    s.push(d * scale - slopes[h] * (pos[i] - pos[j]));
  }
  const m = Math.max(...s); let z = 0; for (const x of s) z += Math.exp(x - m);
  refLse[h * L + i] = m + Math.log(z);
  for (let t = 0; t < D; t++) { let o = 0; for (let j = 0; j < L; j++) o += Math.exp(s[j] - m) / z * v[(h * L + j) * D + t]; refOut[(h * L + i) * D + t] = o; }
}
const maxdiff = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const expectClose = (label, d, tol) => { if (!(d <= tol)) { console.log("MISMATCH", label, d); process.exitCode = 1; } };
const results = {};
for (const [name, fwd, bwd] of [["interval", rf.intervalAttentionForward, rf.intervalAttentionBackward], ["dense", rf.denseMaskedAttentionForward, rf.denseMaskedAttentionBackward]]) {
  const ho = rf.alloc(n * 8), hl = rf.alloc(H * L * 8), hdq = rf.alloc(n * 8), hdk = rf.alloc(n * 8), hdv = rf.alloc(n * 8);
  fwd(1, H, L, D, hq, 0, hk, 0, hv, 0, hiv, 0, true, hs, 0, hpos, 0, scale, ho, 0, hl, 0);
  bwd(1, H, L, D, hq, 0, hk, 0, hv, 0, ho, 0, hl, 0, hg, 0, hiv, 0, true, hs, 0, hpos, 0, scale, hdq, 0, hdk, 0, hdv, 0);
  results[name] = { out: readT(ho, n), lse: readT(hl, H * L), dq: readT(hdq, n), dk: readT(hdk, n), dv: readT(hdv, n) };
  expectClose(name + " out", maxdiff(results[name].out, refOut), 1e-12);
  expectClose(name + " lse", maxdiff(results[name].lse, refLse), 1e-12);
  console.log(name, "forward vs JS reference: out", maxdiff(results[name].out, refOut).toExponential(2), "lse", maxdiff(results[name].lse, refLse).toExponential(2));
}
for (const t of ["dq", "dk", "dv"]) expectClose(t, maxdiff(results.interval[t], results.dense[t]), 1e-12);
for (const t of ["dq", "dk", "dv"]) console.log("interval vs dense", t, maxdiff(results.interval[t], results.dense[t]).toExponential(2));
// float32 path, without ALiBi (slopes/pos undefined)
{
  const f = (a) => tensor(a, Float32Array);
  const q32 = f(q), k32 = f(k), v32 = f(v), o32 = rf.alloc(n * 4), l32 = rf.alloc(H * L * 4), o32d = rf.alloc(n * 4), l32d = rf.alloc(H * L * 4);
  rf.intervalAttentionForward(0, H, L, D, q32, 0, k32, 0, v32, 0, hiv, 0, false, undefined, undefined, null, null, scale, o32, 0, l32, 0);
  rf.denseMaskedAttentionForward(0, H, L, D, q32, 0, k32, 0, v32, 0, hiv, 0, false, null, 0, null, 0, scale, o32d, 0, l32d, 0);
  expectClose("float32 out", maxdiff(readT(o32, n, Float32Array), readT(o32d, n, Float32Array)), 1e-5);
  console.log("float32 no-alibi interval vs dense out", maxdiff(readT(o32, n, Float32Array), readT(o32d, n, Float32Array)).toExponential(2));
}
// validation
const ho = rf.alloc(n * 8), hl = rf.alloc(H * L * 8);
const expectErr = (label, f, Type) => {
  try { f(); console.log("NO ERROR for", label); process.exitCode = 1; }
  catch (e) { const ok = e instanceof Type; console.log(ok ? "ok" : "WRONG TYPE", label, "->", e.constructor.name + ":", e.message); if (!ok) process.exitCode = 1; }
};
const withIv = (mut) => { const c = Int32Array.from(iv); mut(c); return tensor(c, Int32Array); };
const call = (hiv2, extra = {}) => () => rf.intervalAttentionForward(extra.dtype ?? 1, H, L, D, hq, 0, hk, 0, hv, 0, hiv2, 0, false, null, null, null, null, scale, extra.out ?? ho, 0, hl, 0);
expectErr("selfLo > i", call(withIv((c) => { c[4 * L + 7] = 8; })), RangeError);
expectErr("selfLo < 0", call(withIv((c) => { c[4 * L + 0] = -1; })), RangeError);
expectErr("ctxHi > L", call(withIv((c) => { c[3 * L + 20] = L + 1; })), RangeError);
expectErr("prefLo < 0", call(withIv((c) => { c[0 * L + 2] = -3; })), RangeError);
expectErr("dtype int32", call(hiv, { dtype: 2 }), TypeError);
expectErr("out aliases q", call(hiv, { out: hq }), RangeError);
expectErr("iv too short", () => rf.intervalAttentionForward(1, H, L + 1, D, hq, 0, hk, 0, hv, 0, hiv, 0, false, null, null, null, null, scale, ho, 0, hl, 0), RangeError);
expectErr("alibi without slopes", () => rf.intervalAttentionForward(1, H, L, D, hq, 0, hk, 0, hv, 0, hiv, 0, true, null, null, null, null, scale, ho, 0, hl, 0), TypeError);
expectErr("position too large", () => { const p2 = Int32Array.from(pos); p2[3] = 2 ** 30 + 1; rf.intervalAttentionForward(1, H, L, D, hq, 0, hk, 0, hv, 0, hiv, 0, true, hs, 0, tensor(p2, Int32Array), 0, scale, ho, 0, hl, 0); }, RangeError);
// empty intervals with lo >= hi are accepted
call(withIv((c) => { c[2 * L + 5] = 9; c[3 * L + 5] = 2; }))();
console.log("empty interval (lo > hi) accepted");
console.log(process.exitCode ? "interval_attention_smoke: FAILED" : "interval_attention_smoke: ok");
