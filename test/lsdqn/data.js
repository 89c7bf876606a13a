// Where the LS-DQN tests find ../shared/data, and the skip-or-fail rule for absent data
// (skipped with the reason; a failure under RECFORGE_REQUIRE_DATA=1).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dataRoot = process.env.RECFORGE_DATA ? path.resolve(process.env.RECFORGE_DATA) : path.resolve(repo, "..", "shared", "data");

/** Registers test `name` that needs `rel` under the data root; skipped with a reason when absent. */
export function dataTest(test, name, rel, fn) {
  const dir = path.join(dataRoot, rel);
  if (fs.existsSync(dir)) return test(name, (t) => fn(t, dir));
  if (process.env.RECFORGE_REQUIRE_DATA === "1") return test(name, (t) => t.fail(`${dir} is missing and RECFORGE_REQUIRE_DATA=1`));
  return test.skip(`${name} (skipped: ${dir} is absent)`, () => {});
}
