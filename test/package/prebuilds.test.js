// Proves the package loads from prebuilds/ alone (what users of prebuilt binaries get):
// runs prebuildify in a scratch copy of the package (so the working build/ used by the
// other tests is never touched), removes build/ there, and imports the package with
// PREBUILDS_ONLY=1. It runs prebuildify with the flags of package.json's `prebuilds` script and
// checks the file name node-gyp-build looks for (prebuilds/linux-x64/recforge.glibc.node), which
// is where scripts/consumer-test.sh puts the binary CI built (it reuses that build rather than
// compile the sources a third time).
import test from "ava";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

test("prebuildify output loads and computes on its own (PREBUILDS_ONLY=1)", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-prebuild-"));
  try {
    for (const p of ["package.json", "binding.gyp", "native", "dist"]) fs.cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    const script0 = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.prebuilds;
    t.regex(script0, /^prebuildify /, "package.json scripts.prebuilds runs prebuildify");
    const flags = script0.split(/\s+/).slice(1);
    execFileSync(process.execPath, [path.join(root, "node_modules/prebuildify/bin.js"), ...flags], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const platformDir = path.join(dir, "prebuilds", `${process.platform}-${process.arch}`);
    const files = fs.existsSync(platformDir) ? fs.readdirSync(platformDir) : [];
    t.deepEqual(files, ["recforge.glibc.node"], `prebuildify produced ${JSON.stringify(files)}`);
    fs.rmSync(path.join(dir, "build"), { recursive: true, force: true });
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
