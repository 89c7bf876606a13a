// What a user sees when something the package needs is absent: the optional packages of one
// method (HiGHS, wink-nlp) and the native addon itself. Each case runs in a scratch copy of the
// package (package.json, dist/, the built addon) whose node_modules holds only the runtime
// dependencies, so the repo's devDependencies cannot hide a missing import.
import test from "ava";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

function scratch(t, { addon }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-install-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(root, "package.json"), path.join(dir, "package.json"));
  fs.cpSync(path.join(root, "dist"), path.join(dir, "dist"), { recursive: true });
  if (addon) {
    fs.mkdirSync(path.join(dir, "build", "Release"), { recursive: true });
    fs.copyFileSync(path.join(root, "build", "Release", "recforge.node"), path.join(dir, "build", "Release", "recforge.node"));
  }
  fs.mkdirSync(path.join(dir, "node_modules"));
  for (const dep of Object.keys(pkg.dependencies)) fs.symlinkSync(path.join(root, "node_modules", dep), path.join(dir, "node_modules", dep));
  return dir;
}

function run(dir, script) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8", timeout: 60000 });
}

test("highs, wink-nlp and its model are optional peers, not dependencies", (t) => {
  for (const name of ["highs", "wink-nlp", "wink-eng-lite-web-model"]) {
    t.false(name in pkg.dependencies, name);
    t.truthy(pkg.peerDependencies[name], name);
    t.true(pkg.peerDependenciesMeta[name].optional, name);
  }
});

test("without highs: the default ILP solver works and solver \"highs\" names the package to install", (t) => {
  const dir = scratch(t, { addon: true });
  const r = run(
    dir,
    `import { IlpSelector } from "./dist/methods/greener/ilp.js";
     const p = { scores: [3, 1, 2, 0.5], sim: new Array(16).fill(0.1), k: 2 };
     const s = await IlpSelector.create();
     console.log(JSON.stringify(s.select(p).selected));
     try { s.select(p, { solver: "highs" }); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }`,
  );
  t.is(r.status, 0, r.stderr);
  const [selected, err] = r.stdout.trim().split("\n");
  t.is(selected, "[0,2]");
  t.is(err, `MissingOptionalDependencyError: recforge: GREENer's MILP sentence selection (solver: "highs") needs the optional package "highs", which is not installed: npm install highs@"${pkg.peerDependencies.highs}"`);
});

test("without wink-nlp: the tagger names the package to install", (t) => {
  const dir = scratch(t, { addon: true });
  const r = run(dir, `import { loadWinkTagger } from "./dist/text/pos.js"; try { await loadWinkTagger(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }`);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^MissingOptionalDependencyError: recforge: GREENer's attribute extraction \(part-of-speech tagging\) needs the optional package "wink-(nlp|eng-lite-web-model)", which is not installed: npm install wink-/);
});

test("without a native addon: importing recforge says what is supported and how to build", (t) => {
  const dir = scratch(t, { addon: false });
  const r = run(dir, `try { await import("./dist/index.js"); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }`);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^Error: recforge: the native addon could not be loaded on linux-x64 \(No native build was found/);
  t.regex(r.stdout, /prebuilt binary for linux-x64 \(glibc\).*npx node-gyp rebuild/);
});
