// .npz = a zip of .npy arrays (numpy.savez / savez_compressed), unzipped with fflate (a maintained
// pure-JS zip library; it checks every entry's CRC-32) and each array parsed strictly by npy.ts.
import fs from "node:fs";
import { createRequire } from "node:module";
import { InstanceFormatError } from "./format_error.js";
import { parseNpy, type NpyArray } from "./npy.js";

// fflate is loaded on first use, not when the package is imported: only LS-DQN's .npz sets need it,
// so `import "recforge"` works where it is absent (e.g. the GPU machine's carried node_modules).
type Fflate = typeof import("fflate");
let fflate: Fflate | null = null;
function loadFflate(): Fflate {
  if (!fflate) {
    try {
      fflate = createRequire(import.meta.url)("fflate") as Fflate;
    } catch (e) {
      throw new Error(`reading .npz files needs the npm package fflate (a dependency of recforge): ${(e as Error).message}`);
    }
  }
  return fflate;
}

/** Every array of an .npz, by key (the entry name without ".npy"). */
export function parseNpz(bytes: Uint8Array, file = "arrays.npz"): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = loadFflate().unzipSync(bytes);
  } catch (e) {
    throw new InstanceFormatError(file, `not a readable .npz (zip) archive: ${(e as Error).message}`);
  }
  const out = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(entries)) {
    if (!name.endsWith(".npy")) throw new InstanceFormatError(file, `entry ${JSON.stringify(name)} is not a .npy array`);
    out.set(name.slice(0, -4), parseNpy(data, `${file}:${name}`));
  }
  if (!out.size) throw new InstanceFormatError(file, "the archive holds no arrays");
  return out;
}

export function readNpz(file: string): Map<string, NpyArray> {
  return parseNpz(new Uint8Array(fs.readFileSync(file)), file);
}
