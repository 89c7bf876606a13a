import test from "ava";
import { rf, snapshot, bitsEqual } from "./helpers.js";

class Block extends rf.Module {
  constructor() {
    super();
    this.scale = this.param("scale", rf.ones([4]));
    this.proj = this.module("proj", new rf.Linear(4, 4));
    this.norm = this.module("norm", new rf.LayerNorm(4));
    this.count = this.buffer("count", rf.tensor([7], { dtype: "int32" }));
  }
  forward(x) {
    return rf.tidy(() => this.norm.call(this.proj.call(x)).mul(this.scale));
  }
}

class Net extends rf.Module {
  constructor() {
    super();
    this.embed = this.module("embed", new rf.Embedding(10, 4));
    this.layers = this.module("layers", new rf.ModuleList([new Block(), new Block()]));
    this.head = this.module("head", new rf.Linear(4, 1, { bias: false }));
  }
  forward(idx) {
    return rf.tidy(() => {
      let h = this.embed.call(idx);
      for (const b of this.layers) h = b.call(h);
      return this.head.call(h);
    });
  }
}

test("explicit registration gives dotted names: depth first, own tensors before submodules", (t) => {
  const net = new Net();
  t.deepEqual(
    net.namedParameters().map(([n]) => n),
    [
      "embed.weight",
      "layers.0.scale",
      "layers.0.proj.weight",
      "layers.0.proj.bias",
      "layers.0.norm.weight",
      "layers.0.norm.bias",
      "layers.1.scale",
      "layers.1.proj.weight",
      "layers.1.proj.bias",
      "layers.1.norm.weight",
      "layers.1.norm.bias",
      "head.weight",
    ],
  );
  t.deepEqual(net.namedBuffers().map(([n]) => n), ["layers.0.count", "layers.1.count"]);
  t.deepEqual(Object.keys(net.stateDict()).length, 14);
  t.is(net.parameters().length, 12);
  t.true(net.parameters().every((p) => p.requiresGrad && p.isLeaf));
  t.is(net.numParameters(), 40 + 2 * (4 + 16 + 4 + 4 + 4) + 4);
  t.deepEqual(net.namedModules().map(([n]) => n).slice(0, 4), ["", "embed", "layers", "layers.0"]);
  net.dispose();
});

test("registration errors are clear", (t) => {
  class Bad extends rf.Module {
    constructor(kind) {
      super();
      if (kind === "dup") {
        this.param("w", rf.zeros([2]));
        this.param("w", rf.zeros([2]));
      } else if (kind === "dot") this.param("a.b", rf.zeros([2]));
      else if (kind === "int") this.param("w", rf.zeros([2], { dtype: "int32" }));
      else if (kind === "self") this.module("me", this);
    }
    forward(x) {
      return x;
    }
  }
  t.throws(() => new Bad("dup"), { message: /"w" is already registered/ });
  t.throws(() => new Bad("dot"), { message: /without dots/ });
  t.throws(() => new Bad("int"), { message: /must be float32 or float64, got int32/ });
  t.throws(() => new Bad("self"), { message: /cannot contain itself/ });
});

test("shared parameters are listed once", (t) => {
  class Tied extends rf.Module {
    constructor() {
      super();
      this.a = this.module("a", new rf.Linear(2, 2));
      this.b = this.module("b", this.a);
    }
    forward(x) {
      return this.b.call(this.a.call(x));
    }
  }
  const m = new Tied();
  t.deepEqual(m.namedParameters().map(([n]) => n), ["a.weight", "a.bias"]);
  t.deepEqual(Object.keys(m.stateDict()), ["a.weight", "a.bias"]);
  m.dispose();
});

