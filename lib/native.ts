// The only file that loads the native addon. node-gyp-build picks a prebuilt binary from
// prebuilds/<platform>-<arch>/ or a local build/Release build (PREBUILDS_ONLY=1 forces
// prebuilds). Everything else imports `native` from here.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const load = require("node-gyp-build") as (dir: string) => unknown;

// Opaque handle to native memory: a number naming a slot in the native storage table
// (validated on every use; a stale handle is rejected).
export type Handle = number;

// The binding's functions are positional and validated on the native side; this loose
// type keeps the call sites readable without restating ~60 signatures.
export type NativeAddon = Record<string, (...args: any[]) => any> & {
  alloc(nbytes: number): Handle;
  free(h: Handle): void;
  write(h: Handle, byteOffset: number, data: ArrayBufferView): void;
  read(h: Handle, byteOffset: number, out: ArrayBufferView): void;
  memoryStats(): { nativeBytes: number; nativePeakBytes: number; nativeBlocks: number; nativeCachedBytes: number };
};

export const native = load(root) as NativeAddon;
export const addonPath = root;
