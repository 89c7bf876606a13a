#!/usr/bin/env node
// JS smoke test of the CUDA backend without ava: runs test/cuda/checks.js with a minimal
// assertion object. Used by scripts/gpu-check.sh on a GPU machine (RECFORGE_CUDA_ADDON
// points at the addon built there). Exit status: non-zero when a check failed or CUDA is
// unavailable. Last line: "N passed, N failed".
import { fileURLToPath } from "node:url";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rf = await import(path.join(root, "dist", "index.js"));
const { checks } = await import(path.join(root, "test", "cuda", "checks.js"));

const info = rf.backends();
console.log(JSON.stringify(info));
if (!info.cuda.available) {
  console.log(`CUDA unavailable: ${info.cuda.reason}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

class Failure extends Error {}
const t = {
  is(a, b, msg = "") { if (!Object.is(a, b)) throw new Failure(`${msg}: ${String(a)} !== ${String(b)}`); },
  true(v, msg = "") { if (v !== true) throw new Failure(`${msg}: expected true, got ${v}`); },
  truthy(v, msg = "") { if (!v) throw new Failure(`${msg}: expected a truthy value`); },
  deepEqual(a, b, msg = "") { if (!isDeepStrictEqual(a, b)) throw new Failure(`${msg}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`); },
  throws(fn, exp = {}) {
    try { fn(); } catch (e) {
      if (exp.instanceOf && !(e instanceof exp.instanceOf)) throw new Failure(`threw ${e.constructor.name}, expected ${exp.instanceOf.name}: ${e.message}`);
      if (exp.message && !exp.message.test(e.message)) throw new Failure(`message ${JSON.stringify(e.message)} does not match ${exp.message}`);
      return e;
    }
    throw new Failure("did not throw");
  },
};

let passed = 0, failed = 0;
for (const [name, fn] of checks) {
  const start = performance.now();
  try {
    await fn(t, rf);
    rf.synchronize();
    passed++;
    console.log(`ok   ${name} (${(performance.now() - start).toFixed(0)} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e instanceof Failure ? e.message : e.stack}`);
  }
}
console.log(JSON.stringify(rf.memory()));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
