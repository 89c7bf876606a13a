// Gset Max-Cut instances (rudy format: line 1 "n m", then m lines "u v w", 1-based nodes) and the
// best-known cut file ("G1 11624" per line). ../shared/data/gset; see its SOURCE.txt.
import fs from "node:fs";
import path from "node:path";
import { InstanceFormatError, numberedLines, parseInteger, parseNumber } from "./format_error.js";

export interface WeightedGraph {
  name: string;
  n: number;
  /** Edges as given (0-based), one weight each; u != v. */
  src: Int32Array;
  dst: Int32Array;
  weight: Float64Array;
}

/** Parses rudy text: exactly m edge lines, nodes in [1, n], no self-loops, no repeated pair. */
export function parseRudy(text: string, file = "rudy graph"): WeightedGraph {
  const lines = numberedLines(text);
  if (!lines.length) throw new InstanceFormatError(file, "empty file (expected a header line \"n m\")");
  const head = lines[0].text.split(/\s+/);
  if (head.length !== 2) throw new InstanceFormatError(file, `line ${lines[0].no}: header must be "n m", got ${JSON.stringify(lines[0].text)}`);
  const n = parseInteger(head[0], file, `line ${lines[0].no} (n)`, 1, 2 ** 31 - 1);
  const m = parseInteger(head[1], file, `line ${lines[0].no} (m)`, 0, 2 ** 31 - 1);
  if (lines.length - 1 !== m)
    throw new InstanceFormatError(file, `the header promises ${m} edges but the file has ${lines.length - 1} edge lines${lines.length - 1 < m ? " (truncated?)" : ""}`);
  const src = new Int32Array(m), dst = new Int32Array(m), weight = new Float64Array(m);
  const seen = new Set<number>();
  for (let e = 0; e < m; e++) {
    const { no, text: l } = lines[e + 1];
    const t = l.split(/\s+/);
    if (t.length !== 3) throw new InstanceFormatError(file, `line ${no}: expected "u v w", got ${JSON.stringify(l)}`);
    const u = parseInteger(t[0], file, `line ${no} (u)`, 1, n) - 1;
    const v = parseInteger(t[1], file, `line ${no} (v)`, 1, n) - 1;
    if (u === v) throw new InstanceFormatError(file, `line ${no}: self-loop on node ${u + 1}`);
    const key = Math.min(u, v) * n + Math.max(u, v);
    if (seen.has(key)) throw new InstanceFormatError(file, `line ${no}: edge ${u + 1}-${v + 1} appears twice`);
    seen.add(key);
    src[e] = u;
    dst[e] = v;
    weight[e] = parseNumber(t[2], file, `line ${no} (w)`);
  }
  return { name: path.basename(file), n, src, dst, weight };
}

export function readGset(file: string): WeightedGraph {
  return parseRudy(fs.readFileSync(file, "utf8"), file);
}

/** Symmetric dense weights [n·n] (zero diagonal) of an edge list. */
export function denseWeights(g: WeightedGraph): Float64Array {
  const w = new Float64Array(g.n * g.n);
  for (let e = 0; e < g.src.length; e++) {
    w[g.src[e] * g.n + g.dst[e]] = g.weight[e];
    w[g.dst[e] * g.n + g.src[e]] = g.weight[e];
  }
  return w;
}

/** Cut weight of spins s ∈ {±1}^n: Σ over edges with s_u != s_v. */
export function cutValue(g: WeightedGraph, spins: ArrayLike<number>): number {
  let c = 0;
  for (let e = 0; e < g.src.length; e++) if (spins[g.src[e]] !== spins[g.dst[e]]) c += g.weight[e];
  return c;
}

/** "name value" per line → name → best-known cut. */
export function readBestKnown(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const { no, text } of numberedLines(fs.readFileSync(file, "utf8"))) {
    const t = text.split(/\s+/);
    if (t.length !== 2) throw new InstanceFormatError(file, `line ${no}: expected "name value", got ${JSON.stringify(text)}`);
    if (out.has(t[0])) throw new InstanceFormatError(file, `line ${no}: ${t[0]} appears twice`);
    out.set(t[0], parseNumber(t[1], file, `line ${no}`));
  }
  return out;
}
