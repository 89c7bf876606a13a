// Proves the package loads from prebuilds/ alone (what users of prebuilt binaries get):
// builds prebuilds/linux-x64 with prebuildify when missing, copies the package without
// build/ into a temp dir and imports it there with PREBUILDS_ONLY=1.
import test from "ava";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const platformDir = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);

test("the package loads and computes from prebuilds alone (PREBUILDS_ONLY=1)", (t) => {
  const hasPrebuild = () => fs.existsSync(platformDir) && fs.readdirSync(platformDir).some((f) => f.endsWith(".node"));
  if (!hasPrebuild()) execFileSync("npx", ["prebuildify", "--napi", "--strip"], { cwd: root, stdio: "inherit" });
  t.true(hasPrebuild(), "prebuildify produced a .node file");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-prebuild-"));
  try {
    for (const p of ["package.json", "dist", "prebuilds"]) fs.cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    t.false(fs.existsSync(path.join(dir, "build")));
    const script = `import * as rf from "./dist/index.js";
      const a = rf.tensor([[1, 2], [3, 4]]);
      console.log(JSON.stringify(rf.matmul(a, a).toArray()));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, env: { ...process.env, PREBUILDS_ONLY: "1" }, encoding: "utf8" });
    t.is(r.status, 0, r.stderr);
    t.deepEqual(JSON.parse(r.stdout.trim()), [[7, 10], [15, 22]]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