test("parameters survive tidy scopes and module dispose frees them", (t) => {
  const before = rf.memory().liveTensors;
  const m = rf.tidy(() => new rf.MLP([3, 5, 2]));
  t.is(rf.memory().liveTensors, before + 4);
  const out = rf.tidy(() => m.call(rf.ones([2, 3])).sum().item());
  t.true(Number.isFinite(out));
  t.is(rf.memory().liveTensors, before + 4);
  m.dispose();
  t.is(rf.memory().liveTensors, before);
  t.true(m.isDisposed);
  t.throws(() => m.call(rf.ones([1, 3])), { message: /disposed/ });
});

test("same seed gives identical parameters; a passed generator is independent of the default", (t) => {
  rf.manualSeed(42);
  const a = new rf.MLP([4, 8, 2], { dropout: 0.1 });
  rf.manualSeed(42);
  const b = new rf.MLP([4, 8, 2], { dropout: 0.1 });
  const sa = snapshot(a.stateDict()), sb = snapshot(b.stateDict());
  for (const k of Object.keys(sa)) t.true(bitsEqual(sa[k], sb[k]), k);
  const g1 = new rf.Generator(7), g2 = new rf.Generator(7);
  rf.manualSeed(1);
  const c = new rf.Embedding(5, 3, { generator: g1 });
  rf.manualSeed(99);
  const d = new rf.Embedding(5, 3, { generator: g2 });
  t.true(bitsEqual(c.weight.toTypedArray(), d.weight.toTypedArray()));
  rf.manualSeed(43);
  const e = new rf.MLP([4, 8, 2]);
  t.false(bitsEqual(e.stateDict()["layers.0.weight"].toTypedArray(), sa["layers.0.weight"]));
  [a, b, c, d, e].forEach((m) => m.dispose());
});

test("Linear: Kaiming-uniform bounds, shapes, optional bias, forward = x Wᵀ + b", (t) => {
  rf.manualSeed(3);
  const l = new rf.Linear(64, 32);
  const w = l.weight.toTypedArray(), b = l.bias.toTypedArray();
  const bound = 1 / Math.sqrt(64);
  t.deepEqual(l.weight.shape, [32, 64]);
  t.true(w.every((v) => Math.abs(v) <= bound));
  t.true(b.every((v) => Math.abs(v) <= bound));
  // uniform on ±bound has std bound/√3: the sample should be close
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  t.true(Math.abs(std - bound / Math.sqrt(3)) < 0.1 * bound, `std ${std}`);
  const nb = new rf.Linear(3, 2, { bias: false, dtype: "float64" });
  t.is(nb.bias, null);
  t.deepEqual(nb.namedParameters().map(([n]) => n), ["weight"]);
  t.is(nb.weight.dtype, "float64");
  const x = rf.tensor([[1, 2, 3]], { dtype: "float64" });
  const y = nb.call(x).toArray()[0];
  const W = nb.weight.toArray();
  for (let o = 0; o < 2; o++) t.true(Math.abs(y[o] - (W[o][0] + 2 * W[o][1] + 3 * W[o][2])) < 1e-12);
  [l, nb].forEach((m) => m.dispose());
});

test("Embedding: normal init, lookup, padding row zero and never updated", (t) => {
  rf.manualSeed(5);
  const e = new rf.Embedding(6, 4, { paddingIdx: -1 });
  t.is(e.paddingIdx, 5);
  const w0 = e.weight.toArray();
  t.deepEqual(w0[5], [0, 0, 0, 0]);
  const idx = rf.tensor([[5, 1], [1, 5]], { dtype: "int32" });
  const out = e.call(idx);
  t.deepEqual(out.shape, [2, 2, 4]);
  t.deepEqual(out.toArray()[0][1], w0[1]);
  rf.tidy(() => out.sum().backward());
  const g = e.weight.grad.toArray();
  t.deepEqual(g[5], [0, 0, 0, 0]);
  t.deepEqual(g[1], [2, 2, 2, 2]);
  const opt = new rf.SGD(e.parameters(), { lr: 0.5, momentum: 0.9 });
  opt.step();
  t.deepEqual(e.weight.toArray()[5], [0, 0, 0, 0]);
  t.throws(() => new rf.Embedding(4, 2, { paddingIdx: 4 }), { message: /paddingIdx 4 is out of range/ });
  out.dispose();
  opt.dispose();
  e.dispose();
});

