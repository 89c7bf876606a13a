// CompExp: comparative explanations, stages extractor → pretrain → e2e (REINFORCE on IDF-BLEU).
import path from "node:path";
import { dataRoot, prepareGreenerData, trainCompExp } from "recforge";

const file = path.join(dataRoot(), "amazon-musical-instruments-5core", "reviews_Musical_Instruments_5.json.gz");
const { data } = await prepareGreenerData(file);
const result = await trainCompExp({
  data, model: { embedDim: 64, hidden: 64 }, epochs: 2, itersPerEpoch: 50, validationCap: 200,
  stageOptions: { e2e: { epochs: 1 } },
  signal: AbortSignal.timeout(60 * 60_000),
  onProgress: (e) => { if (e.phase === "train" && e.step % 25 === 0) console.log(`compexp step ${e.step}/${e.steps} loss ${e.loss?.toFixed(4)}`); },
});
for (const r of result.reports) console.log(`${r.stage}: best validation ${r.best.toFixed(4)} (epoch ${r.bestEpoch + 1})`);
result.model.dispose();
