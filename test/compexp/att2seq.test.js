// The Att2Seq-style baseline (lib/methods/compexp/att2seq.ts) and the GRU decoder it shares with
// CompExp (decoder.ts): h₀ and the teacher-forced log-likelihood against a float64 reference
// written here from the parameters (random odd sizes, fresh seeds), a finite-difference gradient
// check of every parameter, training with selection on validation, and bad input.
import test from "ava";
import { tidy, memory } from "../../dist/index.js";
import { Att2SeqModel } from "../../dist/methods/compexp/att2seq.js";
import { trainAtt2Seq, att2seqValidate, att2seqGenerate, att2seqInput } from "../../dist/methods/compexp/att2seq_train.js";
import { buildCorpus } from "../../dist/methods/compexp/train.js";
import { mulberry32 } from "../../dist/prng.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";
import { compexpTinyData } from "./fixtures.js";

const SOS = 2, EOS = 3;
const params = (m) => Object.fromEntries(m.namedParameters().map(([n, p]) => [n, { v: Float64Array.from(p.toTypedArray()), shape: p.shape }]));
const sig = (x) => 1 / (1 + Math.exp(-x));

/** y = W x + b with W [out, in] (row-major) */
function affine(W, b, x) {
  const [O, I] = W.shape, y = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let s = b ? b.v[o] : 0;
    for (let i = 0; i < I; i++) s += W.v[o * I + i] * x[i];
    y[o] = s;
  }
  return y;
}
const row = (E, k) => E.v.slice(k * E.shape[1], (k + 1) * E.shape[1]);

/** h₀ = tanh(W [E_u; E_i; E_y] + b) in float64 */
function refH0(P, e) {
  const x = Float64Array.from([...row(P["userEmb.weight"], e.user), ...row(P["itemEmb.weight"], e.item), ...row(P["ratingEmb.weight"], e.rating - 1)]);
  return affine(P["mlp.weight"], P["mlp.bias"], x).map(Math.tanh);
}

/** One GRU step, PyTorch convention, gate rows r, z, n. */
function gruStep(P, x, h) {
  const H = h.length;
  const gi = affine(P["cell.weight_ih"], P["cell.bias_ih"], x), gh = affine(P["cell.weight_hh"], P["cell.bias_hh"], h);
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const r = sig(gi[j] + gh[j]), z = sig(gi[H + j] + gh[H + j]);
    const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
    out[j] = (1 - z) * n + z * h[j];
  }
  return out;
}

/** log p(target + <eos> | h₀) by stepping the reference GRU over <sos> target */
function refSeqLogProb(P, h0, target) {
  let h = h0, lp = 0;
  const inp = [SOS, ...target], out = [...target, EOS];
  for (let t = 0; t < inp.length; t++) {
    h = gruStep(P, row(P["decEmb.weight"], inp[t]), h);
    const logits = affine(P["out.weight"], P["out.bias"], h);
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((s, v) => s + Math.exp(v - m), 0));
    lp += logits[out[t]] - lse;
  }
  return lp;
}

function randomCase(seed) {
  const rand = mulberry32(seed);
  const ri = (n) => Math.floor(rand() * n);
  const cfg = { vocabSize: 5 + ri(6), numUsers: 1 + ri(5), numItems: 1 + ri(4), attrDim: 1 + ri(4), embedDim: 1 + ri(5), hidden: 1 + ri(6), maxRating: 5, dtype: "float64", seed };
  const B = 1 + ri(4);
  const batch = Array.from({ length: B }, () => ({ user: ri(cfg.numUsers), item: ri(cfg.numItems), rating: 1 + ri(5) }));
  // targets of different lengths (0 included: <eos> alone), words 4..V-1
  const targets = batch.map(() => Int32Array.from({ length: ri(5) }, () => 4 + ri(cfg.vocabSize - 4)));
  return { cfg, batch, targets };
}

test("h₀ and teacher-forced log p(target) match a float64 reference (random odd sizes, 6 seeds)", (t) => {
  for (let seed = 1; seed <= 6; seed++) {
    const { cfg, batch, targets } = randomCase(1000 + seed);
    const m = new Att2SeqModel(cfg);
    const P = params(m);
    tidy(() => {
      const h0 = m.call(batch);
      t.deepEqual(h0.shape, [batch.length, cfg.hidden]);
      const got = h0.toTypedArray();
      const lp = m.sequenceLogProb(h0, targets).toTypedArray();
      batch.forEach((e, b) => {
        const want = refH0(P, e);
        for (let j = 0; j < cfg.hidden; j++) t.true(Math.abs(got[b * cfg.hidden + j] - want[j]) < 1e-12, `seed ${seed} h0[${b},${j}]`);
        const wl = refSeqLogProb(P, want, [...targets[b]]);
        t.true(Math.abs(lp[b] - wl) < 1e-10 * Math.max(1, Math.abs(wl)), `seed ${seed} log p[${b}]: ${lp[b]} vs ${wl}`);
      });
      // mean token NLL: −Σ log p / Σ (length + 1)
      const tokens = targets.reduce((s, x) => s + x.length + 1, 0);
      const nll = m.tokenNll(h0, targets).item();
      t.true(Math.abs(nll + lp.reduce((a, b) => a + b, 0) / tokens) < 1e-10);
    });
    m.dispose();
  }
});

