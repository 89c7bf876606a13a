// Devices of the multi-task balancers and the `device` option of trainGreener / trainMultiTask
// (trainCtr's contract). Every balancer trains a few steps of an MMoE on cuda as on the cpu
// (same per-task losses, weights, parameters, and the balancer's own tensors on the device);
// a balancer created on the cpu follows the gradients it balances; trainGreener moves a cpu
// model and copies a cpu sentence table when given device "cuda". Part of checks.js: run on
// the emulated device by test/cuda/emulated.test.js and on a GPU by scripts/cuda-smoke.mjs.
// The error on a machine without CUDA is in test/multibalance/device_option.test.js.
import { GreenerModel } from "../../dist/methods/greener/model.js";
import { scorePairs, trainGreener } from "../../dist/methods/greener/train.js";
import { computeGradients } from "../../dist/methods/multibalance/trainer.js";
import { compareRuns, greenerScores, isScorerBias, paramsOf } from "./parity.js";
import { mulberry32 as prng } from "../../dist/prng.js";

export const deviceOptionChecks = [
  ["Every balancer trains an MMoE on cuda as on the cpu (trainMultiTask device option): same losses, weights, parameters; its own tensors on the device", (t, rf) => {
    const data = rf.syntheticMultiTask({ numTasks: 3, vocabs: [200, 30, 7], denseDim: 4, trainRows: 384, validRows: 64, testRows: 256, seed: 5 });
    for (const kind of rf.BALANCER_KINDS) {
      const run = (device) => {
        // The model is built on the cpu: the device option moves it (and the balancer).
        const r = rf.trainMultiTask({ data, model: "mmoe", modelOptions: { embeddingDim: 4, experts: 3, expertDim: 8 }, balancer: kind, device, epochs: 1, maxSteps: 3, batchSize: 128, lr: 3e-3, seed: 1, selectByValid: false, evalRows: 256 });
        t.is(r.steps, 3, `${kind}: steps`);
        t.is(r.model.device, device, `${kind}: the model is on ${device}`);
        if (kind === "multibalance" || kind === "uncertainty") t.is(r.balancer.device, device, `${kind}: the balancer's tensors are on ${device}`);
        const named = [...r.model.namedParameters(), ...r.balancer.parameters().map((p, i) => [`balancer.${i}`, p])];
        const res = { losses: [...r.lossHistory.flat(), ...r.meanWeights, ...r.test.map((m) => m.auc ?? m.mse)], params: paramsOf(t, named, device, `${kind} MMoE`) };
        r.optimizer.dispose();
        r.balancer.dispose();
        r.model.dispose();
        return res;
      };
      compareRuns(t, `${kind} MMoE`, run("cpu"), run("cuda"));
    }
  }],

  ["A balancer created on the cpu follows the gradients to cuda (UncertaintyWeighting, MultiBalance); to() moves it in place", (t, rf) => {
    const data = rf.syntheticMultiTask({ numTasks: 2, vocabs: [50, 9], denseDim: 3, trainRows: 64, validRows: 8, testRows: 8, seed: 6 });
    const model = rf.createModel("mmoe", data.schema, { seed: 3, embeddingDim: 4, experts: 2, expertDim: 6 }).to("cuda");
    const batch = data.train.gather(Int32Array.from({ length: 32 }, (_, i) => i));
    for (const kind of ["uncertainty", "multibalance"]) {
      const bal = rf.createBalancer(kind, 2);
      t.is(bal.device, "cpu", `${kind}: starts on the cpu`);
      const params = bal.parameters();
      const { losses } = computeGradients(model, bal, batch);
      t.true(losses.every(Number.isFinite), `${kind}: finite losses`);
      t.is(bal.device, "cuda", `${kind}: moved to the gradients' device`);
      t.deepEqual(bal.parameters(), params, `${kind}: parameters keep their identity`);
      for (const p of params) t.is(p.grad?.device, "cuda", `${kind}: the log-variances' gradient is on cuda`);
      for (const p of model.parameters()) p.zeroGrad();
      for (const p of params) p.zeroGrad();
      t.is(bal.to("cpu"), bal, "to() returns the balancer");
      t.is(bal.device, "cpu", `${kind}: back on the cpu`);
      t.deepEqual(bal.parameters(), params);
      bal.dispose();
    }
    const onCuda = new rf.UncertaintyWeighting(2, { device: "cuda" });
    t.is(onCuda.logVars.device, "cuda", "the device option puts the log-variances there");
    onCuda.dispose();
    t.throws(() => rf.createBalancer("uncertainty", 2).to("tpu"), { instanceOf: TypeError, message: /unknown device "tpu"/ });
    model.dispose();
  }],

  ["trainGreener's device option moves a cpu model and copies a cpu sentence table: same losses, parameters as the cpu run", (t, rf) => {
    const rand = prng(11);
    const D = 8, nSent = 40, nUsers = 4, nItems = 3, nAttrs = 8;
    const feat = Float32Array.from({ length: nSent * D }, () => rand() - 0.5);
    const sentAttrs = Array.from({ length: nSent }, () => [Math.floor(rand() * nAttrs), Math.floor(rand() * nAttrs)]);
    const examples = Array.from({ length: 8 }, () => {
      const C = 4 + Math.floor(rand() * 5);
      const cands = Int32Array.from({ length: C }, () => Math.floor(rand() * nSent));
      return {
        user: Math.floor(rand() * nUsers), item: Math.floor(rand() * nItems), candidates: cands,
        candidateAttrs: Array.from(cands, (s) => sentAttrs[s]),
        userAttrs: new Set([0, 1, 2]), itemAttrs: new Set(Array.from({ length: nAttrs }, (_, i) => i)),
        levels: Uint8Array.from(cands, () => Math.floor(rand() * 4)),
      };
    });
    const cfg = { numUsers: nUsers, numItems: nItems, numAttributes: nAttrs, sentenceDim: D, hidden: 16, heads: 4, embedDim: 8, dropout: 0, seed: 4 };
    const run = (device) => {
      const model = new GreenerModel(cfg); // on the cpu
      const table = rf.tensor(feat, { shape: [nSent, D] }); // on the cpu
      const rep = trainGreener(model, table, examples, { epochs: 1, batchSize: 3, lr: 3e-3, seed: 2, device });
      t.is(rep.steps, 3);
      t.is(model.device, device, `the model stays on ${device}`);
      t.is(table.device, "cpu", "the caller's table is untouched");
      t.is(table.isDisposed, false, "the caller's table is not disposed");
      const onDevice = table.to(device);
      const res = {
        losses: rep.epochLoss.flatMap((e) => [e.total, e.sentence, e.attribute]),
        params: paramsOf(t, model.namedParameters(), device, "GREENer"),
        scores: greenerScores(scorePairs(model, onDevice, examples)),
      };
      if (onDevice !== table) onDevice.dispose();
      table.dispose();
      model.dispose();
      return res;
    };
    // The scorer's biases are compared through the scores (see isScorerBias in parity.js).
    compareRuns(t, "GREENer device option", run("cpu"), run("cuda"), { skipParam: isScorerBias });
  }],
];
