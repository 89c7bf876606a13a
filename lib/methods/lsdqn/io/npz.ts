// .npz = a zip of .npy arrays (numpy.savez / savez_compressed), unzipped with fflate (a maintained
// pure-JS zip library; it checks every entry's CRC-32) and each array parsed strictly by npy.ts.
import fs from "node:fs";
import { unzipSync } from "fflate";
import { InstanceFormatError } from "./format_error.js";
import { parseNpy, type NpyArray } from "./npy.js";

/** Every array of an .npz, by key (the entry name without ".npy"). */
export function parseNpz(bytes: Uint8Array, file = "arrays.npz"): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
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
