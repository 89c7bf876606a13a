// DTIModel: forward against a naive float64 LLaMA written out in JS (HF conventions: RMSNorm,
// rotate-half RoPE, repeat_kv, SwiGLU), the [SUM]-only fast path against the full pass (values
// and gradients), finite-difference gradients, the DTI exactness check (one layer, window-relative
// positions: every DTI target's logit equals its SW prompt's), memory, training, bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { rng } from "../helpers/reference.js";
import { dtiBatch, randomUser, swBatch } from "./layouts.js";
import { sumQueryIntervals } from "../../dist/methods/dti/sum_queries.js";

const r = rng(77);

// ---- naive reference ---------------------------------------------------------------------
function stateArrays(model) {
  const out = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = { shape: [...t.shape], data: Float64Array.from(t.toTypedArray()) };
  return out;
}
const matvec = (W, x) => {
  // W [out, in] · x [in]
  const [o, n] = W.shape, y = new Float64Array(o);
  for (let i = 0; i < o; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += W.data[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
};
const rmsnorm = (x, w, eps) => {
  let ms = 0;
  for (const v of x) ms += v * v;
  const rs = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * rs * w.data[i]);
};
const silu = (x) => x / (1 + Math.exp(-x));

function referenceLogits(model, batch) {
  const cfg = model.config, sd = stateArrays(model);
  const { dim, heads: H, kvHeads: Hkv, headDim: D, normEps: eps } = cfg;
  const L = batch.tokens.length, iv = batch.intervals, pos = batch.positions;
  const sees = (i, j) => (j >= iv[i] && j < iv[L + i]) || (j >= iv[2 * L + i] && j < iv[3 * L + i]) || (j >= iv[4 * L + i] && j <= i);
  const slopes = cfg.positionEncoding === "alibi" ? rf.alibiSlopes(H) : null;
  const ropeVec = (v, p) => {
    // HF: v * cos + rotate_half(v) * sin on each head
    const half = D / 2, out = new Float64Array(v.length);
    for (let h = 0; h < v.length / D; h++)
      for (let d = 0; d < D; d++) {
        const i = d % half, a = p * Math.pow(cfg.ropeTheta, (-2 * i) / D);
        const rot = d < half ? -v[h * D + d + half] : v[h * D + d - half];
        out[h * D + d] = v[h * D + d] * Math.cos(a) + rot * Math.sin(a);
      }
    return out;
  };
  const E = sd["model.embed_tokens.weight"];
  let x = Array.from(batch.tokens, (tok) => E.data.slice(tok * dim, (tok + 1) * dim));
  for (let l = 0; l < cfg.layers; l++) {
    const P = (n) => sd[`model.layers.${l}.${n}`];
    const a = x.map((row) => rmsnorm(row, P("input_layernorm.weight"), eps));
    let q = a.map((row) => matvec(P("self_attn.q_proj.weight"), row));
    let k = a.map((row) => matvec(P("self_attn.k_proj.weight"), row));
    const v = a.map((row) => matvec(P("self_attn.v_proj.weight"), row));
    if (cfg.positionEncoding === "rope") {
      q = q.map((row, i) => ropeVec(row, pos[i]));
      k = k.map((row, i) => ropeVec(row, pos[i]));
    }
    const att = x.map(() => new Float64Array(H * D));
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv)); // repeat_kv
      for (let i = 0; i < L; i++) {
        const s = new Float64Array(L).fill(-Infinity);
        for (let j = 0; j < L; j++) {
          if (!sees(i, j)) continue;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[i][h * D + d] * k[j][g * D + d];
          s[j] = dot / Math.sqrt(D) - (slopes ? slopes[h] * (pos[i] - pos[j]) : 0);
        }
        const m = Math.max(...s);
        let z = 0;
        for (const e of s) z += Math.exp(e - m);
        for (let j = 0; j < L; j++) {
          const p = Math.exp(s[j] - m) / z;
          if (p) for (let d = 0; d < D; d++) att[i][h * D + d] += p * v[j][g * D + d];
        }
      }
    }
    x = x.map((row, i) => row.map((e, c) => e + matvec(P("self_attn.o_proj.weight"), att[i])[c]));
    x = x.map((row) => {
      const m = rmsnorm(row, P("post_attention_layernorm.weight"), eps);
      const gate = matvec(P("mlp.gate_proj.weight"), m), up = matvec(P("mlp.up_proj.weight"), m);
      const down = matvec(P("mlp.down_proj.weight"), gate.map((gv, i) => silu(gv) * up[i]));
      return row.map((e, c) => e + down[c]);
    });
  }
  return Array.from(batch.sumIndex, (i) => {
    const n = rmsnorm(x[i], sd["model.norm.weight"], eps);
    return matvec(sd["score.weight"], n)[0] + (sd["score.bias"] ? sd["score.bias"].data[0] : 0);
  });
}

