import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { rf, snapshot, bitsEqual } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-ckpt-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpFile = () => path.join(dir, `ckpt-${fileNo++}.safetensors`);

// A small model with a buffer, trained a few steps so the optimiser has state.
class Model extends rf.Module {
  constructor(hidden = 8) {
    super();
    this.mlp = this.module("mlp", new rf.MLP([4, hidden, 2], { activation: "silu", dropout: 0.1 }));
    this.norm = this.module("norm", new rf.LayerNorm(2));
    this.seen = this.buffer("seen", rf.zeros([1], { dtype: "int32" }));
  }
  forward(x) {
    const h = this.mlp.call(x);
    const out = this.norm.call(h);
    h.dispose();
    return out;
  }
}

function trainStep(model, opt, x, y) {
  rf.tidy(() => {
    const loss = rf.mse(model.call(x), y);
    loss.backward();
  });
  rf.clipGradNorm(model.parameters(), 1);
  opt.step();
  opt.zeroGrad();
}

function setup(seed, hidden = 8, Opt = rf.AdamW) {
  rf.manualSeed(seed);
  const model = new Model(hidden);
  const opt = new Opt(model.parameters(), { lr: 0.01 });
  return { model, opt };
}

function optSnapshot(opt) {
  const sd = opt.stateDict();
  const state = {};
  for (const [ix, st] of Object.entries(sd.state))
    for (const [k, v] of Object.entries(st)) state[`${ix}.${k}`] = v instanceof rf.Tensor ? Array.from(v.toTypedArray()) : v;
  return JSON.stringify({ groups: sd.paramGroups, state });
}

const data = () => {
  const g = new rf.Generator(123);
  return { x: rf.randn([16, 4], { generator: g }), y: rf.randn([16, 2], { generator: g }) };
};

test("save → load restores model, optimizer, generator and extra; training resumes bit-exactly", (t) => {
  const { x, y } = data();
  // uninterrupted: 6 steps
  const A = setup(1);
  for (let i = 0; i < 6; i++) trainStep(A.model, A.opt, x, y);

  // interrupted: 3 steps, checkpoint, fresh objects (different seed), load, 3 more steps
  const B = setup(1);
  for (let i = 0; i < 3; i++) trainStep(B.model, B.opt, x, y);
  const p = tmpFile();
  const sched = new rf.CosineLR(B.opt, { totalSteps: 100 });
  rf.saveCheckpoint(p, { model: B.model, optimizer: B.opt, extra: { epoch: 3, sched: sched.stateDict() } });
  const genAtSave = rf.defaultGenerator.getState();

  const C = setup(99);
  C.opt.paramGroups[0].lr = 0.5;
  rf.manualSeed(555);
  const res = rf.loadCheckpoint(p, { model: C.model, optimizer: C.opt });
  t.deepEqual(res.extra, { epoch: 3, sched: { lastStep: 0, baseLrs: [0.01] } });
  t.is(res.metadata.format, "recforge.checkpoint");
  t.deepEqual(rf.defaultGenerator.getState(), genAtSave);
  t.is(C.opt.paramGroups[0].lr, 0.01);
  const sb = snapshot(B.model.stateDict()), sc = snapshot(C.model.stateDict());
  for (const k of Object.keys(sb)) t.true(bitsEqual(sb[k], sc[k]), `${k} bit-exact`);
  t.is(optSnapshot(C.opt), optSnapshot(B.opt));
  t.is(C.opt.state.get(C.model.parameters()[0]).step, 3);

  // dropout draws from the default generator: restored above, so B and C continue identically
  rf.defaultGenerator.setState(genAtSave);
  for (let i = 0; i < 3; i++) trainStep(C.model, C.opt, x, y);
  rf.defaultGenerator.setState(genAtSave);
  for (let i = 0; i < 3; i++) trainStep(B.model, B.opt, x, y);
  const sb2 = snapshot(B.model.stateDict()), sc2 = snapshot(C.model.stateDict());
  for (const k of Object.keys(sb2)) t.true(bitsEqual(sb2[k], sc2[k]), `${k} after resuming`);

  // the file is a plain safetensors file with the documented names
  const h = rf.readSafetensorsHeader(p);
  t.true("model.mlp.layers.0.weight" in h.tensors);
  t.true("model.seen" in h.tensors);
  t.true("optimizer.state.0.expAvg" in h.tensors);
  t.deepEqual(JSON.parse(h.metadata.optimizer).state["0"], { step: 3 });
  for (const m of [A, B, C]) {
    m.model.dispose();
    m.opt.dispose();
  }
  x.dispose();
  y.dispose();
});

function expectUnchanged(t, m, path, opts, re, what) {
  const before = snapshot(m.model.stateDict());
  const optBefore = optSnapshot(m.opt);
  const genBefore = rf.defaultGenerator.getState();
  const live = rf.memory().liveTensors;
  const e = t.throws(() => rf.loadCheckpoint(path, { model: m.model, optimizer: m.opt, ...opts }), undefined, what);
  t.regex(e.message, re, what);
  const after = snapshot(m.model.stateDict());
  for (const k of Object.keys(before)) t.true(bitsEqual(before[k], after[k]), `${what}: ${k} unchanged`);
  t.is(optSnapshot(m.opt), optBefore, `${what}: optimizer unchanged`);
  t.deepEqual(rf.defaultGenerator.getState(), genBefore, `${what}: generator unchanged`);
  t.is(rf.memory().liveTensors, live, `${what}: loaded tensors freed`);
}

