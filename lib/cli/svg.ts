// SVG charts for `--plot` and the demo: a line chart (loss curves) and a grouped bar chart (a
// benchmark's main comparison), with "nice" axis ticks, grid lines and a legend. Hand-written on
// purpose: it is ~150 lines with no runtime dependency, while the maintained charting libraries
// (vega-lite + vega's SVG renderer, Plotly, Chart.js with node-canvas, D3 + jsdom) bring megabytes
// of dependencies (or a native canvas) into every install for a file nobody reads at run time.
export interface Series {
  name: string;
  points: [number, number][];
}

export interface LineChart {
  kind: "line";
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

export interface BarChart {
  kind: "bar";
  title: string;
  yLabel: string;
  /** one group of bars per category (x axis) */
  categories: string[];
  /** one bar per category in each series (null: no bar) */
  series: { name: string; values: (number | null)[] }[];
}

export type Chart = LineChart | BarChart;

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const PAD = { l: 64, r: 20, t: 36, b: 56 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (v: number) => (v === 0 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(1) : String(+v.toPrecision(4)));

/** About `count` round tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function frame(w: number, h: number, title: string, xLabel: string, yLabel: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="${w / 2}" y="${h - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="14" y="${h / 2}" text-anchor="middle" transform="rotate(-90 14 ${h / 2})">${esc(yLabel)}</text>`,
  ];
}

function yAxis(parts: string[], ticks: number[], sy: (y: number) => number, w: number, h: number): void {
  for (const t of ticks) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${PAD.l}" y1="${y}" x2="${w - PAD.r}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${PAD.l - 6}" y="${(+y + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${h - PAD.b}" stroke="black"/>`);
  parts.push(`<line x1="${PAD.l}" y1="${h - PAD.b}" x2="${w - PAD.r}" y2="${h - PAD.b}" stroke="black"/>`);
}

function legend(parts: string[], names: string[], w: number): void {
  // A white box behind the legend keeps it readable over the lines it may overlap.
  const box = `<rect x="${w - PAD.r - 154}" y="${PAD.t}" width="150" height="${16 * names.length + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`;
  const items = names.map((n, i) => `<g class="legend-item"><rect x="${w - PAD.r - 150}" y="${PAD.t + 4 + 16 * i}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${w - PAD.r - 136}" y="${PAD.t + 13 + 16 * i}">${esc(n)}</text></g>`);
  parts.push(`<g class="legend">${box}${items.join("")}</g>`);
}

/** Several named series over a shared x axis: one <path> per series, one vertex per finite point. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], w = 640, h = 360): string {
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  let x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(...ys) : 0, y1 = ys.length ? Math.max(...ys) : 1;
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
  const yt = niceTicks(y0, y1), xt = niceTicks(x0, x1);
  y0 = Math.min(y0, yt[0]);
  y1 = Math.max(y1, yt[yt.length - 1]);
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (w - PAD.l - PAD.r);
  const sy = (y: number) => h - PAD.b - ((y - y0) / (y1 - y0)) * (h - PAD.t - PAD.b);
  const parts = frame(w, h, title, xLabel, yLabel);
  yAxis(parts, yt, sy, w, h);
  for (const t of xt) parts.push(`<text x="${sx(t).toFixed(1)}" y="${h - PAD.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  series.forEach((s, i) => {
    const d = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])).map((p, j) => `${j ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
    parts.push(`<path class="series" data-name="${esc(s.name)}" d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`);
  });
  legend(parts, series.map((s) => s.name), w);
  parts.push("</svg>");
  return parts.join("\n");
}

/** Grouped bars: one <g class="series"> per series holding one <rect> per non-null value. */
export function barChart(title: string, yLabel: string, categories: string[], series: BarChart["series"], w = 720, h = 380): string {
  const vals = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  let y0 = Math.min(0, ...vals), y1 = Math.max(0, ...vals);
  if (y1 === y0) y1 = y0 + 1;
  const yt = niceTicks(y0, y1);
  y0 = Math.min(y0, yt[0]);
  y1 = Math.max(y1, yt[yt.length - 1]);
  const sy = (y: number) => h - PAD.b - ((y - y0) / (y1 - y0)) * (h - PAD.t - PAD.b);
  const parts = frame(w, h, title, "", yLabel);
  yAxis(parts, yt, sy, w, h);
  const groupW = (w - PAD.l - PAD.r - 160) / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  categories.forEach((c, j) => {
    const cx = PAD.l + groupW * (j + 0.5);
    const label = c.length > 18 ? c.slice(0, 17) + "…" : c;
    parts.push(`<text x="${cx.toFixed(1)}" y="${h - PAD.b + 14}" text-anchor="end" transform="rotate(-20 ${cx.toFixed(1)} ${h - PAD.b + 14})">${esc(label)}</text>`);
  });
  series.forEach((s, i) => {
    const rects = s.values.map((v, j) => {
      if (v === null || !Number.isFinite(v)) return "";
      const x = PAD.l + groupW * j + groupW * 0.1 + barW * i;
      const top = Math.min(sy(v), sy(0)), height = Math.abs(sy(v) - sy(0));
      return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${height.toFixed(1)}"><title>${esc(`${s.name} ${categories[j]}: ${v}`)}</title></rect>`;
    });
    parts.push(`<g class="series" data-name="${esc(s.name)}" fill="${COLORS[i % COLORS.length]}">${rects.join("")}</g>`);
  });
  legend(parts, series.map((s) => s.name), w);
  parts.push("</svg>");
  return parts.join("\n");
}

export function renderChart(c: Chart): string {
  return c.kind === "line" ? lineChart(c.title, c.xLabel, c.yLabel, c.series) : barChart(c.title, c.yLabel, c.categories, c.series);
}

/** Smooths a loss curve (EMA, factor 0.9) and thins it to at most ~`max` points, keeping the last. */
export function smoothCurve(points: [number, number][], max = 200, ema = 0.9): [number, number][] {
  const out: [number, number][] = [];
  let e = NaN;
  const every = Math.max(1, Math.floor(points.length / max));
  points.forEach(([x, y], i) => {
    if (Number.isFinite(y)) e = Number.isNaN(e) ? y : ema * e + (1 - ema) * y;
    if ((i % every === 0 || i === points.length - 1) && !Number.isNaN(e)) out.push([x, e]);
  });
  return out;
}
