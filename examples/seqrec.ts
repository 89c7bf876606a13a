// Next-item recommendation: GatedLongRec (or "cta", "tisasrec", "sasrec", "gru4rec", "pop") with
// early stopping on validation and a full-ranking test evaluation.
import { buildSeqDataset, trainNextItem, type RawAction } from "recforge";

// Actions (user, item, time) and each item's category; loadSeqCsv / loadMovielensSeq read files.
const actions: RawAction[] = [];
const categoryOf = new Map<string, string>();
for (let u = 0; u < 40; u++)
  for (let k = 0; k < 25; k++) {
    const item = `i${(u * 7 + k * (1 + (u % 3))) % 60}`;
    categoryOf.set(item, `c${Number(item.slice(1)) % 6}`);
    actions.push({ user: `u${u}`, item, time: 1000 + 10 * k, line: u * 25 + k + 1 });
  }
const data = buildSeqDataset("example", actions, categoryOf);
const result = await trainNextItem({
  data, model: "gatedlongrec", modelOptions: { hidden: 16, window: 10 }, epochs: 3, batchSize: 32,
  onProgress: (e) => { if (e.phase === "valid" && e.step === e.steps) console.log(`epoch ${e.epoch} validated`); },
});
console.log(`best epoch ${result.bestEpoch}, test Recall@20 ${result.test?.recall["20"].toFixed(4)}`);
result.model.dispose();
