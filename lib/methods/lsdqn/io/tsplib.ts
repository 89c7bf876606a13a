// TSPLIB95 symmetric instances with coordinates (.tsp: the header "KEY : value" lines then
// NODE_COORD_SECTION), optimal tours (.tour: TOUR_SECTION ending with −1) and the "solutions" file
// ("name : length"). Only EUC_2D (and the coordinate types this method needs) are read; distances
// follow TSPLIB: nint(sqrt(dx² + dy²)).
import fs from "node:fs";
import { InstanceFormatError, numberedLines, parseInteger, parseNumber } from "./format_error.js";

export interface TspInstance {
  name: string;
  n: number;
  edgeWeightType: string;
  /** [n·2] coordinates in file order (node i+1 of the file is row i). */
  coords: Float64Array;
}

function header(lines: { no: number; text: string }[], file: string, stop: string): { fields: Map<string, string>; at: number } {
  const fields = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].text;
    if (t.replace(/\s*:\s*$/, "") === stop) return { fields, at: i + 1 };
    const m = /^([A-Z_0-9]+)\s*:\s*(.*)$/.exec(t);
    if (!m) throw new InstanceFormatError(file, `line ${lines[i].no}: expected "KEY : value" or ${stop}, got ${JSON.stringify(t.slice(0, 60))}`);
    fields.set(m[1], m[2].trim());
  }
  throw new InstanceFormatError(file, `no ${stop} (truncated or not a TSPLIB file)`);
}

export function parseTsp(text: string, file = "instance.tsp"): TspInstance {
  const lines = numberedLines(text);
  const { fields, at } = header(lines, file, "NODE_COORD_SECTION");
  const type = fields.get("TYPE");
  if (type !== "TSP") throw new InstanceFormatError(file, `TYPE must be TSP, got ${type}`);
  const ewt = fields.get("EDGE_WEIGHT_TYPE");
  if (ewt !== "EUC_2D") throw new InstanceFormatError(file, `EDGE_WEIGHT_TYPE ${ewt} is not supported (EUC_2D is)`);
  const n = parseInteger(fields.get("DIMENSION"), file, "DIMENSION", 1, 46340);
  const coords = new Float64Array(n * 2);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = lines[at + i];
    if (!l || l.text === "EOF") throw new InstanceFormatError(file, `NODE_COORD_SECTION has ${i} of ${n} nodes (truncated)`);
    const t = l.text.split(/\s+/);
    if (t.length !== 3) throw new InstanceFormatError(file, `line ${l.no}: expected "node x y", got ${JSON.stringify(l.text)}`);
    const id = parseInteger(t[0], file, `line ${l.no} (node)`, 1, n) - 1;
    if (seen[id]) throw new InstanceFormatError(file, `line ${l.no}: node ${id + 1} appears twice`);
    seen[id] = 1;
    coords[id * 2] = parseNumber(t[1], file, `line ${l.no} (x)`);
    coords[id * 2 + 1] = parseNumber(t[2], file, `line ${l.no} (y)`);
  }
  const rest = lines.slice(at + n);
  if (rest.length && !(rest.length === 1 && rest[0].text === "EOF"))
    throw new InstanceFormatError(file, `line ${rest[0].no}: unexpected content after ${n} nodes: ${JSON.stringify(rest[0].text.slice(0, 60))}`);
  return { name: fields.get("NAME") ?? file, n, edgeWeightType: ewt, coords };
}

export function readTsp(file: string): TspInstance {
  return parseTsp(fs.readFileSync(file, "utf8"), file);
}

/** A .tour file's tour as 0-based node indices (a permutation of 0..n−1). */
export function parseTour(text: string, file = "tour.tour"): Int32Array {
  const lines = numberedLines(text);
  const { fields, at } = header(lines, file, "TOUR_SECTION");
  const n = parseInteger(fields.get("DIMENSION"), file, "DIMENSION", 1, 46340);
  const tour = new Int32Array(n);
  const seen = new Uint8Array(n);
  let i = 0, ended = false, k = at;
  for (; k < lines.length && !ended; k++) {
    for (const tok of lines[k].text.split(/\s+/)) {
      if (ended) throw new InstanceFormatError(file, `line ${lines[k].no}: content after the closing -1`);
      if (tok === "-1") { ended = true; continue; }
      const v = parseInteger(tok, file, `line ${lines[k].no}`, 1, n) - 1;
      if (i >= n) throw new InstanceFormatError(file, `line ${lines[k].no}: more than DIMENSION = ${n} nodes`);
      if (seen[v]) throw new InstanceFormatError(file, `line ${lines[k].no}: node ${v + 1} visited twice`);
      seen[v] = 1;
      tour[i++] = v;
    }
  }
  if (!ended) throw new InstanceFormatError(file, `TOUR_SECTION does not end with -1 (truncated?; ${i} of ${n} nodes read)`);
  if (i !== n) throw new InstanceFormatError(file, `the tour has ${i} nodes, DIMENSION says ${n}`);
  const rest = lines.slice(k);
  if (rest.length && !(rest.length === 1 && rest[0].text === "EOF"))
    throw new InstanceFormatError(file, `line ${rest[0].no}: unexpected content after the tour`);
  return tour;
}

export function readTour(file: string): Int32Array {
  return parseTour(fs.readFileSync(file, "utf8"), file);
}

/** The "solutions" file: "name : length" per line. */
export function readSolutions(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const { no, text } of numberedLines(fs.readFileSync(file, "utf8"))) {
    const m = /^(\S+)\s*:\s*(\S+)/.exec(text);
    if (!m) throw new InstanceFormatError(file, `line ${no}: expected "name : length", got ${JSON.stringify(text)}`);
    out.set(m[1], parseNumber(m[2], file, `line ${no}`));
  }
  return out;
}

/** TSPLIB EUC_2D length of a tour (nint per edge), computed in JS (the check of the native kernel). */
export function euc2dLength(inst: TspInstance, tour: Int32Array): number {
  let len = 0;
  for (let p = 0; p < tour.length; p++) {
    const a = tour[p], b = tour[(p + 1) % tour.length];
    const dx = inst.coords[a * 2] - inst.coords[b * 2], dy = inst.coords[a * 2 + 1] - inst.coords[b * 2 + 1];
    len += Math.floor(Math.sqrt(dx * dx + dy * dy) + 0.5);
  }
  return len;
}

/** Coordinates scaled into [0, 1]² (one factor for both axes, keeping the shape) for the model. */
export function unitSquare(coords: Float64Array): Float64Array {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < coords.length; i += 2) {
    x0 = Math.min(x0, coords[i]); x1 = Math.max(x1, coords[i]);
    y0 = Math.min(y0, coords[i + 1]); y1 = Math.max(y1, coords[i + 1]);
  }
  const s = Math.max(x1 - x0, y1 - y0) || 1;
  const out = new Float64Array(coords.length);
  for (let i = 0; i < coords.length; i += 2) {
    out[i] = (coords[i] - x0) / s;
    out[i + 1] = (coords[i + 1] - y0) / s;
  }
  return out;
}

/** The spec's test groups (EUC_2D files of ../shared/data/tsplib). */
export const TSPLIB_GROUPS: Record<string, readonly string[]> = {
  "51-100": ["eil51", "berlin52", "st70", "pr76", "rat99", "kroB100", "kroC100", "kroD100", "kroE100", "rd100"],
  "101-150": ["eil101", "lin105", "pr107", "pr124", "bier127", "pr136", "pr144", "ch150", "kroA150", "kroB150"],
  "151-200": ["pr152", "u159", "rat195", "kroA200", "kroB200"],
};