const tiny = (o = {}) => new rf.DTIModel({ vocabSize: 50, dim: 16, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 24, seed: 3, initStd: 0.3, dtype: "float64", ...o });

function perturbScore(model) {
  // the default init of the head (small std, bias 0) would make every logit nearly 0: give it weight
  rf.noGrad(() => model.loadStateDict({ "score.bias": rf.tensor([0.3], { dtype: model.config.dtype }), "score.weight": rf.mul(model.score.weight, 20) }, { strict: false }));
}

test("DTIModel forward equals a naive float64 LLaMA (RoPE and ALiBi, GQA, SW and DTI layouts)", (t) => {
  const user = randomUser(r, 14);
  for (const positionEncoding of ["rope", "alibi"]) {
    const model = tiny({ positionEncoding });
    perturbScore(model);
    for (const batch of [swBatch(user, [5, 9, 13], 4), dtiBatch(user, 6, 5, 4)]) {
      const got = Array.from(model.call(batch).toTypedArray());
      const want = referenceLogits(model, batch);
      t.is(got.length, batch.sumIndex.length);
      got.forEach((g, i) => t.true(Math.abs(g - want[i]) < 1e-10, `${positionEncoding} logit ${i}: ${g} vs ${want[i]}`));
    }
    model.dispose();
  }
});

/** The batch with every [SUM] token also seeing key 0 (a stand-in for an instruction prefix): three ranges. */
function withPrefixKey(batch) {
  const L = batch.tokens.length, iv = batch.intervals.slice();
  for (const p of batch.sumIndex) {
    iv[p] = 0;
    iv[L + p] = 1;
  }
  return { ...batch, intervals: iv };
}

test("sumQueryIntervals: row L + s sees what [SUM] token s sees, its own key replaced by the copy at L + s", (t) => {
  const user = randomUser(r, 16);
  const sees = (iv, L, i, j) => (j >= iv[i] && j < iv[L + i]) || (j >= iv[2 * L + i] && j < iv[3 * L + i]) || (j >= iv[4 * L + i] && j <= i);
  for (const batch of [dtiBatch(user, 7, 6, 5), swBatch(user, [5, 9, 13], 4), dtiBatch(user, 3, 9, 3)]) {
    const L = batch.tokens.length, S = batch.sumIndex.length, n = L + S;
    const out = sumQueryIntervals(batch.intervals, L, batch.sumIndex);
    t.truthy(out, "no prefix: the appended layout fits");
    t.is(out.length, 5 * n);
    for (let i = 0; i < L; i++) for (const j of [0, i - 1, i, i + 1, L + 1]) if (j >= 0 && j < n) t.is(sees(out, n, i, j), j === i, `row ${i} key ${j}`);
    batch.sumIndex.forEach((p, s) => {
      for (let j = 0; j < n; j++) {
        const want = j < L ? j !== p && sees(batch.intervals, L, p, j) : j === L + s;
        t.is(sees(out, n, L + s, j), want, `[SUM] ${s} (token ${p}), key ${j}`);
      }
    });
  }
  const three = withPrefixKey(dtiBatch(user, 7, 6, 5));
  t.is(sumQueryIntervals(three.intervals, three.tokens.length, three.sumIndex), null, "three separate ranges do not fit");
});

