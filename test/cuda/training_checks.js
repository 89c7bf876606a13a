// "A few training steps of each model on the GPU": DTI's decoder (interval attention, RoPE or
// ALiBi, grouped-query attention), GREENer's GAT scorer (node-type projections, fused GAT
// layers, DCN, BPR + attribute losses) and a MultiBalance multi-task model (MMoE with the fused
// balanceGradients step), each trained for a few optimiser steps from the same seed on the cpu
// and, after model.to("cuda"), on cuda. The losses must be finite and equal to the cpu run's
// within float32 tolerance (the kernels sum in other orders, and Adam carries the differences
// from step to step), and so must the trained parameters. Part of checks.js.
import { GreenerModel } from "../../dist/methods/greener/model.js";
import { scorePairs, trainGreener } from "../../dist/methods/greener/train.js";
import { compareRuns, greenerScores, isScorerBias, paramsOf } from "./parity.js";
import { mulberry32 as prng } from "../../dist/prng.js";

/** A packed batch with valid random intervals (prefix, context, causal self span) and [SUM] rows. */
function dtiBatch(L, vocab, S, seed) {
  const r = prng(seed);
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const iv = new Int32Array(5 * L);
  const prefix = 6;
  for (let i = 0; i < L; i++) {
    iv[i] = 0;
    iv[L + i] = Math.min(prefix, i + 1); // shared prompt prefix
    const lo = int(prefix, Math.max(prefix, i)), hi = int(lo, i + 1);
    iv[2 * L + i] = lo;
    iv[3 * L + i] = hi;
    iv[4 * L + i] = int(Math.max(0, i - 4), i);
  }
  const sumIndex = Int32Array.from({ length: S }, (_, s) => prefix + Math.floor(((s + 1) * (L - prefix - 1)) / S));
  return {
    tokens: Int32Array.from({ length: L }, () => int(0, vocab - 1)),
    positions: Int32Array.from({ length: L }, (_, i) => (i < prefix ? i : prefix + ((i - prefix) % 11))),
    intervals: iv,
    sumIndex,
    labels: Float32Array.from({ length: S }, (_, s) => s % 2),
  };
}

export const trainingChecks = [
  ["DTIModel trains on cuda as on the cpu (RoPE and ALiBi, grouped-query attention): same losses, same parameters", (t, rf) => {
    for (const positionEncoding of ["rope", "alibi"]) {
      const cfg = { vocabSize: 60, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 48, positionEncoding, initStd: 0.2, seed: 5 };
      const batches = [dtiBatch(41, 60, 5, 1), dtiBatch(57, 60, 7, 2), dtiBatch(33, 60, 3, 3)];
      const run = (device) => {
        const model = new rf.DTIModel(cfg);
        if (device === "cuda") t.is(model.to("cuda"), model, "to() returns the model");
        const opt = new rf.AdamW(model.parameters(), { lr: 5e-3, weightDecay: 0.01 });
        const losses = [];
        for (const b of batches) {
          losses.push(rf.tidy(() => {
            const logits = model.call(b);
            t.is(logits.device, device, `DTI ${positionEncoding}: logits on ${device}`);
            const loss = rf.bceWithLogits(logits, rf.tensor(b.labels, { device }));
            loss.backward();
            return loss.item();
          }));
          rf.clipGradNorm(model.parameters(), 1);
          opt.step();
          opt.zeroGrad();
        }
        const params = paramsOf(t, model.namedParameters(), device, `DTI ${positionEncoding}`);
        opt.dispose?.();
        model.dispose();
        return { losses, params };
      };
      compareRuns(t, `DTI ${positionEncoding}`, run("cpu"), run("cuda"));
    }
  }],

  ["GREENer's GAT scorer trains on cuda as on the cpu (trainGreener): same loss, same parameters", (t, rf) => {
    const rand = prng(9);
    const D = 8, nSent = 60, nUsers = 5, nItems = 4, nAttrs = 10;
    const feat = Float32Array.from({ length: nSent * D }, () => rand() - 0.5);
    const sentAttrs = Array.from({ length: nSent }, () => [Math.floor(rand() * nAttrs), Math.floor(rand() * nAttrs)]);
    const examples = Array.from({ length: 12 }, () => {
      const C = 5 + Math.floor(rand() * 6);
      const cands = Int32Array.from({ length: C }, () => Math.floor(rand() * nSent));
      return {
        user: Math.floor(rand() * nUsers), item: Math.floor(rand() * nItems), candidates: cands,
        candidateAttrs: Array.from(cands, (s) => sentAttrs[s]),
        userAttrs: new Set([0, 1, 2, 3]), itemAttrs: new Set(Array.from({ length: nAttrs }, (_, i) => i)),
        levels: Uint8Array.from(cands, () => Math.floor(rand() * 4)),
      };
    });
    const cfg = { numUsers: nUsers, numItems: nItems, numAttributes: nAttrs, sentenceDim: D, hidden: 16, heads: 4, embedDim: 8, dropout: 0, seed: 3 };
    const run = (device) => {
      const model = new GreenerModel(cfg).to(device);
      const table = rf.tensor(feat, { shape: [nSent, D], device });
      const rep = trainGreener(model, table, examples, { epochs: 1, batchSize: 4, lr: 3e-3, seed: 1 });
      t.is(rep.steps, 3);
      const res = {
        losses: rep.epochLoss.flatMap((e) => [e.total, e.sentence, e.attribute]),
        params: paramsOf(t, model.namedParameters(), device, "GREENer"),
        scores: greenerScores(scorePairs(model, table, examples)),
      };
      table.dispose();
      model.dispose();
      return res;
    };
    // The scorer's biases are compared through the scores (see isScorerBias in parity.js).
    compareRuns(t, "GREENer", run("cpu"), run("cuda"), { skipParam: isScorerBias });
  }],

  ["A MultiBalance multi-task model (MMoE) trains on cuda as on the cpu (trainMultiTask): same per-task losses, weights, parameters", (t, rf) => {
    const data = rf.syntheticMultiTask({ numTasks: 3, vocabs: [200, 30, 7], denseDim: 4, trainRows: 512, validRows: 128, testRows: 128, seed: 4 });
    const run = (device) => {
      const model = rf.createModel("mmoe", data.schema, { seed: 2, embeddingDim: 4, experts: 3, expertDim: 8 }).to(device);
      const r = rf.trainMultiTask({ data, model, balancer: "multibalance", epochs: 1, maxSteps: 4, batchSize: 128, lr: 3e-3, seed: 1, selectByValid: false, evalRows: 128 });
      t.is(r.steps, 4);
      t.is(r.balancer.state.device, device, `the balance state moved to ${device}`);
      const res = { losses: [...r.lossHistory.flat(), ...r.meanWeights, ...r.test.map((m) => m.auc ?? m.mse)], params: paramsOf(t, model.namedParameters(), device, "MMoE") };
      r.balancer.dispose();
      model.dispose();
      return res;
    };
    compareRuns(t, "MultiBalance MMoE", run("cpu"), run("cuda"));
  }],
];
