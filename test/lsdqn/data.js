// Where the LS-DQN tests find ../shared/data, and the skip-or-fail rule for absent data
// (skipped with the reason; a failure under RECFORGE_REQUIRE_DATA=1).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dataTest as sharedDataTest } from "../helpers/data.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dataRoot = process.env.RECFORGE_DATA ? path.resolve(process.env.RECFORGE_DATA) : path.resolve(repo, "..", "shared", "data");

/** Registers test `name` that needs `rel` under the data root (the rule of test/helpers/data.js). */
export function dataTest(test, name, rel, fn) {
  const dir = path.join(dataRoot, rel);
  return sharedDataTest(fs.existsSync(dir), dir)(name, (t) => fn(t, dir));
}
