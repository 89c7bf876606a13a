// The layer order of ARCHITECTURE.md holds in lib/ (scripts/check-layers.mjs), the check itself
// catches what it is there to catch, and Tensor's methods need no side-effect import.
import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkGraph, checkLayers, parseLayers } from "../../scripts/check-layers.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("lib/ follows ARCHITECTURE.md's layer order: no upward import, no file outside a layer, no face bypassed, no cycle", (t) => {
  const r = checkLayers(root);
  t.true(r.layers.length >= 8, "the layer block lists the layers");
  t.true(r.files > 100 && r.imports > 400, `read ${r.files} files and ${r.imports} imports`);
  t.deepEqual(r.problems, []);
});

test("the layer check fails on an upward import, an unplaced file, a bypassed face, a cycle and a stale pending entry", (t) => {
  const layers = parseLayers(
    "<!-- layers:begin -->\n    top  lib/top/  the top\n    ops  lib/ops/\n    low  lib/low/ lib/one.ts  below\n<!-- layers:end -->",
  );
  t.deepEqual(layers.map((l) => l.name), ["low", "ops", "top"]);
  const graph = new Map([
    ["lib/low/a.ts", ["lib/top/x.ts"]], // up
    ["lib/top/x.ts", ["lib/ops/add.ts", "lib/ops/index.ts", "lib/one.ts"]], // bypasses the face; the others are fine
    ["lib/ops/index.ts", ["lib/ops/add.ts"]],
    ["lib/ops/add.ts", ["lib/low/b.ts"]],
    ["lib/low/b.ts", ["lib/low/c.ts"]],
    ["lib/low/c.ts", ["lib/low/b.ts"]], // cycle
    ["lib/one.ts", []],
    ["lib/stray/s.ts", []], // no layer
  ]);
  const { problems } = checkGraph(graph, layers, [{ from: "lib/gone.ts", to: "lib/low/b.ts", why: "test" }]);
  const has = (re) => t.true(problems.some((p) => re.test(p)), `expected a problem matching ${re}: ${problems.join(" | ")}`);
  has(/^lib\/low\/a\.ts \(layer low\) imports lib\/top\/x\.ts \(layer top, above it\)/);
  has(/^lib\/top\/x\.ts imports lib\/ops\/add\.ts: modules outside lib\/ops\/ import it through/);
  has(/^import cycle: lib\/low\/b\.ts, lib\/low\/c\.ts$/);
  has(/^lib\/stray\/s\.ts: in no layer/);
  has(/^PENDING lists lib\/gone\.ts -> lib\/low\/b\.ts, which no longer exists/);
  t.is(problems.length, 5, problems.join("\n"));
});

test("a module above the ops gives tensors their methods without a side-effect import; the tensor layer alone says what is missing", (t) => {
  // Fresh processes: the module graph starts empty.
  const above = `
    import { Linear } from "./dist/nn/linear.js";
    import { Tensor } from "./dist/tensor/tensor.js";
    const lin = new Linear(3, 2);
    const x = Tensor.empty([4, 3]);
    x._fill(0.5);
    lin.forward(x).square().sum().backward();
    console.log(JSON.stringify(lin.weight.grad.shape));`;
  let r = spawnSync(process.execPath, ["--input-type=module", "-e", above], { cwd: root, encoding: "utf8" });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), "[2,3]");
  const alone = `
    import { Tensor } from "./dist/tensor/tensor.js";
    try { Tensor.empty([2]).add(1); console.log("no error"); } catch (e) { console.log(e.message); }`;
  r = spawnSync(process.execPath, ["--input-type=module", "-e", alone], { cwd: root, encoding: "utf8" });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /Tensor\.add\(\) needs the ops layer/);
});
