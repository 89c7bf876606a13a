// The skips a full `npm test` run may have, per kind of machine. scripts/run-tests.mjs
// --expect-skips KIND (CI: no-gpu) compares the run's skip list (from ava's TAP output) with this one
// and fails on any difference, both ways: a test that skips and is not listed (a missing tool, a
// data set: data tests fail instead under RECFORGE_REQUIRE_DATA=1, test/helpers/data.js), and a
// listed test that did not skip (it ran, or it is gone).
//   no-gpu: the real-GPU checks only: every check of test/cuda/checks.js (test/cuda/cuda.test.js
//           skips each with the reason) and the parity case of every op that only CUDA implements.
// Computed from the same lists the tests are registered from, so adding a GPU check needs no edit here.
import { checks } from "./cuda/checks.js";
import { nativeCases } from "./parity/backend_parity.js";

/** [{ title, prefix }]: a skipped TAP title matches when equal (or, with prefix, when it starts with title). */
export function expectedSkips(kind) {
  if (kind !== "no-gpu") throw new RangeError(`expected skips: unknown machine kind ${JSON.stringify(kind)} (no-gpu)`);
  return [
    ...checks.map(([name]) => ({ title: `cuda › cuda › ${name} (skipped: `, prefix: true })),
    ...nativeCases()
      .filter((c) => !c.backends.includes("cpu"))
      .map((c) => ({ title: `parity › backend_parity › ${c.op}: only on ${c.backends.join(", ")}, not present here`, prefix: false })),
  ];
}

/** { unexpected: titles that skipped but are not listed, missing: listed entries that did not skip }. */
export function compareSkips(skipped, expected) {
  const matches = (title, e) => (e.prefix ? title.startsWith(e.title) : title === e.title);
  const unexpected = skipped.filter((s) => !expected.some((e) => matches(s, e)));
  const missing = expected.filter((e) => !skipped.some((s) => matches(s, e))).map((e) => e.title + (e.prefix ? "…" : ""));
  return { unexpected, missing };
}
