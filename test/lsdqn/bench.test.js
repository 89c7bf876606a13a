// `bench cop --quick` (bench/harness/cop.ts): the result has the shape (maxcut / eco / gset / tsplib
// rows with method and ratio, the baselines beside lsdqn, the paper's numbers, provenance with the
// commit), ratios on the right side of their exact references, and --out writes cop-<date>-quick.json.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchCop } from "../../dist/bench/cop.js";
import { dataRoot } from "./data.js";

test("bench cop --quick: shape, methods, references and the written file", (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-bench-cop-"));
  try {
    const r = benchCop({ quick: true, out, command: "recforge bench cop --quick" });
    for (const key of ["maxcut", "eco", "gset", "tsplib"]) t.true(Array.isArray(r[key]), key);
    const methods = (rows) => new Set(rows.map((x) => x.method));
    for (const m of ["lsdqn", "greedy", "tabu", "random"]) t.true(methods(r.maxcut).has(m), m);
    for (const row of r.maxcut) {
      t.true(row.ratio > 0 && row.ratio <= 1 + 1e-9, `${row.method} n=${row.n}: ${row.ratio} (exact or best-found reference)`);
      if (row.method === "tabu" || row.method === "greedy") t.true(row.ratio >= row.ratio_mean_start - 1e-9);
    }
    for (const row of r.tsplib) t.true(row.ratio >= 1 - 1e-9, `${row.group} ${row.method}: ${row.ratio}`);
    const hasData = fs.existsSync(path.join(dataRoot, "tsplib"));
    if (hasData) for (const m of ["lsdqn", "2opt", "farthest", "nearest"]) t.true(methods(r.tsplib).has(m), m);
    else if (process.env.RECFORGE_REQUIRE_DATA === "1") t.fail(`RECFORGE_REQUIRE_DATA=1 but ${path.join(dataRoot, "tsplib")} is missing`);
    t.is(r.training.points.length, 1);
    t.true(r.learning_check.length === 3);
    t.truthy(r.paper.maxcut.lsdqn);
    t.truthy(r.provenance.machine.cpu);
    t.is(r.commit, r.provenance.commit);
    t.true(r.speed.rows.some((x) => x.what === "env_steps_per_s") && r.speed.rows.some((x) => x.what === "qnet_evals_per_s"));
    t.true(r.speed.rows.some((x) => x.what === "qnet_evals_per_s_fused" && x.problem === "maxcut" && x.value > 0));
    const files = fs.readdirSync(out);
    t.is(files.length, 1);
    t.regex(files[0], /^cop-\d{4}-\d\d-\d\d-gain-quick\.json$/);
    t.is(r.protocol.features, "gain");
    t.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(out, files[0]), "utf8"))).sort(), Object.keys(r).sort());
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test("bench cop --only: runs the chosen tables, trains only their models, refuses an unknown stage", (t) => {
  const r = benchCop({ quick: true, only: ["A"], command: "recforge bench cop --quick --only A" });
  t.true(r.maxcut.length > 0);
  t.deepEqual([r.eco.length, r.gset.length, r.tsplib.length], [0, 0, 0]);
  t.deepEqual([r.training.points.length, r.training.er.length, r.training.tsp.length], [1, 0, 0]);
  t.deepEqual(r.stages_done, ["training", "A"]);
  t.true(r.complete);
  t.throws(() => benchCop({ quick: true, only: ["Z"] }), { instanceOf: RangeError, message: /--only takes/ });
});

test("bench cop --only E: the optional k-cut table (ratios in (0, 1], LS-DQN per seed), residual / guard / tag refused when malformed", (t) => {
  const r = benchCop({ quick: true, only: ["E"], command: "recforge bench cop --quick --only E" });
  t.deepEqual(r.stages_done, ["training", "E"]);
  t.true(r.complete);
  t.false("kcut_partial" in r);
  const methods = r.kcut.map((x) => x.method);
  t.deepEqual(methods, ["random", "greedy", "tabu", "lsdqn"]);
  for (const x of r.kcut) t.true(x.ratio > 0 && x.ratio <= 1 + 1e-9, JSON.stringify(x));
  t.is(r.kcut.at(-1).ratio_seeds.length, 1);
  t.throws(() => benchCop({ quick: true, only: ["A"], qForm: "half" }), { instanceOf: RangeError, message: /q-form must be full or residual/ });
  t.throws(() => benchCop({ quick: true, only: ["A"], guard: "maybe" }), { instanceOf: RangeError, message: /guard must be none or tabu/ });
  t.throws(() => benchCop({ quick: true, only: ["A"], tag: "a/b" }), { instanceOf: RangeError, message: /tag takes/ });
});

