// The CUDA backend from JS (test/cuda/checks.js). Skipped with the reason when this build
// or machine has no usable CUDA device (the CPU-only package, CI): backends().cuda says why.
import test from "ava";
import * as rf from "../../dist/index.js";
import { checks } from "./checks.js";

const info = rf.backends().cuda;

test("backends().cuda says whether CUDA is usable, and why not", (t) => {
  t.is(typeof info.available, "boolean");
  if (!info.available) {
    t.true(info.reason.length > 0);
    t.throws(() => rf.zeros([1], { device: "cuda" }), { instanceOf: TypeError, message: /cuda.*not available/ });
  } else t.is(info.reason, "");
});

for (const [name, fn] of checks) {
  if (!info.available) test.skip(`${name} (skipped: ${info.reason})`, () => {});
  else test(name, (t) => fn(t, rf));
}
