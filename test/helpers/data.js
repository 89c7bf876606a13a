// Tests that need a shared data set (../shared/data, or RECFORGE_DATA): registered as a normal test
// when the data is there; when it is absent, skipped with the reason, except under
// RECFORGE_REQUIRE_DATA=1 (CI sets it), where the test is registered and FAILS naming what is
// missing. A skipped data test's title ends in "(skipped: no data: …)", so a skip list tells it
// apart from the GPU skips (scripts/run-tests.mjs compares the run's skips with the expected ones).
import fs from "node:fs";
import test from "ava";

export const REQUIRE_DATA = process.env.RECFORGE_REQUIRE_DATA === "1";

/**
 * `have`: whether the data is there (or a path that must exist); `what`: the missing thing, for the
 * message. Returns `(title, fn)` registering the test; `{ serial: true }` registers it serially.
 */
export function dataTest(have, what, { serial = false } = {}) {
  const ok = typeof have === "string" ? fs.existsSync(have) : !!have;
  const reg = serial ? test.serial : test;
  return (title, fn) => {
    if (ok) return reg(title, fn);
    if (REQUIRE_DATA) return reg(title, (t) => t.fail(`RECFORGE_REQUIRE_DATA=1 but ${what} is missing (set RECFORGE_DATA to the shared data folder)`));
    return test.skip(`${title} (skipped: no data: ${what} is missing; set RECFORGE_DATA)`, () => {});
  };
}