test("bench cop --only C --gset-starts R: every method gets R starts, best-of-R and mean-of-R rows; chunking LS-DQN's batch changes nothing", (t) => {
  t.throws(() => benchCop({ quick: true, only: ["C"], gset: ["G11"], gsetStarts: 0 }), { instanceOf: RangeError, message: /--gset-starts must be an integer >= 1/ });
  t.throws(() => benchCop({ quick: true, only: ["C"], gset: ["G11"], gsetChunk: 1.5 }), { instanceOf: RangeError, message: /--gset-chunk must be an integer >= 1/ });
  if (!fs.existsSync(path.join(dataRoot, "gset", "graphs", "G11"))) {
    if (process.env.RECFORGE_REQUIRE_DATA === "1") t.fail(`RECFORGE_REQUIRE_DATA=1 but ${path.join(dataRoot, "gset")} is missing`);
    t.pass("Gset absent: the run part is skipped");
    return;
  }
  const opts = { quick: true, only: ["C"], gset: ["G11"], gsetStarts: 3, guard: "tabu", qForm: "residual", command: "recforge bench cop --quick --only C" };
  const a = benchCop(opts), b = benchCop({ ...opts, gsetChunk: 2 });
  t.is(a.protocol.tableC.starts, 3);
  t.is(b.protocol.tableC.chunk, 2);
  t.regex(a.protocol.gset_note, /R = 3 seeded random starts/);
  t.deepEqual(a.gset.map((x) => x.method), ["random", "greedy", "tabu", "lsdqn"]);
  for (const x of a.gset) {
    t.is(x.starts, 3);
    t.true(x.ratio >= x.ratio_mean_start - 1e-9, `${x.method}: best of R ${x.ratio} >= mean of R ${x.ratio_mean_start}`);
    t.true(x.ratio > 0 && x.ratio <= 1 + 1e-9);
  }
  const ls = (r) => r.gset.find((x) => x.method === "lsdqn");
  t.is(ls(a).ratio_mean_start_seeds.length, 1);
  t.deepEqual([ls(b).cut_seeds, ls(b).ratio_mean_start_seeds], [ls(a).cut_seeds, ls(a).ratio_mean_start_seeds], "chunks of 2 = one batch of 3");
  for (const m of ["greedy", "tabu"]) t.is(b.gset.find((x) => x.method === m).cut, a.gset.find((x) => x.method === m).cut);
  // Baselines only: no ER training, no lsdqn row, the same baseline rows as with LS-DQN.
  const c = benchCop({ ...opts, gsetBaselinesOnly: true });
  t.deepEqual(c.training.er, []);
  t.deepEqual(c.gset.map((x) => x.method), ["random", "greedy", "tabu"]);
  for (const m of ["random", "greedy", "tabu"]) {
    const [x, y] = [c.gset.find((r) => r.method === m), a.gset.find((r) => r.method === m)];
    t.deepEqual([x.cut, x.ratio_mean_start], [y.cut, y.ratio_mean_start], m);
  }
  t.throws(() => benchCop({ quick: true, only: ["A", "C"], gsetBaselinesOnly: true }), { instanceOf: RangeError, message: /--gset-baselines-only needs --only C/ });
  // Gset networks of their own training size: trained apart from table B's ER networks, named in the note; the baselines unchanged.
  t.deepEqual(a.training.gset, []);
  t.regex(a.protocol.gset_note, /table B's ER networks \(n = 12\)/);
  const d = benchCop({ ...opts, gsetTrainN: 16 });
  t.deepEqual([d.training.er.length, d.training.gset.length, d.training.gset[0].n], [0, 1, 16]);
  t.regex(d.protocol.gset_note, /ER ±1 graphs \(p = 0.15\) of n = 16/);
  t.is(d.gset.find((x) => x.method === "tabu").cut, a.gset.find((x) => x.method === "tabu").cut);
  t.throws(() => benchCop({ ...opts, gsetTrainN: 3 }), { instanceOf: RangeError, message: /--gset-train-n must be an integer in \[4, 1000\], got 3/ });
  // LS-DQN's own λ and guard tenure on Gset: the tabu row and its tenure unchanged; the guard changes LS-DQN's search.
  t.is(a.tabu_tenure.gset.lsdqn_guard, a.tabu_tenure.gset.tenure);
  t.is(a.tabu_tenure.gset.grid.length, 11, "tabu: the 11-tenure grid on generated Gset-like graphs");
  const e = benchCop({ ...opts, gsetGuard: 1, gsetLambda: 0 });
  t.deepEqual([e.tabu_tenure.gset.lsdqn_guard, e.tabu_tenure.gset.lsdqn_lambda, e.tabu_tenure.gset.tenure], [1, 0, a.tabu_tenure.gset.tenure]);
  t.regex(e.protocol.gset_eval_note, /λ = 0, guard tenure 1/);
  t.is(e.gset.find((x) => x.method === "tabu").cut, a.gset.find((x) => x.method === "tabu").cut);
  t.throws(() => benchCop({ ...opts, gsetGuard: 0 }), { instanceOf: RangeError, message: /--gset-guard must be an integer >= 1/ });
  t.throws(() => benchCop({ ...opts, gsetLambda: -1 }), { instanceOf: RangeError, message: /--gset-lambda must be a finite number >= 0/ });
});

test("bench cop --only E --kcut: runs exactly the chosen (k, m) pairs in order, refuses malformed pairs", (t) => {
  const r = benchCop({ quick: true, only: ["E"], kcut: [{ k: 2, m: 3 }, { k: 3, m: 4 }], command: "recforge bench cop --quick --only E --kcut 2x3,3x4" });
  t.deepEqual(r.protocol.tableE.map((e) => [e.k, e.m]), [[2, 3], [3, 4]]);
  t.deepEqual([...new Set(r.kcut.map((x) => x.km))], ["2,3", "3,4"]);
  for (const x of r.kcut) t.true(x.ratio > 0 && x.ratio <= 1 + 1e-9, JSON.stringify(x));
  t.true(r.complete);
  for (const kcut of [[{ k: 1, m: 3 }], [{ k: 2, m: 0 }], [{ k: 2.5, m: 3 }]]) t.throws(() => benchCop({ quick: true, only: ["E"], kcut }), { instanceOf: RangeError, message: /--kcut takes pairs KxM/ });
});
