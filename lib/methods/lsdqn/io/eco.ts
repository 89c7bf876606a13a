// ECO-DQN's Max-Cut validation sets (../shared/data/maxcut-eco-dqn, see SOURCE.txt):
// validation/<set>.npz with key "adj" = int8 (G, n, n) symmetric weights in {−1, 0, 1}, and the
// reference cuts validation/opts/cuts_<set>.txt (one per graph, same order).
import fs from "node:fs";
import path from "node:path";
import { InstanceFormatError, numberedLines, parseNumber } from "./format_error.js";
import { readNpz } from "./npz.js";

export interface EcoSet {
  name: string;
  n: number;
  /** Dense weights of each graph [n·n]. */
  graphs: Float64Array[];
  /** Reference cut of each graph. */
  cuts: number[];
}

/** The sets the spec evaluates (validation/<name>.npz). */
export const ECO_SETS = [
  "ER_20spin_p15_100graphs", "ER_40spin_p15_100graphs", "ER_60spin_p15_100graphs",
  "BA_20spin_m4_100graphs", "BA_40spin_m4_100graphs", "BA_60spin_m4_100graphs", "BA_200spin_m4_100graphs",
] as const;

export function readEcoSet(dir: string, name: string): EcoSet {
  const file = path.join(dir, "validation", `${name}.npz`);
  const arrays = readNpz(file);
  const adj = arrays.get("adj");
  if (!adj) throw new InstanceFormatError(file, `no "adj" array (found ${[...arrays.keys()].join(", ")})`);
  if (adj.shape.length !== 3 || adj.shape[1] !== adj.shape[2])
    throw new InstanceFormatError(file, `adj must be (graphs, n, n), got (${adj.shape.join(", ")})`);
  if (adj.dtype !== "int8") throw new InstanceFormatError(file, `adj must be int8, got ${adj.dtype}`);
  const [G, n] = adj.shape;
  const graphs: Float64Array[] = [];
  for (let g = 0; g < G; g++) {
    const w = Float64Array.from(adj.data.subarray(g * n * n, (g + 1) * n * n) as Int8Array);
    for (let i = 0; i < n; i++) {
      if (w[i * n + i] !== 0) throw new InstanceFormatError(file, `graph ${g}: self-loop on node ${i}`);
      for (let j = i + 1; j < n; j++)
        if (w[i * n + j] !== w[j * n + i]) throw new InstanceFormatError(file, `graph ${g}: adj is not symmetric at (${i}, ${j})`);
    }
    graphs.push(w);
  }
  const cutFile = path.join(dir, "validation", "opts", `cuts_${name}.txt`);
  const cuts = numberedLines(fs.readFileSync(cutFile, "utf8")).map(({ no, text }) => parseNumber(text, cutFile, `line ${no}`));
  if (cuts.length !== G) throw new InstanceFormatError(cutFile, `has ${cuts.length} cuts for ${G} graphs`);
  return { name, n, graphs, cuts };
}

/** Cut of spins s ∈ {±1}^n on dense weights: Σ_{i<j, s_i != s_j} w_ij. */
export function denseCut(w: Float64Array, n: number, s: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (s[i] !== s[j]) c += w[i * n + j];
  return c;
}
