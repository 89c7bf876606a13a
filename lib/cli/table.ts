// Human output of a command's result object: aligned text tables. Scalars become a two-column
// key/value table, arrays of records a table with one row per record (nested fields flattened to
// "a.b" columns), nested objects a titled section. Long arrays are cut (the --json output has all).

type Cell = string | number | boolean | null | undefined;

const MAX_ROWS = 40;
const MAX_CELL = 60;

function cell(v: unknown, max = MAX_CELL): string {
  const cut = (s: string) => (s.length > max ? s.slice(0, max - 1) + "…" : s);
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toFixed(4));
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) return cut(v.map((x) => cell(x)).join(", "));
  if (typeof v === "object") return cut(JSON.stringify(v));
  return cut(String(v));
}


/** An aligned table: numbers right-aligned, a rule under the header. */
export function formatTable(headers: string[], rows: Cell[][], indent = "  ", maxCell = MAX_CELL): string {
  const text = rows.map((r) => r.map((v) => cell(v, maxCell)));
  const numeric = headers.map((_, j) => rows.every((r) => r[j] === null || r[j] === undefined || typeof r[j] === "number"));
  const width = headers.map((h, j) => Math.max(h.length, ...text.map((r) => (r[j] ?? "").length)));
  const line = (cells: string[]) => indent + cells.map((c, j) => (numeric[j] ? c.padStart(width[j]) : c.padEnd(width[j]))).join("  ").trimEnd();
  return [line(headers), indent + width.map((w) => "-".repeat(w)).join("  "), ...text.map(line)].join("\n");
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** {a: {b: 1}, c: 2} → {"a.b": 1, c: 2} (one level of arrays of scalars kept as a cell). */
function flatten(o: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (isRecord(v) && Object.keys(v).length <= 12) flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

function recordTable(rows: Record<string, unknown>[]): string {
  const flat = rows.slice(0, MAX_ROWS).map((r) => flatten(r));
  const headers: string[] = [];
  for (const r of flat) for (const k of Object.keys(r)) if (!headers.includes(k)) headers.push(k);
  // Columns that are long arrays or objects in every row make a table unreadable: leave them to --json.
  const showable = (v: unknown) => (Array.isArray(v) ? v.length <= 6 && !v.some(isRecord) : !isRecord(v));
  const keep = headers.filter((h) => flat.some((r) => r[h] !== undefined && showable(r[h])));
  const dropped = headers.filter((h) => !keep.includes(h));
  let s = formatTable(keep, flat.map((r) => keep.map((h) => r[h] as Cell)));
  if (rows.length > MAX_ROWS) s += `\n  … ${rows.length - MAX_ROWS} more rows (--json prints all)`;
  if (dropped.length) s += `\n  (not shown: ${dropped.join(", ")}; --json prints them)`;
  return s;
}

/** The human rendering of any result object. */
export function renderObject(obj: Record<string, unknown>, title?: string): string {
  const out: string[] = [];
  if (title) out.push(title);
  const scalars: [string, unknown][] = [];
  const sections: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === "provenance" && isRecord(v)) {
      scalars.push(["commit", v.commit], ["command", v.command]);
      continue;
    }
    if (Array.isArray(v) && v.length && v.every(isRecord)) sections.push(`\n${k}\n${recordTable(v as Record<string, unknown>[])}`);
    else if (isRecord(v)) {
      const flat = flatten(v);
      const nested = Object.values(flat).some((x) => (Array.isArray(x) && x.some(isRecord)) || isRecord(x));
      if (nested) sections.push("\n" + renderObject(v, k).replace(/^/gm, "  ").replace(/^ {2}/, ""));
      else sections.push(`\n${k}\n${formatTable(["field", "value"], Object.entries(flat).map(([a, b]) => [a, cell(b, 240)]), "  ", 240)}`);
    } else scalars.push([k, v]);
  }
  if (scalars.length) out.push(formatTable(["field", "value"], scalars.map(([k, v]) => [k, cell(v, 240)]), "  ", 240));
  return [...out, ...sections].join("\n");
}
