// DTI: a small decoder-only CTR model trained with DTI prompts, evaluated with SW prompts.
import { syntheticCtr, trainDti, type TrainerProgress } from "recforge";

const data = syntheticCtr({ users: 40, seed: 1 }); // or loadMovielens() / loadInteractions(...)
const log = (e: TrainerProgress) => {
  if (e.phase === "train" && e.step % 10 === 0) console.log(`dti step ${e.step}/${e.steps} loss ${e.loss?.toFixed(4)} eta ${e.etaS?.toFixed(0)} s`);
};
const result = await trainDti({
  data, paradigm: "dti", k: 8, n: 8, epochs: 1, targetsPerStep: 64,
  model: { dim: 16, layers: 1, heads: 2 },
  signal: AbortSignal.timeout(10 * 60_000), // give up after 10 minutes (rejects with a TimeoutError)
  onProgress: log,
});
console.log(`test AUC ${result.auc.toFixed(4)} after ${result.steps} steps`);
result.model.dispose();
