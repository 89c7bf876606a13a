// MultiBalance: an MMoE model on four synthetic tasks, gradients balanced at the shared representation.
import { syntheticMultiTask, trainMultiBalance, fmtMetrics } from "recforge";

const data = syntheticMultiTask({ numTasks: 4, vocabs: [1000, 100, 10], trainRows: 4096, validRows: 1024, testRows: 1024, seed: 1 });
const controller = new AbortController(); // controller.abort() stops the run at the next step
const result = await trainMultiBalance({
  data, model: "mmoe", balancer: "multibalance", epochs: 2, batchSize: 256,
  signal: controller.signal,
  onProgress: (e) => { if (e.phase !== "train") console.log(`multibalance ${e.phase} ${e.step}/${e.steps}`); },
});
console.log(result.test.map(fmtMetrics).join(" | "));
result.model.dispose();
result.balancer.dispose();
result.optimizer.dispose();
