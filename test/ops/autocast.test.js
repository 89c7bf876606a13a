// Autocast and mixed precision without a device: the rounding helpers (the reference of the
// emulated device and of the CUDA checks), the scope itself, its documented no-op on cpu tensors,
// GradScaler's dynamic loss scaling, and the trainer / CLI options. The device paths (16-bit GEMM
// and attention, mixed-precision training on "cuda") are in test/cuda/amp_checks.js, run on the
// emulated device by test/cuda/emulated.test.js and on a GPU by scripts/cuda-smoke.mjs.
import test from "ava";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as rf from "../../dist/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("roundBf16: round to nearest even, overflow to infinity, NaN and signed zero kept", (t) => {
  t.is(rf.roundBf16(1), 1);
  t.is(rf.roundBf16(1 + 2 ** -8), 1, "a tie rounds to the even mantissa (down)");
  t.is(rf.roundBf16(1 + 3 * 2 ** -8), 1 + 2 ** -6, "a tie rounds to the even mantissa (up)");
  t.is(rf.roundBf16(1 + 2 ** -8 + 2 ** -20), 1 + 2 ** -7, "above the tie rounds up");
  t.is(rf.roundBf16(-3.14159), -3.140625);
  t.is(rf.roundBf16(3.4e38), Infinity, "beyond bf16's max (~3.39e38) rounds to infinity");
  t.is(rf.roundBf16(-Infinity), -Infinity);
  t.true(Number.isNaN(rf.roundBf16(NaN)));
  t.true(Object.is(rf.roundBf16(-0), -0));
  t.is(rf.roundBf16(1e-40), 65536 * 2 ** -149, "a float32 subnormal (bits 0x000116C2) keeps its top 16 bits (0x0001)");
});

test("roundFp16: round to nearest even, 65504 max, subnormals down to 2^-24", (t) => {
  t.is(rf.roundFp16(1 + 2 ** -11), 1, "tie to even (down)");
  t.is(rf.roundFp16(1 + 3 * 2 ** -11), 1 + 2 ** -9, "tie to even (up)");
  t.is(rf.roundFp16(0.1), 0.0999755859375);
  t.is(rf.roundFp16(65504), 65504);
  t.is(rf.roundFp16(65519.99), 65504);
  t.is(rf.roundFp16(65520), Infinity, "halfway to 2^16 rounds to infinity");
  t.is(rf.roundFp16(-1e6), -Infinity);
  t.is(rf.roundFp16(2 ** -24), 2 ** -24, "smallest subnormal");
  t.is(rf.roundFp16(2 ** -25), 0, "half the smallest subnormal: a tie, to even (zero)");
  t.is(rf.roundFp16(3 * 2 ** -25), 2 ** -23, "1.5 quanta: a tie, to even (2 quanta)");
  t.is(rf.roundFp16(2 ** -14 + 2 ** -25), 2 ** -14, "smallest normal: quantum 2^-24");
  t.true(Number.isNaN(rf.roundFp16(NaN)));
  t.deepEqual(Array.from(rf.roundTo([1 + 2 ** -11, 70000, -0.5], "fp16")), [1, Infinity, -0.5]);
  t.deepEqual(Array.from(rf.roundTo([1 + 3 * 2 ** -8], "bf16")), [1 + 2 ** -6]);
});

test("autocast: nests, restores the setting after fn (also when it throws), validates its arguments", (t) => {
  t.is(rf.autocastPrecision(), null);
  const seen = rf.autocast("bf16", () => [rf.autocastPrecision(), rf.autocast("fp16", () => rf.autocastPrecision()), rf.autocast(false, () => rf.autocastPrecision()), rf.autocastPrecision()]);
  t.deepEqual(seen, ["bf16", "fp16", null, "bf16"]);
  t.throws(() => rf.autocast("fp16", () => {
    throw new Error("boom");
  }), { message: "boom" });
  t.is(rf.autocastPrecision(), null);
  t.throws(() => rf.autocast("float16", () => 1), { instanceOf: TypeError, message: /precision must be "bf16", "fp16" or false, got "float16"/ });
  t.throws(() => rf.autocast("bf16"), { instanceOf: TypeError, message: /second argument must be a function/ });
});

