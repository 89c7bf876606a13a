// A small synthetic next-item data set (users with time-ordered actions, items with categories,
// a time split) built in memory, for the seqrec model / harness tests.
import * as rf from "../../dist/index.js";
import { mulberry32 } from "../../dist/prng.js";

/**
 * users × perUser actions over `items` items in `categories` categories; each user drifts
 * between a few favourite categories so that the category history carries signal.
 */
export function syntheticSeq({ users = 20, perUser = 25, items = 30, categories = 5, seed = 1 } = {}) {
  const r = mulberry32(seed);
  const catOf = new Map();
  for (let i = 0; i < items; i++) catOf.set(`i${i}`, `c${i % categories}`);
  const actions = [];
  let line = 1;
  for (let u = 0; u < users; u++) {
    let c = Math.floor(r() * categories);
    for (let k = 0; k < perUser; k++) {
      if (r() < 0.3) c = Math.floor(r() * categories);
      const inCat = Math.floor(r() * Math.ceil(items / categories));
      const it = Math.min(items - 1, inCat * categories + c);
      actions.push({ user: `u${u}`, item: `i${it}`, time: 1000 + k * 10 + u, line: line++ });
    }
  }
  return rf.buildSeqDataset("synthetic", actions, catOf);
}

/** The same data as a user,item,timestamp,category CSV text. */
export function syntheticCsv(opts) {
  const ds = syntheticSeq(opts);
  let s = "user,item,timestamp,category\n";
  for (let u = 0; u < ds.userNames.length; u++)
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++)
      s += `${ds.userNames[u]},${ds.itemNames[ds.items[p]]},${ds.times[p]},${ds.categoryNames[ds.categories[p]]}\n`;
  return s;
}
