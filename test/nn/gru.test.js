// nn.GRU / nn.GRUCell against PyTorch: test/fixtures/gru_torch.safetensors holds a torch.nn.GRU
// (in 5, hidden 6, 2 layers, bidirectional, batch_first) and a torch.nn.GRUCell state dict in float64,
// inputs (variable lengths through pack_padded_sequence), PyTorch's outputs and PyTorch's gradients of
// a weighted-sum loss (written by test/fixtures/make_gru_fixture.py; torch is not needed here).
// The state dicts load by PyTorch's names and reproduce outputs and gradients. Plus: parameter names
// and initialisation bounds, batchFirst = false, and module errors.
import test from "ava";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as rf from "../../dist/index.js";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "gru_torch.safetensors");

function maxErr(got, want) {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return m;
}

function withPrefix(tensors, prefix) {
  return Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes(".") && /^(weight|bias)_/.test(k.slice(prefix.length))).map(([k, v]) => [k.slice(prefix.length), v]));
}

test("nn.GRU loads a PyTorch GRU state dict and reproduces its outputs and gradients (2 layers, bidirectional, lengths)", (t) => {
  const { tensors: f } = rf.loadSafetensors(fixture);
  const gru = new rf.GRU(5, 6, { numLayers: 2, bidirectional: true, dtype: "float64" });
  const res = gru.loadStateDict(withPrefix(f, "gru."));
  t.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  const x = f["gru.x"], h0 = f["gru.h0"];
  x.requiresGrad = true;
  h0.requiresGrad = true;
  const { output, hN } = gru.call(x, h0, { lengths: f["gru.lengths"] });
  t.true(maxErr(output.toTypedArray(), f["gru.output"].toTypedArray()) < 1e-12, "output");
  t.true(maxErr(hN.toTypedArray(), f["gru.h_n"].toTypedArray()) < 1e-12, "h_n");
  rf.add(rf.sum(rf.mul(output, f["gru.wo"])), rf.sum(rf.mul(hN, f["gru.wh"]))).backward();
  t.true(maxErr(x.grad.toTypedArray(), f["grad.gru.x"].toTypedArray()) < 1e-11, "dx");
  t.true(maxErr(h0.grad.toTypedArray(), f["grad.gru.h0"].toTypedArray()) < 1e-11, "dh0");
  for (const [name, p] of gru.namedParameters())
    t.true(maxErr(p.grad.toTypedArray(), f[`grad.gru.${name}`].toTypedArray()) < 1e-11, `d${name}`);
  gru.dispose();
  for (const v of Object.values(f)) v.dispose();
});

test("nn.GRUCell loads a PyTorch GRUCell state dict and reproduces its step and gradients", (t) => {
  const { tensors: f } = rf.loadSafetensors(fixture);
  const cell = new rf.GRUCell(5, 6, { dtype: "float64" });
  t.deepEqual(cell.loadStateDict(withPrefix(f, "cell.")), { missingKeys: [], unexpectedKeys: [] });
  const x = f["cell.x"], h = f["cell.h"];
  x.requiresGrad = true;
  h.requiresGrad = true;
  const y = cell.call(x, h);
  t.deepEqual(y.shape, [3, 6]);
  t.true(maxErr(y.toTypedArray(), f["cell.y"].toTypedArray()) < 1e-12);
  rf.sum(rf.mul(y, f["cell.w"])).backward();
  t.true(maxErr(x.grad.toTypedArray(), f["grad.cell.x"].toTypedArray()) < 1e-11, "dx");
  t.true(maxErr(h.grad.toTypedArray(), f["grad.cell.h"].toTypedArray()) < 1e-11, "dh");
  for (const [name, p] of cell.namedParameters())
    t.true(maxErr(p.grad.toTypedArray(), f[`grad.cell.${name}`].toTypedArray()) < 1e-11, `d${name}`);
  cell.dispose();
  for (const v of Object.values(f)) v.dispose();
});

test("nn.GRU: PyTorch's parameter names, shapes and init bound; batchFirst = false transposes", (t) => {
  const gru = new rf.GRU(4, 3, { numLayers: 2, bidirectional: true, generator: new rf.Generator(5) });
  t.deepEqual(gru.namedParameters().map(([n, p]) => `${n}:${p.shape}`), [
    "weight_ih_l0:9,4", "weight_hh_l0:9,3", "bias_ih_l0:9", "bias_hh_l0:9",
    "weight_ih_l0_reverse:9,4", "weight_hh_l0_reverse:9,3", "bias_ih_l0_reverse:9", "bias_hh_l0_reverse:9",
    "weight_ih_l1:9,6", "weight_hh_l1:9,3", "bias_ih_l1:9", "bias_hh_l1:9",
    "weight_ih_l1_reverse:9,6", "weight_hh_l1_reverse:9,3", "bias_ih_l1_reverse:9", "bias_hh_l1_reverse:9",
  ]);
  for (const [, p] of gru.namedParameters()) for (const v of p.toTypedArray()) t.true(Math.abs(v) <= 1 / Math.sqrt(3));
  const noBias = new rf.GRU(4, 3, { bias: false });
  t.deepEqual(noBias.namedParameters().map(([n]) => n), ["weight_ih_l0", "weight_hh_l0"]);
  const x = rf.randn([2, 5, 4]);
  const bf = new rf.GRU(4, 3, { batchFirst: true, generator: new rf.Generator(9) });
  const tf = new rf.GRU(4, 3, { batchFirst: false });
  tf.loadStateDict(bf.stateDict());
  const r1 = bf.call(x), r2 = tf.call(rf.contiguous(rf.permute(x, [1, 0, 2])));
  t.deepEqual(r2.output.shape, [5, 2, 3]);
  t.true(maxErr(rf.permute(r2.output, [1, 0, 2]).toTypedArray(), r1.output.toTypedArray()) < 1e-6);
  t.true(maxErr(r2.hN.toTypedArray(), r1.hN.toTypedArray()) < 1e-6);
  for (const m of [gru, noBias, bf, tf]) m.dispose();
});

test("nn.GRU / nn.GRUCell: bad sizes and inputs get clear errors", (t) => {
  t.throws(() => new rf.GRU(0, 3), { instanceOf: RangeError, message: /inputSize must be an integer >= 1, got 0/ });
  t.throws(() => new rf.GRU(2, 3, { numLayers: 1.5 }), { instanceOf: RangeError, message: /numLayers/ });
  const cell = new rf.GRUCell(4, 3);
  t.throws(() => cell.call(rf.zeros([2, 3, 4])), { instanceOf: RangeError, message: /x must be a \[B, in\] tensor/ });
  t.throws(() => cell.call(rf.zeros([2, 4]), rf.zeros([3, 3])), { instanceOf: RangeError, message: /h must be \[B, H\] = \[2, 3\], got \[3,3\]/ });
  t.throws(() => cell.call(rf.zeros([2, 5])), { instanceOf: RangeError, message: /wIh\[0\] \(layer 0\) \[9, 4\] must be \[9, 5\]/ });
  const gru = new rf.GRU(4, 3);
  t.throws(() => gru.call(rf.zeros([2, 5, 4]), null, { lengths: [5, 6] }), { instanceOf: RangeError, message: /lengths\[1\] = 6/ });
  cell.dispose();
  gru.dispose();
});