test("corrupt or mismatched checkpoints throw and change nothing", (t) => {
  const { x, y } = data();
  const src = setup(2);
  for (let i = 0; i < 2; i++) trainStep(src.model, src.opt, x, y);
  const good = tmpFile();
  rf.manualSeed(77);
  rf.saveCheckpoint(good, { model: src.model, optimizer: src.opt });

  const dst = setup(3);
  trainStep(dst.model, dst.opt, x, y);
  rf.manualSeed(5);

  // truncated file
  const bytes = fs.readFileSync(good);
  const trunc = tmpFile();
  fs.writeFileSync(trunc, bytes.subarray(0, bytes.length - 7));
  expectUnchanged(t, dst, trunc, {}, /run past the end of the data section/, "truncated");

  // corrupted header byte
  const bad = tmpFile();
  const b2 = Buffer.from(bytes);
  b2[9] = 0x5b; // '[' where a JSON key should start
  fs.writeFileSync(bad, b2);
  expectUnchanged(t, dst, bad, {}, /not valid JSON/, "bad header");

  // different architecture
  const wide = setup(4, 16);
  trainStep(wide.model, wide.opt, x, y);
  const widePath = tmpFile();
  rf.saveCheckpoint(widePath, { model: wide.model, optimizer: wide.opt });
  expectUnchanged(t, dst, widePath, {}, /model state does not fit: .*"mlp\.layers\.0\.weight" has shape \[16, 4\], the model expects \[8, 4\]/, "architecture");

  // the model fits, the optimizer does not (SGD state into AdamW): the model must not be touched either
  const sgd = setup(5, 8, rf.SGD);
  sgd.opt.paramGroups[0].momentum = 0.9;
  trainStep(sgd.model, sgd.opt, x, y);
  const sgdPath = tmpFile();
  rf.saveCheckpoint(sgdPath, { model: sgd.model, optimizer: sgd.opt });
  expectUnchanged(t, dst, sgdPath, {}, /optimizer state does not fit: .*is for "SGD", this optimizer is AdamW/, "optimizer kind");

  // no optimizer in the file, but one requested
  const modelOnly = tmpFile();
  rf.saveCheckpoint(modelOnly, { model: src.model, generator: null });
  expectUnchanged(t, dst, modelOnly, {}, /has no optimizer state/, "missing optimizer");

  // not a checkpoint at all
  const plain = tmpFile();
  rf.saveSafetensors(plain, src.model.stateDict());
  expectUnchanged(t, dst, plain, {}, /not a recforge checkpoint/, "plain safetensors");

  // bad generator metadata
  const genBad = tmpFile();
  const loaded = rf.loadSafetensors(good);
  rf.saveSafetensors(genBad, loaded.tensors, { ...loaded.metadata, generator: JSON.stringify({ seed: -1, offset: 0 }) });
  Object.values(loaded.tensors).forEach((z) => z.dispose());
  expectUnchanged(t, dst, genBad, {}, /bad generator state/, "generator");

  // a stray tensor
  const stray = tmpFile();
  const l2 = rf.loadSafetensors(good);
  rf.saveSafetensors(stray, { ...l2.tensors, other: rf.zeros([1]) }, l2.metadata);
  Object.values(l2.tensors).forEach((z) => z.dispose());
  expectUnchanged(t, dst, stray, {}, /unexpected tensor "other"/, "stray tensor");

  // and the good file still loads
  rf.loadCheckpoint(good, { model: dst.model, optimizer: dst.opt });
  t.deepEqual(rf.defaultGenerator.getState(), { seed: 77, offset: 0 });
  const s1 = snapshot(src.model.stateDict()), s2 = snapshot(dst.model.stateDict());
  for (const k of Object.keys(s1)) t.true(bitsEqual(s1[k], s2[k]), k);
  for (const m of [src, dst, wide, sgd]) {
    m.model.dispose();
    m.opt.dispose();
  }
  x.dispose();
  y.dispose();
});

test("strict key checks, non-strict partial loads, submodule checkpoints, generator left alone", (t) => {
  const small = setup(6);
  const p = tmpFile();
  rf.saveCheckpoint(p, { model: small.model.mlp, generator: new rf.Generator(31).manualSeed(31) });
  const m = new Model();
  t.throws(() => rf.loadCheckpoint(p, { model: m }), { message: /missing keys .*"mlp\.layers\.0\.weight".*unexpected keys "layers\.0\.bias"/ });
  // the file holds an MLP alone: load it into the submodule
  const g = new rf.Generator(1);
  rf.loadCheckpoint(p, { model: m.mlp, generator: g });
  t.deepEqual(g.getState(), { seed: 31, offset: 0 });
  t.true(bitsEqual(m.mlp.stateDict()["layers.1.bias"].toTypedArray(), small.model.mlp.stateDict()["layers.1.bias"].toTypedArray()));
  const before = rf.defaultGenerator.getState();
  rf.loadCheckpoint(p, { model: m.mlp, generator: null });
  t.deepEqual(rf.defaultGenerator.getState(), before);
  // non-strict: a model with an extra parameter takes the matching keys and keeps the rest
  class Bigger extends Model {
    constructor() {
      super();
      this.extraHead = this.param("extraHead", rf.full([3], 0.5));
    }
  }
  const full = tmpFile();
  rf.saveCheckpoint(full, { model: small.model });
  const big = new Bigger();
  t.throws(() => rf.loadCheckpoint(full, { model: big }), { message: /missing keys "extraHead"/ });
  rf.loadCheckpoint(full, { model: big, strict: false });
  t.true(bitsEqual(big.stateDict()["mlp.layers.0.weight"].toTypedArray(), small.model.stateDict()["mlp.layers.0.weight"].toTypedArray()));
  t.deepEqual(Array.from(big.extraHead.toTypedArray()), [0.5, 0.5, 0.5]);
  small.model.dispose();
  small.opt.dispose();
  m.dispose();
  big.dispose();
});
