// Packages only one method needs (HiGHS for GREENer's MILP solver, wink-nlp and its English model
// for GREENer's attribute tagging) are optional peer dependencies of recforge: `npm install recforge`
// does not fetch them, and they are imported on first use. Where one is missing, the error names
// the package, the version range recforge was tested with and what needs it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The version range package.json asks for (peerDependencies), or "" when it names none. */
function wantedRange(name: string): string {
  try {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { peerDependencies?: Record<string, string> };
    return pkg.peerDependencies?.[name] ?? "";
  } catch {
    return "";
  }
}

/** Thrown when an optional package a feature needs is not installed. */
export class MissingOptionalDependencyError extends Error {
  constructor(
    readonly packageName: string,
    usedBy: string,
    cause: unknown,
  ) {
    const range = wantedRange(packageName);
    super(
      `recforge: ${usedBy} needs the optional package "${packageName}", which is not installed: ` +
        `npm install ${packageName}${range ? `@"${range}"` : ""}`,
      { cause },
    );
    this.name = "MissingOptionalDependencyError";
  }
}

function isNotFound(e: unknown, name: string): boolean {
  const err = e as { code?: string; message?: string };
  return (
    (err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "MODULE_NOT_FOUND") && typeof err.message === "string" && err.message.includes(name)
  );
}

/**
 * `import(name)` that turns "not installed" into MissingOptionalDependencyError naming `usedBy`.
 * `load` does the import itself (a literal `import("highs")`, so bundlers and tsc see it).
 */
export async function importOptional<T>(name: string, usedBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (isNotFound(e, name)) throw new MissingOptionalDependencyError(name, usedBy, e);
    throw e;
  }
}