test("the [SUM]-only last layer gives the same logits and gradients as the full pass", (t) => {
  const user = randomUser(r, 16);
  const model = tiny({ layers: 3 });
  perturbScore(model);
  // DTI and SW layouts take the appended [SUM] queries; a [SUM] with a third key range (the prefix) the scattered ones
  for (const batch of [dtiBatch(user, 7, 6, 5), swBatch(user, [5, 9, 13], 4), withPrefixKey(dtiBatch(user, 7, 6, 5))]) checkFastPath(t, model, batch);
  model.dispose();
});

function checkFastPath(t, model, batch) {
  const run = (fast) =>
    rf.tidy(() => {
      const logits = fast ? model.call(batch) : model.scoreRows(rf.indexSelect(model.hidden(batch, false), 0, rf.tensor(batch.sumIndex)));
      const loss = rf.bceWithLogits(logits, rf.tensor(batch.labels, { dtype: "float64" }));
      loss.backward();
      const grads = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, Float64Array.from(p.grad.toTypedArray())]));
      model.zeroGrad();
      return { logits: Array.from(logits.toTypedArray()), grads };
    });
  const fast = run(true), full = run(false);
  // a [SUM] listed twice: same logits both times, equal to the full pass
  const dup = { ...batch, sumIndex: Int32Array.of(...batch.sumIndex, batch.sumIndex[1]), labels: Float32Array.of(...batch.labels, batch.labels[1]) };
  const dupLogits = Array.from(rf.noGrad(() => model.call(dup)).toTypedArray());
  t.true(Math.abs(dupLogits.at(-1) - full.logits[1]) < 1e-12 && Math.abs(dupLogits[1] - full.logits[1]) < 1e-12);
  fast.logits.forEach((v, i) => t.true(Math.abs(v - full.logits[i]) < 1e-12, `logit ${i}`));
  for (const [name, g] of Object.entries(full.grads)) {
    let worst = 0;
    g.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - fast.grads[name][i]))));
    t.true(worst < 1e-12, `${name}: ${worst}`);
  }
}

