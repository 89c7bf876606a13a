// CTR data sources for DTI: MovieLens-1M, a generic interactions + item-text pair of files,
// and the embedded synthetic generator; loadCtrData picks one from a command-line argument.
import fs from "node:fs";
import path from "node:path";
import { isMovielensDir, loadMovielens } from "./movielens.js";
import { loadInteractions } from "./generic.js";
import { syntheticCtr } from "../synthetic.js";
import type { CtrDataset, SubsetOptions } from "./dataset.js";

export * from "./dataset.js";
export { loadMovielens, movielensDir, movieText, findRatingsFile, isMovielensDir, type MovielensOptions } from "./movielens.js";
export { loadInteractions, splitDelimited, defaultItemsFile, type GenericOptions } from "./generic.js";

/**
 * Loads CTR data from `spec`: "synthetic" (the embedded generator), a MovieLens-1M folder
 * (movies.dat + ratings), a folder with interactions.csv|tsv (+ items.csv|tsv), or an
 * interactions file (items next to it, or `items`).
 */
export function loadCtrData(spec: string, opts: SubsetOptions & { items?: string; seed?: number } = {}): CtrDataset {
  if (spec === "synthetic") return syntheticCtr({ seed: opts.seed, users: opts.maxUsers });
  if (!fs.existsSync(spec)) throw new Error(`recforge: --data ${spec}: no such file or folder`);
  if (fs.statSync(spec).isDirectory()) {
    if (isMovielensDir(spec)) return loadMovielens({ ...opts, dir: spec });
    for (const f of ["interactions.tsv", "interactions.csv"])
      if (fs.existsSync(path.join(spec, f))) return loadInteractions(path.join(spec, f), opts);
    throw new Error(`recforge: --data ${spec}: neither a MovieLens-1M folder (movies.dat + ratings.dat) nor a folder with interactions.csv/tsv`);
  }
  return loadInteractions(spec, opts);
}