test("LayerNorm and RMSNorm modules match the formulas", (t) => {
  const x = rf.tensor([[1, 2, 3, 6]], { dtype: "float64" });
  const ln = new rf.LayerNorm(4, { dtype: "float64" });
  const rn = new rf.RMSNorm(4, { dtype: "float64", eps: 0 });
  const mean = 3, v = (4 + 1 + 0 + 9) / 4;
  const ly = ln.call(x).toArray()[0];
  [1, 2, 3, 6].forEach((xi, i) => t.true(Math.abs(ly[i] - (xi - mean) / Math.sqrt(v + 1e-5)) < 1e-12));
  const ry = rn.call(x).toArray()[0];
  const rms = Math.sqrt((1 + 4 + 9 + 36) / 4);
  [1, 2, 3, 6].forEach((xi, i) => t.true(Math.abs(ry[i] - xi / rms) < 1e-12));
  t.deepEqual(ln.namedParameters().map(([n]) => n), ["weight", "bias"]);
  t.deepEqual(new rf.LayerNorm(4, { elementwiseAffine: false }).parameters(), []);
  t.deepEqual(rn.namedParameters().map(([n]) => n), ["weight"]);
  [ln, rn].forEach((m) => m.dispose());
});

test("Dropout follows train()/eval(), recursively", (t) => {
  rf.manualSeed(11);
  const seq = new rf.Sequential(new rf.Linear(8, 8), new rf.Dropout(0.5), new rf.Activation("identity"));
  t.deepEqual(seq.namedParameters().map(([n]) => n), ["0.weight", "0.bias"]);
  const x = rf.ones([16, 8]);
  const d = seq.at(1);
  t.true(d.training);
  const y = d.call(x).toTypedArray();
  t.true(y.every((v) => v === 0 || v === 2));
  t.true(y.some((v) => v === 0) && y.some((v) => v === 2));
  seq.eval();
  t.false(d.training);
  t.is(d.call(x), x); // identity in eval mode
  const a = seq.call(x).toTypedArray(), b = seq.call(x).toTypedArray();
  t.true(bitsEqual(a, b));
  seq.train();
  t.true(d.training);
  x.dispose();
  seq.dispose();
});

test("MLP: sizes, activation choice, dropout, activateLast", (t) => {
  const m = new rf.MLP([3, 6, 5, 2], { activation: "tanh", dropout: 0.2 });
  t.deepEqual(m.namedParameters().map(([n, p]) => [n, p.shape]), [
    ["layers.0.weight", [6, 3]],
    ["layers.0.bias", [6]],
    ["layers.1.weight", [5, 6]],
    ["layers.1.bias", [5]],
    ["layers.2.weight", [2, 5]],
    ["layers.2.bias", [2]],
  ]);
  m.eval();
  const x = rf.randn([4, 3], { dtype: "float32" });
  const y = m.call(x);
  t.deepEqual(y.shape, [4, 2]);
  // manual forward
  const ref = rf.tidy(() => {
    let h = x;
    m.layers.at(0);
    for (let i = 0; i < 3; i++) {
      h = m.layers.at(i).call(h);
      if (i < 2) h = h.tanh();
    }
    return h.toTypedArray();
  });
  t.true(bitsEqual(y.toTypedArray(), ref));
  const last = new rf.MLP([3, 2], { activation: "sigmoid", activateLast: true });
  t.true(last.call(x).toTypedArray().every((v) => v > 0 && v < 1));
  t.throws(() => new rf.MLP([3]), { message: /at least an input and an output/ });
  t.throws(() => new rf.MLP([3, 2], { activation: "swish" }), { message: /unknown activation "swish"/ });
  const custom = new rf.MLP([3, 4, 1], { activation: (z) => z.square() });
  t.deepEqual(custom.call(x).shape, [4, 1]);
  [m, last, custom].forEach((mm) => mm.dispose());
  [x, y].forEach((z) => z.dispose());
});

