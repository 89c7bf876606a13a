// The README's typed examples (examples/*.ts): included verbatim in README.md, type-checked
// against the package's own types ("recforge" is this package, by self-reference), and the four
// on synthetic data compiled and run. GREENer's and CompExp's read the shared review data and a
// full preparation: compiled only.
import test from "ava";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { checkReadme } from "../../scripts/readme-examples.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

test("README.md includes every examples/*.ts verbatim (and a changed block is caught)", (t) => {
  const results = checkReadme();
  t.true(results.length >= 6, `${results.length} examples`);
  for (const r of results) t.true(r.ok, `${r.file}: ${r.why}`);
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const changed = readme.replace("await trainDti({", "await trainDti( {");
  t.not(changed, readme);
  t.false(checkReadme(changed).find((r) => r.file === "examples/dti.ts").ok);
});

test("the examples type-check against the package's types: tsc --noEmit -p examples/tsconfig.json", (t) => {
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "examples/tsconfig.json"], { cwd: root, encoding: "utf8" });
  t.is(r.status, 0, r.stdout + r.stderr);
});

const CHEAP = {
  dti: /^test AUC 0\.\d+ after \d+ steps$/m,
  multibalance: /^task0 auc 0\.\d+ ne [\d.]+ \| task1 /m,
  seqrec: /^best epoch [1-3], test Recall@20 [01]\.\d+$/m,
  lsdqn: /^greedy cut on validation graphs: [\d.]+ → [\d.]+$/m,
};

test("the examples on synthetic data run to the end", (t) => {
  // Inside the package (build/ is ignored), so "recforge" resolves to it by self-reference at run time too.
  const out = path.join(root, "build", `examples-test-${process.pid}`);
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const c = spawnSync(process.execPath, [tsc, "-p", "examples/tsconfig.json", "--noEmit", "false", "--outDir", out], { cwd: root, encoding: "utf8" });
  t.is(c.status, 0, c.stdout + c.stderr);
  for (const [name, expect] of Object.entries(CHEAP)) {
    const r = spawnSync(process.execPath, [path.join(out, `${name}.js`)], { cwd: root, encoding: "utf8", timeout: 120_000 });
    t.is(r.status, 0, `${name}: ${r.stderr}`);
    t.regex(r.stdout, expect, name);
  }
});