test("DTIModel gradients match finite differences (float64)", (t) => {
  const user = randomUser(r, 10);
  const model = tiny({ layers: 2, positionEncoding: "rope" });
  perturbScore(model);
  const batch = dtiBatch(user, 5, 4, 3);
  const labels = rf.tensor(batch.labels, { dtype: "float64" });
  const lossOf = () => rf.tidy(() => rf.bceWithLogits(model.call(batch), labels).item());
  rf.tidy(() => rf.bceWithLogits(model.call(batch), labels).backward());
  const grads = Object.fromEntries(model.namedParameters().map(([n, p]) => [n, Float64Array.from(p.grad.toTypedArray())]));
  model.zeroGrad();
  const eps = 1e-6;
  let checked = 0;
  for (const [name, p] of model.namedParameters()) {
    const base = Float64Array.from(p.toTypedArray());
    for (let n = 0; n < 3; n++) {
      const i = r.int(0, base.length);
      const at = (d) => {
        const data = base.slice();
        data[i] += d;
        rf.noGrad(() => model.loadStateDict({ [name]: rf.tensor(data, { shape: [...p.shape] }) }, { strict: false }));
        return lossOf();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      rf.noGrad(() => model.loadStateDict({ [name]: rf.tensor(base, { shape: [...p.shape] }) }, { strict: false }));
      const analytic = grads[name][i];
      t.true(Math.abs(analytic - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric), `${name}[${i}]: analytic ${analytic}, numeric ${numeric}`);
      checked++;
    }
  }
  t.true(checked >= 3 * 20);
  labels.dispose();
  model.dispose();
});

test("exactness: one layer, window-relative positions — every DTI target's logit equals its SW prompt's", (t) => {
  const n = 5, k = 7;
  const user = randomUser(r, 20, { c: 4, t: 3 });
  for (const positionEncoding of ["rope", "alibi"]) {
    const model = new rf.DTIModel({ vocabSize: 50, dim: 32, layers: 1, heads: 4, seed: 9, initStd: 0.2, positionEncoding });
    perturbScore(model);
    const s = 8;
    const dti = Array.from(model.call(dtiBatch(user, s, k, n)).toTypedArray());
    const sw = Array.from(model.call(swBatch(user, Array.from({ length: k }, (_, i) => s + i), n)).toTypedArray());
    dti.forEach((v, i) => t.true(Math.abs(v - sw[i]) < 2e-5 * Math.max(1, Math.abs(sw[i])), `${positionEncoding} target ${i}: DTI ${v} vs SW ${sw[i]}`));
    // the check is sensitive: with positions counted along the stream, the RoPE targets drift
    if (positionEncoding === "rope") {
      const b = dtiBatch(user, s, k, n);
      const stream = Array.from(model.call({ ...b, positions: Int32Array.from(b.positions, (_, i) => i) }).toTypedArray());
      t.true(stream.some((v, i) => Math.abs(v - sw[i]) > 1e-3), "stream positions must change the logits");
    }
    model.dispose();
  }
});

test("DTIModel training steps: no tensors left behind, the loss goes down", (t) => {
  const user = randomUser(r, 30);
  const batch = dtiBatch(user, 10, 12, 6);
  const model = new rf.DTIModel({ vocabSize: 50, dim: 32, layers: 2, heads: 4, kvHeads: 2, seed: 1 });
  const opt = new rf.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0 });
  const labels = rf.tensor(batch.labels);
  const losses = [];
  let live = null;
  for (let step = 0; step < 40; step++) {
    rf.tidy(() => {
      const loss = rf.bceWithLogits(model.call(batch), labels);
      losses.push(loss.item());
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
    if (step === 2) live = rf.memory().liveTensors;
  }
  t.is(rf.memory().liveTensors, live, "steady state: no tensors accumulate");
  t.true(losses.at(-1) < losses[0] * 0.5, `loss ${losses[0]} -> ${losses.at(-1)}`);
  model.dispose();
  opt.dispose?.();
  labels.dispose();
});

test("DTIModel config and batch validation", (t) => {
  t.throws(() => new rf.DTIModel({ vocabSize: 10, dim: 10, layers: 1, heads: 3 }), { instanceOf: RangeError, message: /divisible/ });
  t.throws(() => new rf.DTIModel({ vocabSize: 10, dim: 8, layers: 1, heads: 4, kvHeads: 3 }), { instanceOf: RangeError, message: /kvHeads/ });
  t.throws(() => new rf.DTIModel({ vocabSize: 10, dim: 6, layers: 1, heads: 2 }), { instanceOf: RangeError, message: /even/ });
  t.throws(() => new rf.DTIModel({ vocabSize: 10, dim: 8, layers: 1, heads: 2, positionEncoding: "learned" }), { instanceOf: TypeError });
  t.throws(() => new rf.DTIModel({ vocabSize: 0, dim: 8, layers: 1, heads: 2 }), { instanceOf: RangeError });
  const model = new rf.DTIModel({ vocabSize: 50, dim: 8, layers: 1, heads: 2, seed: 1 });
  const user = randomUser(r, 8);
  const good = swBatch(user, [4, 6], 3);
  const live = rf.memory().liveTensors;
  t.throws(() => model.call({ ...good, tokens: good.tokens.map((x, i) => (i === 3 ? 50 : x)) }), { instanceOf: RangeError, message: /token 3 has id 50/ });
  t.throws(() => model.call({ ...good, intervals: good.intervals.subarray(1) }), { instanceOf: RangeError, message: /intervals/ });
  t.throws(() => model.call({ ...good, positions: good.positions.subarray(1) }), { instanceOf: RangeError, message: /positions/ });
  t.throws(() => model.call({ ...good, sumIndex: Int32Array.of(0, good.tokens.length) }), { instanceOf: RangeError, message: /sumIndex/ });
  t.throws(() => model.call({ ...good, tokens: Array.from(good.tokens) }), { instanceOf: TypeError });
  const bad = Int32Array.from(good.intervals);
  bad[4 * good.tokens.length + 2] = 3; // selfLo > i
  t.throws(() => model.call({ ...good, intervals: bad }), { instanceOf: RangeError, message: /selfLo/ });
  t.is(rf.memory().liveTensors, live, "failed forwards leave no tensors");
  t.is(model.call(good).shape[0], 2);
  // names are Hugging Face LLaMA's
  const names = Object.keys(model.stateDict());
  t.deepEqual(names.slice(0, 3), ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight"]);
  t.true(names.includes("model.norm.weight") && names.includes("score.weight") && names.includes("score.bias"));
  model.dispose();
});