test("greedy decoding follows the reference argmax path", (t) => {
  const { cfg, batch } = randomCase(77);
  const m = new Att2SeqModel({ ...cfg, vocabSize: 9 });
  const P = params(m);
  const words = tidy(() => m.decode(m.call(batch), { maxLen: 6 }));
  batch.forEach((e, b) => {
    let h = refH0(P, e), tok = SOS;
    const want = [];
    for (let s = 0; s < 6; s++) {
      h = gruStep(P, row(P["decEmb.weight"], tok), h);
      const logits = affine(P["out.weight"], P["out.bias"], h);
      tok = logits.indexOf(Math.max(...logits));
      if (tok === EOS) break;
      want.push(tok);
    }
    t.deepEqual([...words[b]], want);
  });
  m.dispose();
});

test("gradient check (float64, finite differences): every parameter through h₀ and the decoder", (t) => {
  const { cfg, batch, targets } = randomCase(4242);
  const m = new Att2SeqModel({ ...cfg, numUsers: 3, numItems: 2 });
  const b = batch.map((e, k) => ({ ...e, user: k % 3, item: k % 2 }));
  const r = moduleGradcheck(m, () => {
    const h0 = m.call(b);
    return [h0, m.sequenceLogProb(h0, targets)];
  });
  t.true(r.ok, r.message);
  // user, item, rating embeddings (3); mlp weight, bias (2); decoder embedding (1); the cell's 4; out weight, bias (2)
  t.is(r.count, 12);
  t.deepEqual(r.untouched, []);
  m.dispose();
});

test("training: losses finite, best validation epoch restored, deterministic for a seed, no tensor left", (t) => {
  const c = buildCorpus(compexpTinyData(), 1);
  c.validation = c.train; // the fixture has no validation review (smoke test of the loop only)
  const run = () => {
    const m = new Att2SeqModel({ vocabSize: c.vocab.size, numUsers: c.data.users.length, numItems: c.data.items.length, embedDim: 6, hidden: 5, attrDim: 3, seed: 2 });
    const logs = [];
    const r = trainAtt2Seq(m, c, { epochs: 3, batchSize: 2, itersPerEpoch: 2, seed: 5, log: (x) => logs.push(x) });
    return { m, r, logs };
  };
  const live0 = memory().liveTensors;
  const a = run();
  t.is(a.r.epochs.length, 3);
  for (const e of a.r.epochs) t.true(Number.isFinite(e.loss) && e.validation >= 0 && e.validation <= 1);
  t.is(a.r.best, Math.max(...a.r.epochs.map((e) => e.validation)));
  // the model handed back is the best epoch's: its validation score is the best one
  t.is(att2seqValidate(a.m, c, c.validation), a.r.best);
  t.is(a.logs.length, 3);
  const b = run();
  t.deepEqual(b.r.epochs.map((e) => e.loss), a.r.epochs.map((e) => e.loss));
  t.deepEqual(att2seqGenerate(a.m, c.train).map((w) => [...w]), att2seqGenerate(b.m, c.train).map((w) => [...w]));
  a.m.dispose();
  b.m.dispose();
  t.is(memory().liveTensors, live0);
});

test("bad input: clear RangeErrors", (t) => {
  t.throws(() => new Att2SeqModel({ vocabSize: 4, numUsers: 1, numItems: 1 }), { instanceOf: RangeError, message: /vocabSize/ });
  t.throws(() => new Att2SeqModel({ vocabSize: 9, numUsers: 0, numItems: 1 }), { instanceOf: RangeError, message: /numUsers/ });
  const m = new Att2SeqModel({ vocabSize: 9, numUsers: 2, numItems: 3, embedDim: 2, hidden: 3, attrDim: 2 });
  t.throws(() => tidy(() => m.call([])), { instanceOf: RangeError, message: /empty batch/ });
  t.throws(() => tidy(() => m.call([{ user: 2, item: 0, rating: 3 }])), { instanceOf: RangeError, message: /user 2 is not an integer in \[0, 2\)/ });
  t.throws(() => tidy(() => m.call([{ user: 0, item: -1, rating: 3 }])), { instanceOf: RangeError, message: /item -1/ });
  t.throws(() => tidy(() => m.call([{ user: 0, item: 0, rating: 0 }])), { instanceOf: RangeError, message: /rating 0/ });
  t.throws(() => tidy(() => m.call([{ user: 0, item: 0, rating: 3.5 }])), { instanceOf: RangeError, message: /rating 3.5/ });
  t.throws(() => tidy(() => m.sequenceLogProb(m.call([{ user: 0, item: 0, rating: 3 }]), [Int32Array.of(4), Int32Array.of(5)])), { instanceOf: RangeError, message: /v must be \[2, 3\]/ });
  const c = buildCorpus(compexpTinyData(), 1);
  const m2 = new Att2SeqModel({ vocabSize: c.vocab.size, numUsers: 3, numItems: 3, embedDim: 2, hidden: 2, attrDim: 2 });
  t.throws(() => trainAtt2Seq(m2, { ...c, validation: [] }), { instanceOf: RangeError, message: /no validation examples/ });
  t.throws(() => trainAtt2Seq(m2, { ...c, train: [] }), { instanceOf: RangeError, message: /no training examples/ });
  t.deepEqual(att2seqInput({ user: 1, item: 2, rating: 4 }), { user: 1, item: 2, rating: 4 });
  m.dispose();
  m2.dispose();
});
