// The JS layer's device path without a GPU: runs the CUDA checks (test/cuda/checks.js,
// through scripts/cuda-smoke.mjs) with RECFORGE_CUDA_EMULATE=1, where the "cuda" device is
// backed by the CPU addon. Catches dispatch mistakes (an output created on the wrong
// device, a call that skips backendFor, a broken to()/autograd path) everywhere; the CUDA
// kernels themselves are checked by the native CUDA tests on a GPU machine.
import test from "ava";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

test("every CUDA check passes on the emulated device (RECFORGE_CUDA_EMULATE=1)", (t) => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "cuda-smoke.mjs")], {
    env: { ...process.env, RECFORGE_CUDA_EMULATE: "1", RECFORGE_POISON: "1" },
    encoding: "utf8",
    timeout: 120000,
  });
  t.is(r.status, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /^\d+ passed, 0 failed$/m);
});
