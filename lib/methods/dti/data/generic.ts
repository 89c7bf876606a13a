// A generic CTR data source: two delimited text files with a header row.
//   interactions  columns user, item, timestamp, label   (label 0/1; extra columns ignored)
//   items         columns item, text
// The delimiter is a tab for .tsv files (or when the header holds a tab), a comma otherwise.
// Fields may be double-quoted ("a, b" and "" for a quote inside), as spreadsheet CSV writes.
import fs from "node:fs";
import path from "node:path";
import { buildDataset, subsetDataset, type CtrDataset, type RawInteraction, type SubsetOptions } from "./dataset.js";

/** Splits one delimited line, honouring double quotes. */
export function splitDelimited(line: string, delim: string): string[] {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') (cur += '"'), i++;
        else quoted = false;
      } else cur += ch;
    } else if (ch === '"' && cur === "") quoted = true;
    else if (ch === delim) out.push(cur), (cur = "");
    else cur += ch;
  }
  out.push(cur);
  return out;
}

interface Table {
  file: string;
  header: string[];
  rows: string[][];
  lineOf: number[];
}

function readTable(file: string, required: string[]): Table & { col: Record<string, number> } {
  if (!fs.existsSync(file)) throw new Error(`recforge: ${file}: no such file`);
  const lines = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim().length > 0);
  if (first < 0) throw new RangeError(`recforge: ${file}: empty file (expected a header with ${required.join(", ")})`);
  const delim = file.toLowerCase().endsWith(".tsv") || lines[first].includes("\t") ? "\t" : ",";
  const header = splitDelimited(lines[first], delim).map((h) => h.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const name of required) {
    const ix = header.indexOf(name);
    if (ix < 0) throw new RangeError(`recforge: ${file}: header ${JSON.stringify(header)} lacks column ${JSON.stringify(name)} (needs ${required.join(", ")})`);
    col[name] = ix;
  }
  const rows: string[][] = [];
  const lineOf: number[] = [];
  for (let i = first + 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const f = splitDelimited(lines[i], delim);
    if (f.length < header.length) throw new RangeError(`recforge: ${file}:${i + 1}: ${f.length} fields, the header has ${header.length}`);
    rows.push(f);
    lineOf.push(i + 1);
  }
  return { file, header, rows, lineOf, col };
}

function parseLabel(v: string, where: string): 0 | 1 {
  const s = v.trim().toLowerCase();
  if (s === "1" || s === "true") return 1;
  if (s === "0" || s === "false") return 0;
  throw new RangeError(`recforge: ${where}: label must be 0 or 1, got ${JSON.stringify(v)}`);
}

function parseTime(v: string, where: string): number {
  const s = v.trim();
  const n = Number(s);
  if (s.length && Number.isFinite(n)) return n;
  const d = Date.parse(s);
  if (Number.isFinite(d)) return d / 1000;
  throw new RangeError(`recforge: ${where}: timestamp must be a number or a date, got ${JSON.stringify(v)}`);
}

export interface GenericOptions extends SubsetOptions {
  /** The item-text table (default: items.csv / items.tsv next to the interactions file). */
  items?: string;
}

/** The item table next to an interactions file: items.tsv or items.csv in the same folder. */
export function defaultItemsFile(interactions: string): string {
  const dir = path.dirname(interactions);
  for (const f of ["items.tsv", "items.csv"]) if (fs.existsSync(path.join(dir, f))) return path.join(dir, f);
  return path.join(dir, "items.csv");
}

/** Loads interactions (user,item,timestamp,label) and item texts (item,text) as a CtrDataset. */
export function loadInteractions(file: string, opts: GenericOptions = {}): CtrDataset {
  const itemsFile = opts.items ?? defaultItemsFile(file);
  const items = readTable(itemsFile, ["item", "text"]);
  const text = new Map<string, string>();
  items.rows.forEach((r, i) => text.set(r[items.col.item].trim(), r[items.col.text].trim()));
  const t = readTable(file, ["user", "item", "timestamp", "label"]);
  function* rows(): Generator<RawInteraction> {
    for (let i = 0; i < t.rows.length; i++) {
      const r = t.rows[i], where = `${file}:${t.lineOf[i]}`;
      yield { user: r[t.col.user].trim(), item: r[t.col.item].trim(), time: parseTime(r[t.col.timestamp], where), label: parseLabel(r[t.col.label], where) };
    }
  }
  const ds = buildDataset(path.basename(file), text, rows());
  return opts.maxUsers !== undefined || opts.maxPerUser !== undefined ? subsetDataset(ds, opts) : ds;
}