test("Sequential/MLP forward frees intermediates and still backpropagates", (t) => {
  const m = new rf.MLP([4, 16, 16, 1], { activation: "gelu" });
  const x = rf.randn([8, 4]);
  const before = rf.memory().liveTensors;
  const y0 = rf.noGrad(() => m.call(x));
  t.is(rf.memory().liveTensors, before + 1, "only the output stays alive");
  y0.dispose();
  const y = m.call(x);
  const sq = y.square();
  const loss = sq.mean();
  loss.backward();
  [y, sq, loss].forEach((z) => z.dispose());
  t.is(rf.memory().liveTensors, before + 6, "after backward: only the 6 gradients remain");
  t.true(m.parameters().every((p) => p.grad && p.grad.toTypedArray().every(Number.isFinite)));
  m.zeroGrad();
  t.true(m.parameters().every((p) => p.grad === null));
  x.dispose();
  m.dispose();
});

test("stateDict / loadStateDict round trip copies values in place", (t) => {
  rf.manualSeed(1);
  const a = new Net();
  rf.manualSeed(2);
  const b = new Net();
  const weightB = b.stateDict()["head.weight"];
  const res = b.loadStateDict(a.stateDict());
  t.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  t.is(b.stateDict()["head.weight"], weightB, "tensor identity kept");
  const sa = snapshot(a.stateDict()), sb = snapshot(b.stateDict());
  for (const k of Object.keys(sa)) t.true(bitsEqual(sa[k], sb[k]), k);
  const idx = rf.tensor([[1, 2, 3]], { dtype: "int32" });
  t.true(bitsEqual(a.call(idx).toTypedArray(), b.call(idx).toTypedArray()));
  [a, b].forEach((m) => m.dispose());
});

test("strict and non-strict load: errors name the tensor and change nothing", (t) => {
  const m = new rf.MLP([3, 4, 2]);
  const before = snapshot(m.stateDict());
  const other = new rf.MLP([3, 5, 2]);
  const err = t.throws(() => m.loadStateDict(other.stateDict()));
  t.regex(err.message, /"layers\.0\.weight" has shape \[5, 3\], the model expects \[4, 3\]/);

  const good = new rf.MLP([3, 4, 2]);
  const dict = { ...good.stateDict(), "extra.weight": rf.zeros([1]) };
  delete dict["layers.1.bias"];
  const e2 = t.throws(() => m.loadStateDict(dict));
  t.regex(e2.message, /missing keys "layers\.1\.bias"; unexpected keys "extra\.weight"/);

  const f64 = new rf.MLP([3, 4, 2], { dtype: "float64" });
  t.throws(() => m.loadStateDict(f64.stateDict()), { message: /"layers\.0\.weight" has dtype float64, the model expects float32/ });
  t.throws(() => m.loadStateDict({ ...good.stateDict(), "layers.0.bias": [1, 2, 3, 4] }), { message: /"layers\.0\.bias" must be a Tensor/ });

  // shape error in a later key: still nothing changed (checks run before any copy)
  const mixed = { ...good.stateDict(), "layers.1.bias": rf.zeros([3]) };
  t.throws(() => m.loadStateDict(mixed), { message: /layers\.1\.bias/ });
  const after = snapshot(m.stateDict());
  for (const k of Object.keys(before)) t.true(bitsEqual(before[k], after[k]), `${k} unchanged`);

  const res = m.loadStateDict(dict, { strict: false });
  t.deepEqual(res, { missingKeys: ["layers.1.bias"], unexpectedKeys: ["extra.weight"] });
  t.true(bitsEqual(m.stateDict()["layers.0.weight"].toTypedArray(), good.stateDict()["layers.0.weight"].toTypedArray()));
  t.true(bitsEqual(m.stateDict()["layers.1.bias"].toTypedArray(), before["layers.1.bias"]));
  [m, other, good, f64].forEach((x) => x.dispose());
});
