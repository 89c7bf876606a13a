// Tiny synthetic runs of every public async trainer (lib/api), shared by the test/api tests.
// Each entry: the trainer, options for a short run, and how to reach (and free) its model.
import * as rf from "../../dist/index.js";
import { syntheticSeq } from "../seqrec/helpers.js";
import { tinyData } from "../greener/fixtures.js";
import { compexpTinyData } from "../compexp/fixtures.js";

/** A CompExp corpus of the hand-made reviews; they hold no validation review, so validation uses the training examples (smoke runs only). */
function compexpCorpus() {
  const c = rf.buildCorpus(compexpTinyData(), 1);
  c.validation = c.train;
  return c;
}

/** `long`: enough steps that an abort lands mid-run. */
export const RUNS = {
  dti: {
    train: rf.trainDti,
    options: (long) => ({ data: rf.syntheticCtr({ users: long ? 60 : 20, items: 50, minLength: 20, maxLength: 30, seed: 5 }), paradigm: "dti", k: 4, n: 4, epochs: long ? 20 : 1, targetsPerStep: 32, model: { dim: 16, layers: 1, heads: 2 }, seed: 3 }),
    model: (r) => r.model,
    free: (r) => r.model.dispose(),
  },
  multibalance: {
    train: rf.trainMultiBalance,
    options: (long) => ({
      data: rf.syntheticMultiTask({ numTasks: 2, vocabs: [50, 20], denseDim: 3, trainRows: long ? 4096 : 256, validRows: 128, testRows: 128, seed: 2 }),
      model: "mmoe", modelOptions: { embeddingDim: 4, experts: 2, expertDim: 6, tower: [4] }, balancer: "multibalance", epochs: long ? 20 : 2, batchSize: 64, seed: 1,
    }),
    model: (r) => r.model,
    free: (r) => {
      r.model.dispose();
      r.optimizer.dispose();
      r.balancer.dispose();
    },
  },
  seqrec: {
    train: rf.trainNextItem,
    options: (long) => ({ data: syntheticSeq({ users: long ? 60 : 20, perUser: 25 }), model: "gatedlongrec", modelOptions: { hidden: 8, window: 10 }, epochs: long ? 30 : 2, patience: 30, batchSize: 16, seed: 1 }),
    model: (r) => r.model,
    free: (r) => r.model.dispose(),
  },
  greener: {
    train: rf.trainGreener,
    options: (long) => ({ data: tinyData(), sentenceDim: 16, model: { hidden: 8, heads: 2, embedDim: 4, dropout: 0 }, epochs: long ? 2000 : 3, batchSize: 1, seed: 1 }),
    model: (r) => r.model,
    free: (r) => r.dispose(),
  },
  compexp: {
    train: rf.trainCompExp,
    options: (long) => ({ corpus: compexpCorpus(), model: { embedDim: 8, hidden: 8, seed: 1 }, batchSize: 2, itersPerEpoch: 2, epochs: long ? 200 : 1, patience: 1000, samples: 2, seed: 3 }),
    model: (r) => r.model,
    free: (r) => r.model.dispose(),
  },
  lsdqn: {
    train: rf.trainLsdqn,
    options: (long) => ({ problem: "maxcut", n: 8, envBatch: 3, batchSize: 6, hidden: 8, rounds: 2, lr: 1e-3, targetEvery: 10, valSize: 3, steps: long ? 5000 : 30, seed: 1 }),
    model: (r) => r.model,
    free: (r) => r.model.dispose(),
  },
};

export const METHODS = Object.keys(RUNS);

/** The keys a progress event may carry, and those it must. */
export const EVENT_KEYS = ["method", "phase", "stage", "epoch", "step", "steps", "loss", "metrics", "elapsedS", "etaS"];
export const REQUIRED_KEYS = ["method", "phase", "epoch", "step", "steps", "elapsedS", "etaS"];
export const PHASES = ["prepare", "train", "valid", "eval"];

/** What a promise rejects with (ava's throwsAsync wants Error instances; an AbortError is a DOMException). */
export async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("the promise resolved; a rejection was expected");
}

export { rf };
