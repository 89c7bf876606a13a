// On-disk cache for prepared data sets. A cache entry is one JSON file holding a stamp and
// the data; it is used only when the stamp matches exactly: the preparation code's version,
// the options, and the source file's SHA-256 (so editing or replacing the source invalidates
// it even when size and mtime are kept). Writes go to a temporary file renamed into place,
// so an interrupted run never leaves a truncated entry behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";

/** $RECFORGE_CACHE, else ~/.cache/recforge. */
export function cacheDir(): string {
  return process.env.RECFORGE_CACHE ? path.resolve(process.env.RECFORGE_CACHE) : path.join(os.homedir(), ".cache", "recforge");
}

/** SHA-256 (hex) of a file's bytes. */
export function fileSha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

export interface CacheStamp {
  /** version of the code that produced the data: bump it when the output would change */
  version: string;
  source: { path: string; sha256: string; bytes: number };
  options: unknown;
}

/** The stamp of a source file for a given version and options. */
export function stampFor(version: string, sourceFile: string, options: unknown): CacheStamp {
  const abs = path.resolve(sourceFile);
  return { version, source: { path: abs, sha256: fileSha256(abs), bytes: fs.statSync(abs).size }, options };
}

/** The cache file for a named data set: one per (name, version, source path, options), so
 *  different options do not evict each other; a changed source overwrites its entry. */
export function cacheFile(name: string, stamp: CacheStamp): string {
  const key = crypto.createHash("sha256").update(JSON.stringify([stamp.version, stamp.source.path, stamp.options])).digest("hex").slice(0, 16);
  return path.join(cacheDir(), `${name}-${key}.json`);
}

/** The cached data when `file` exists and its stamp equals `stamp`; otherwise null. */
export function readCache<T>(file: string, stamp: CacheStamp): T | null {
  if (!fs.existsSync(file)) return null;
  try {
    const o = JSON.parse(fs.readFileSync(file, "utf8")) as { stamp: CacheStamp; data: T };
    return JSON.stringify(o.stamp) === JSON.stringify(stamp) ? o.data : null;
  } catch {
    return null; // unreadable entry: rebuild it
  }
}

/** Writes `{stamp, data}` atomically. */
export function writeCache(file: string, stamp: CacheStamp, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ stamp, data }));
  fs.renameSync(tmp, file);
}
