// CUDA checks of the sequential-recommendation pieces (issue 12): Adagrad's fused update,
// full-ranking ranks (targetRanks) and sampled softmax on the device against the CPU. Part of
// checks.js: run on the emulated device by test/cuda/emulated.test.js, on the emulated CUDA
// kernels by `node scripts/cuda-emulate.mjs --addon`, and on a GPU by scripts/cuda-smoke.mjs.
import { closeArrays } from "./parity.js";
import { mulberry32 as prng } from "../../dist/prng.js";

// A copy of x on `device` that the caller owns (to() returns x itself on x's own device).
function copyTo(x, device) {
  const y = x.to(device);
  return y === x ? x.clone() : y;
}

export const seqrecChecks = [
  ["Adagrad on cuda follows the cpu over several steps (weight decay, lr decay, initial accumulator)", (t, rf) => {
    for (const dtype of ["float32", "float64"]) {
      const g = new rf.Generator(3);
      const p0 = rf.randn([37, 5], { dtype, generator: g });
      const grads = Array.from({ length: 4 }, () => rf.randn([37, 5], { dtype, generator: g }));
      const run = (device) => {
        const p = copyTo(p0, device);
        const opt = new rf.Adagrad([p], { lr: 0.05, lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.1 });
        for (const gr of grads) {
          p.zeroGrad();
          p.grad = copyTo(gr, device).keep(); // zeroGrad disposes it
          opt.step();
        }
        const out = [p.toTypedArray(), opt.state.get(p).sum.toTypedArray()];
        t.is(opt.state.get(p).sum.device, device);
        opt.dispose();
        p.zeroGrad();
        p.dispose();
        return out;
      };
      const [pc, sc] = run("cpu"), [pd, sd] = run("cuda");
      const tol = dtype === "float32" ? 1e-6 : 1e-13;
      t.is(closeArrays(pd, pc, tol, tol), null, `${dtype} param`);
      t.is(closeArrays(sd, sc, tol, tol), null, `${dtype} accumulator`);
      p0.dispose();
      grads.forEach((x) => x.dispose());
    }
  }],

  ["rankOfTargets on cuda equals the cpu (ties, NaN, exclusion) and refuses the same bad input", (t, rf) => {
    const r = prng(4);
    for (const [B, n] of [[1, 1], [5, 300], [37, 1001], [3, 5003]]) {
      const s = Array.from({ length: B * n }, () => (r() < 0.03 ? NaN : Math.floor(r() * 5)));
      const exclude = n > 3 ? [0, 2] : [];
      const targets = Array.from({ length: B }, () => {
        let x;
        do x = Math.floor(r() * n);
        while (exclude.includes(x));
        return x;
      });
      for (const dtype of ["float32", "float64"]) {
        const x = rf.tensor(s, { dtype, shape: [B, n] });
        const xd = x.to("cuda");
        t.deepEqual(Array.from(rf.rankOfTargets(xd, targets, { exclude })), Array.from(rf.rankOfTargets(x, targets, { exclude })), `B ${B} n ${n} ${dtype}`);
        x.dispose();
        xd.dispose();
      }
    }
    const xd = rf.zeros([2, 4], { device: "cuda" });
    const bad = rf.tensor([0, 7], { dtype: "int32", device: "cuda" });
    t.throws(() => rf.rankOfTargets(xd, bad), { instanceOf: RangeError, message: /target 7 of row 1 is out of range \[0, 4\)/ });
    t.throws(() => rf.rankOfTargets(xd, [0, 1], { exclude: [1] }), { message: /target of row 1 \(item 1\) is an excluded item/ });
    xd.dispose();
    bad.dispose();
  }],

  ["sampledSoftmaxLoss on cuda equals the cpu (value and gradients)", (t, rf) => {
    const g = new rf.Generator(9);
    const [B, H, N] = [6, 8, 40];
    const h0 = rf.randn([B, H], { dtype: "float64", generator: g }), w0 = rf.randn([N, H], { dtype: "float64", generator: g });
    const targets = [1, 5, 5, 39, 0, 12];
    const sampler = rf.LogUniformSampler.fromCounts(Array.from({ length: N }, (_, i) => N - i), { seed: 2 });
    const smp = sampler.sample(10, targets);
    const run = (device) => {
      const h = copyTo(h0, device).requiresGrad_(), w = copyTo(w0, device).requiresGrad_();
      const loss = rf.sampledSoftmaxLoss(h, w, null, targets, smp);
      loss.backward();
      const out = [loss.toTypedArray(), h.grad.toTypedArray(), w.grad.toTypedArray()];
      h.zeroGrad();
      w.zeroGrad();
      [loss, h, w].forEach((x) => x.dispose());
      return out;
    };
    const c = run("cpu"), d = run("cuda");
    c.forEach((a, i) => t.is(closeArrays(d[i], a, 1e-12, 1e-12), null, `output ${i}`));
    h0.dispose();
    w0.dispose();
  }],
];
