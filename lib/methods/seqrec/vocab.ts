// CTA's vocabulary protocol (shared/reference/cta.md, "Data"): with users split 80/10/10, the
// vocabulary is the TRAINING users' items; every other item becomes one `<unk>` id, which a
// model may score like any item but which, as a target, always counts as a miss (evaluate.ts
// reads ds.unkItem). Ids are re-assigned: 0 padding, 1 `<unk>`, then the training items in their
// old order. Categories of positions are kept; `<unk>` has category 0 (padding).
import type { SeqDataset } from "./data.js";

/** A copy of `ds` whose items outside the training users' actions map to `<unk>` (see the file header). */
export function restrictToTrainingVocabulary(ds: SeqDataset): SeqDataset {
  if (ds.split.kind !== "user")
    throw new RangeError(`recforge: seqrec: the <unk> vocabulary needs a user split (training users' items), got a ${ds.split.kind} split`);
  if (ds.unkItem !== undefined) throw new RangeError("recforge: seqrec: the data set already has an <unk> item");
  const trainUser = new Uint8Array(ds.userNames.length);
  for (const p of ds.split.train) trainUser[ds.userOf[p]] = 1;
  const inVocab = new Uint8Array(ds.numItems);
  for (let p = 0; p < ds.items.length; p++) if (trainUser[ds.userOf[p]]) inVocab[ds.items[p]] = 1;
  const remap = new Int32Array(ds.numItems).fill(1);
  remap[0] = 0;
  const itemNames = ["", "<unk>"];
  const itemCategory = [0, 0];
  for (let i = 1; i < ds.numItems; i++)
    if (inVocab[i]) {
      remap[i] = itemNames.length;
      itemNames.push(ds.itemNames[i]);
      itemCategory.push(ds.itemCategory[i]);
    }
  return {
    ...ds,
    name: `${ds.name}, training-user vocabulary (${itemNames.length - 2} items + <unk>)`,
    numItems: itemNames.length,
    itemNames,
    itemCategory: Int32Array.from(itemCategory),
    items: ds.items.map((i) => remap[i]),
    unkItem: 1,
  };
}
