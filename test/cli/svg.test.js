// The --plot charts: well-formed SVG, one <path> per line series with one vertex per finite
// point, one bar per value in a bar chart, ticks on round values, and every bench command's
// chart extracted from real result shapes (bench/results) with one bar per result row.
import test from "ava";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lineChart, barChart, niceTicks, renderChart, smoothCurve } from "../../dist/cli/svg.js";
import { benchChart, plotPath } from "../../dist/cli/plots.js";
import { parseXml, findAll, pathVertices } from "./fixtures/xml.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const seeded = (s) => () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);

test("lineChart: well-formed, one path per series, one vertex per finite point, in the plot area", (t) => {
  const rand = seeded(7);
  for (const nSeries of [1, 2, 5]) {
    const series = Array.from({ length: nSeries }, (_, s) => ({
      name: `s${s} <&> "quoted"`,
      points: Array.from({ length: 3 + Math.floor(rand() * 50) }, (_, i) => [i * 1.5, (rand() - 0.3) * 10 ** (s - 2)]),
    }));
    series[0].points.push([99, NaN]); // skipped, not drawn as garbage
    const svg = parseXml(lineChart("title & <x>", "x", "y", series));
    const paths = findAll(svg, (e) => e.name === "path" && e.attrs.class === "series");
    t.is(paths.length, nSeries);
    paths.forEach((p, s) => {
      const v = pathVertices(p.attrs.d);
      t.is(v.length, series[s].points.filter((q) => Number.isFinite(q[1])).length);
      for (const [x, y] of v) t.true(x >= 64 - 1e-6 && x <= 620 + 1e-6 && y >= 36 - 1e-6 && y <= 304 + 1e-6, `${x},${y}`);
    });
    t.is(findAll(svg, (e) => e.attrs.class === "legend-item").length, nSeries);
  }
});

test("barChart: one group per series, one rect per non-null value; negative values hang below zero", (t) => {
  const cats = ["a", "b", "c", "a very long category name indeed"];
  const series = [{ name: "x", values: [1, 2, null, 4] }, { name: "y", values: [-1, 0.5, 3, 2] }];
  const svg = parseXml(barChart("t", "y", cats, series));
  const groups = findAll(svg, (e) => e.name === "g" && e.attrs.class === "series");
  t.is(groups.length, 2);
  t.deepEqual(groups.map((g) => findAll(g, (e) => e.name === "rect").length), [3, 4]);
  const heights = findAll(groups[1], (e) => e.name === "rect").map((r) => Number(r.attrs.height));
  t.true(heights.every((h) => h >= 0));
});

test("the test's XML checker rejects what is not well-formed", (t) => {
  t.truthy(parseXml('<svg a="1"><g><rect b="&amp;"/></g>text</svg>'));
  for (const bad of ["<svg><g></svg></g>", "<svg a=1></svg>", "<svg>a < b</svg>", "<svg>&nbsp;</svg>", "<svg></svg><svg></svg>", "<svg>", '<svg a="1" a="2"/>'])
    t.throws(() => parseXml(bad), { instanceOf: SyntaxError }, bad);
});

test("niceTicks: round steps covering the range", (t) => {
  t.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  t.deepEqual(niceTicks(0.13, 0.91), [0.2, 0.4, 0.6, 0.8]);
  t.deepEqual(niceTicks(-3, 17), [0, 5, 10, 15]);
  for (const [lo, hi] of [[0.001, 0.0042], [-50, 1e4], [3, 3.5]]) {
    const tk = niceTicks(lo, hi);
    t.true(tk.length >= 2 && tk.length <= 11, `${lo}..${hi}: ${tk}`);
    t.true(tk.every((v) => v >= lo - 1e-12 && v <= hi + 1e-12));
  }
});

test("smoothCurve: thins to about max points, keeps the last x, ema 0 keeps the values", (t) => {
  const pts = Array.from({ length: 1000 }, (_, i) => [i, Math.sin(i)]);
  const s = smoothCurve(pts, 200);
  t.true(s.length <= 201 && s.length >= 200);
  t.is(s[s.length - 1][0], 999);
  t.deepEqual(smoothCurve(pts.slice(0, 10), 200, 0), pts.slice(0, 10));
});

// Every bench command's main comparison from a real result file: bars = the rows it charts.
const cases = [
  ["ops", "ops-2026-11-26.json", (r) => r.matmul.length],
  ["dti", "dti-2026-11-26.json", (r) => r.kernel.length],
  ["gnn", "gnn-2026-11-26.json", (r) => r.gat.length],
  ["cop", "cop-2026-12-06.json", (r) => new Set(r.maxcut.map((x) => x.n)).size],
  ["compexp", "compexp-2026-12-06.json", (r) => r.rows.length],
  ["explain", "explain-2026-11-26.json", (r) => r.quality.filter((q) => !q.method.startsWith("oracle")).length],
  ["seqrec", "seqrec-2026-12-06.json", (r) => r.summary.length],
  ["seqrec", "cta-2026-12-06.json", (r) => new Set(r.summary.map((x) => x.variant)).size],
  ["seqrec", "seqrec-sanity-2026-12-06.json", (r) => r.summary.length],
  ["balance", "balance-2026-11-26-quick.json", (r) => r.results.length],
  ["dti-seeds", "dti-seeds-2026-12-06.json", (r) => r.dti_by_k.length],
  ["balance-seeds", "multibalance-seeds-2026-12-06.json", (r) => r.comparisons.length],
  ["greener-fair", "greener-fair-musical-instruments-2026-12-06-profile.json", (r) => r.test.rows.length],
];
for (const [name, file, count] of cases) {
  test(`bench ${name} --plot from ${file}: a bar chart with one category per compared row`, (t) => {
    const r = JSON.parse(fs.readFileSync(path.join(root, "bench", "results", file), "utf8"));
    const c = benchChart(name, r);
    t.truthy(c);
    t.is(c.kind, "bar");
    t.is(c.categories.length, count(r));
    const svg = parseXml(renderChart(c));
    const groups = findAll(svg, (e) => e.name === "g" && e.attrs.class === "series");
    t.is(groups.length, c.series.length);
    groups.forEach((g, i) => t.is(findAll(g, (e) => e.name === "rect").length, c.series[i].values.filter((v) => v !== null).length));
    t.true(c.series.some((s) => s.values.some((v) => v !== null)), "some bars drawn");
  });
}

test("bench gru --plot: fused, op-by-op and PyTorch bars (null bars when torch is absent)", (t) => {
  const rows = [{ spec: "a", fused_ms: 1, op_by_op_ms: 3, torch_ms: null }, { spec: "b", fused_ms: 2, op_by_op_ms: 5, torch_ms: 4 }];
  const c = benchChart("gru", { rows });
  t.deepEqual(c.series.map((s) => s.values), [[1, 2], [3, 5], [null, 4]]);
  t.is(benchChart("nope", {}), null);
  t.is(benchChart("ops", { matmul: [] }), null);
});

test("plotPath: beside the result file, else in --out, else the working directory", (t) => {
  const day = new Date().toISOString().slice(0, 10);
  t.is(plotPath("bench cop", { results_file: "/x/cop-2026-01-01.json" }, "/y"), "/x/cop-2026-01-01.svg");
  t.is(plotPath("train ctr", {}, "/y"), path.join("/y", `train-ctr-${day}.svg`));
  t.is(plotPath("train ctr", null, undefined), `train-ctr-${day}.svg`);
});
