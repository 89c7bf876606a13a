// CI's skip check (scripts/run-tests.mjs --expect-skips no-gpu, test/expected_skips.js): on a machine
// without a GPU the only skips allowed are the real-GPU checks; anything else that skips, or a GPU
// check that does not, is a failure.
import test from "ava";
import { expectedSkips, compareSkips } from "../expected_skips.js";
import { checks } from "../cuda/checks.js";

test("no-gpu: every CUDA check is expected to skip, and the comparison catches a difference either way", (t) => {
  const exp = expectedSkips("no-gpu");
  t.true(exp.length >= checks.length);
  const all = [...checks.map(([n]) => `cuda › cuda › ${n} (skipped: no CUDA here)`), ...exp.filter((e) => !e.prefix).map((e) => e.title)];
  t.deepEqual(compareSkips(all, exp), { unexpected: [], missing: [] });
  const data = "greener › bench › explain (skipped: no data: x is missing; set RECFORGE_DATA)";
  t.deepEqual(compareSkips([...all, data], exp).unexpected, [data]);
  t.is(compareSkips(all.slice(1), exp).missing.length, 1);
  t.throws(() => expectedSkips("gpu-less"), { instanceOf: RangeError });
});
