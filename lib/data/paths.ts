// Where shared data sets live: $RECFORGE_DATA, else <repo>/../shared/data. Data is read
// in place and never copied into the repository.
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function dataRoot(): string {
  const env = process.env.RECFORGE_DATA;
  return env && env.length ? path.resolve(env) : path.resolve(repoRoot, "..", "shared", "data");
}