test("autocast is a no-op on cpu tensors: matmul, linear and their gradients are the float32 ones bit for bit", (t) => {
  const g = new rf.Generator(4);
  const x = rf.randn([9, 20], { generator: g }), w = rf.randn([7, 20], { generator: g }), b = rf.randn([7], { generator: g });
  const run = (p) => {
    const [xx, ww, bb] = [x, w, b].map((z) => {
      const c = z.clone();
      c.requiresGrad = true;
      return c;
    });
    const y = p ? rf.autocast(p, () => rf.linear(xx, ww, bb)) : rf.linear(xx, ww, bb);
    y.square().sum().backward();
    return [y, xx.grad, ww.grad, bb.grad].map((z) => Array.from(z.toTypedArray()));
  };
  const ref = run(null);
  for (const p of ["bf16", "fp16"]) t.deepEqual(run(p), ref, p);
});

test("GradScaler: unscale divides the gradients, inf/NaN skips and halves, growth after growthInterval good steps", (t) => {
  const p = rf.tensor([1, 2, 3]);
  p.requiresGrad = true;
  const s = new rf.GradScaler({ initScale: 8, growthInterval: 2 });
  p.grad = rf.tensor([8, 16, -24]);
  t.true(s.unscale([p, p]));
  t.deepEqual(Array.from(p.grad.toTypedArray()), [1, 2, -3]);
  s.update();
  t.is(s.scale, 8);
  p.grad = rf.tensor([1, Infinity, 0]);
  t.false(s.unscale([p]));
  t.deepEqual(Array.from(p.grad.toTypedArray()), [1, Infinity, 0], "left as they are on overflow");
  s.update();
  t.deepEqual(s.stateDict(), { scale: 4, goodSteps: 0, skipped: 1 });
  p.grad = rf.tensor([NaN, 0, 0]);
  t.false(s.unscale([p]));
  s.update();
  t.is(s.scale, 2);
  for (let i = 0; i < 2; i++) {
    p.grad = rf.tensor([1, 1, 1]);
    t.true(s.unscale([p]));
    s.update();
  }
  t.deepEqual(s.stateDict(), { scale: 4, goodSteps: 0, skipped: 2 }, "two good steps in a row double the scale");
  const m = new rf.GradScaler({ initScale: 1, minScale: 1 });
  m.update(false);
  t.is(m.scale, 1, "never below minScale");
  const r = new rf.GradScaler();
  r.loadStateDict(s.stateDict());
  t.deepEqual(r.stateDict(), s.stateDict());
  t.throws(() => new rf.GradScaler().update(), { message: /call unscale\(params\) first/ });
  t.throws(() => new rf.GradScaler({ backoffFactor: 2 }), { instanceOf: RangeError, message: /backoffFactor/ });
});

test("trainCtr: mixedPrecision needs a cuda model; bad values are TypeErrors; default runs report float32", async (t) => {
  const data = rf.syntheticCtr({ users: 6, seed: 1 });
  const common = { data, paradigm: "dti", k: 4, n: 4, model: { dim: 16, layers: 1, heads: 2 }, stopAfterStep: 1, evaluate: false };
  await t.throwsAsync(() => rf.trainCtr({ ...common, mixedPrecision: "bf16" }), { instanceOf: TypeError, message: /mixedPrecision "bf16" needs the model on "cuda" \(it is on "cpu"/ });
  await t.throwsAsync(() => rf.trainCtr({ ...common, device: "cuda", mixedPrecision: "half" }), { instanceOf: TypeError, message: /mixedPrecision must be "bf16", "fp16" or false, got "half"/ });
  const r = await rf.trainCtr({ ...common, mixedPrecision: false });
  t.is(r.mixedPrecision, false);
  t.is(r.skippedSteps, 0);
  t.is(r.lossScale, 1);
});

test("CLI: train ctr --mixed-precision bf16 --device cuda (emulated device): runs and reports it; on the cpu a clear error", (t) => {
  const args = ["bin/recforge.js", "train", "ctr", "--data", "synthetic", "--users", "6", "--k", "4", "--n", "4", "--dim", "16", "--layers", "1", "--heads", "2", "--json"];
  const ok = spawnSync(process.execPath, [...args, "--device", "cuda", "--mixed-precision", "bf16"], { cwd: root, encoding: "utf8", timeout: 120000, env: { ...process.env, RECFORGE_CUDA_EMULATE: "1" } });
  t.is(ok.status, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  t.is(out.mixed_precision, "bf16");
  t.true(Number.isFinite(out.auc));
  const bad = spawnSync(process.execPath, [...args, "--mixed-precision", "bf16"], { cwd: root, encoding: "utf8", timeout: 120000 });
  t.not(bad.status, 0);
  t.regex(bad.stderr, /needs the model on "cuda"/);
  const typo = spawnSync(process.execPath, [...args, "--mixed-precision", "half"], { cwd: root, encoding: "utf8", timeout: 120000 });
  t.regex(typo.stderr, /--mixed-precision must be one of bf16, fp16, off/);
});
