// The only file that loads the native addons. node-gyp-build picks a prebuilt binary from
// prebuilds/<platform>-<arch>/ or a local build/Release build (PREBUILDS_ONLY=1 forces
// prebuilds). The CUDA addon (build/Release/recforge_cuda.node, built by `npm run
// build:cuda`, or RECFORGE_CUDA_ADDON=<path>) is optional: it is loaded only when present
// and a CUDA device is usable; the CPU addon always works alone. Everything else imports
// `native` / `cuda` / `backend()` from here.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";
import type { Device } from "./tensor/dtype.js";
import { emulatedLowp } from "./amp/emulated.js";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const load = require("node-gyp-build") as (dir: string) => unknown;

// Opaque handle to native memory: a number naming a slot in the native storage table of
// the addon that allocated it (validated on every use; a stale handle is rejected). The
// CPU and CUDA addons keep separate tables whose numbers never overlap (the CUDA addon's
// carry a device tag), so a handle passed to the wrong addon is refused, never misread.
export type Handle = number;

// The binding's functions are positional and validated on the native side; this loose
// type keeps the call sites readable without restating ~60 signatures.
export type NativeAddon = Record<string, (...args: any[]) => any> & {
  alloc(nbytes: number): Handle;
  free(h: Handle): void;
  write(h: Handle, byteOffset: number, data: ArrayBufferView): void;
  read(h: Handle, byteOffset: number, out: ArrayBufferView): void;
};

export interface CudaDeviceInfo {
  count: number;
  name: string;
  major: number;
  minor: number;
  smCount: number;
  totalBytes: number;
  driverVersion: number;
  runtimeVersion: number;
  error: string;
}

export interface CudaMemoryStats {
  cudaBytes: number;
  cudaRequestedBytes: number;
  cudaPeakBytes: number;
  cudaCachedBytes: number;
  cudaBlocks: number;
  cudaAllocs: number;
  cudaCacheHits: number;
  cudaDeviceAllocs: number;
}

/**
 * The CUDA addon: the CPU binding's op functions (same names and arguments, device storages)
 * plus device management. Host <-> device copies are its read / write with typed arrays.
 */
export type CudaAddon = NativeAddon & {
  deviceInfo(): CudaDeviceInfo;
  memoryStats(): CudaMemoryStats;
  copyDevice(dst: Handle, dstByte: number, src: Handle, srcByte: number, nbytes: number): void;
  synchronize(): void;
};

export const native = load(root) as NativeAddon & {
  memoryStats(): { nativeBytes: number; nativePeakBytes: number; nativeBlocks: number; nativeCachedBytes: number };
};
export const addonPath = root;

function loadCuda(): { addon: CudaAddon | null; reason: string; path: string | null; info: CudaDeviceInfo | null } {
  const file = process.env.RECFORGE_CUDA_ADDON || path.join(root, "build", "Release", "recforge_cuda.node");
  if (process.env.RECFORGE_DISABLE_CUDA === "1")
    return { addon: null, reason: "disabled by RECFORGE_DISABLE_CUDA=1", path: null, info: null };
  if (!fs.existsSync(file))
    return {
      addon: null,
      reason: "this package build has no CUDA addon loaded (build it with `npm run build:cuda` on a machine with nvcc)",
      path: null,
      info: null,
    };
  try {
    const addon = require(file) as CudaAddon;
    const info = addon.deviceInfo();
    if (info.count > 0) return { addon, reason: "", path: file, info };
    return { addon: null, reason: `the CUDA addon is built but ${info.error || "no CUDA device was found"}`, path: file, info };
  } catch (e) {
    return { addon: null, reason: `the CUDA addon (${file}) failed to load: ${(e as Error).message}`, path: file, info: null };
  }
}

// RECFORGE_CUDA_EMULATE=1 (testing aid): a "cuda" device whose storages and kernels are the
// CPU addon's, so the whole device path of the JS layer (to(), creation on the device,
// per-device dispatch, autograd, memory statistics) runs and is tested on machines without
// a GPU. Numbers are the CPU's; it says nothing about the CUDA kernels themselves. The 16-bit
// entry points of autocast (gemmLowp, intervalAttention*Lowp) are emulated by rounding the
// float32 inputs on the host and running the float32 kernels (lib/amp/emulated.ts).
function emulatedCuda(): CudaAddon {
  // Handles are numbers now: a Map, and every free deletes its entry (no leak).
  const sizes = new Map<Handle, number>();
  const st = { live: 0, peak: 0, blocks: 0, allocs: 0 };
  const copy = (dst: Handle, dstByte: number, src: Handle, srcByte: number, nbytes: number) => {
    const buf = new Uint8Array(nbytes);
    native.read(src, srcByte, buf);
    native.write(dst, dstByte, buf);
  };
  const addon: Record<string, unknown> = { ...native };
  Object.assign(addon, {
    alloc(nbytes: number) {
      const h = native.alloc(nbytes);
      sizes.set(h, nbytes);
      st.live += nbytes;
      st.blocks++;
      st.allocs++;
      st.peak = Math.max(st.peak, st.live);
      return h;
    },
    free(h: Handle) {
      const n = sizes.get(h);
      if (n !== undefined) {
        sizes.delete(h);
        st.live -= n;
        st.blocks--;
      }
      native.free(h);
    },
    deviceInfo: (): CudaDeviceInfo => ({ count: 1, name: "emulated on the CPU (RECFORGE_CUDA_EMULATE=1)", major: 0, minor: 0, smCount: 0, totalBytes: 0, driverVersion: 0, runtimeVersion: 0, error: "" }),
    memoryStats: (): CudaMemoryStats => ({ cudaBytes: st.live, cudaRequestedBytes: st.live, cudaPeakBytes: st.peak, cudaCachedBytes: 0, cudaBlocks: st.blocks, cudaAllocs: st.allocs, cudaCacheHits: 0, cudaDeviceAllocs: st.allocs }),
    emptyCache() {},
    resetPeak() {
      st.peak = st.live;
    },
    copyDevice: copy,
    synchronize() {},
    gemmBackend: () => "emulated",
    ...emulatedLowp(native),
  });
  return addon as CudaAddon;
}

function loadEmulated() {
  const addon = emulatedCuda();
  return { addon, reason: "", path: null, info: addon.deviceInfo() };
}

const loaded = process.env.RECFORGE_CUDA_EMULATE === "1" ? loadEmulated() : loadCuda();
/** The CUDA addon when it is built and a device is usable, else null (see cudaUnavailableReason). */
export const cuda: CudaAddon | null = loaded.addon;
export const cudaUnavailableReason: string = loaded.reason;
export const cudaAddonPath: string | null = loaded.path;
export const cudaInfo: CudaDeviceInfo | null = loaded.info;

/** The binding object whose functions run on `device` (same names and arguments on both). */
export function backend(device: Device): NativeAddon {
  if (device === "cpu") return native;
  if (device === "cuda") {
    if (cuda) return cuda;
    throw new TypeError(`recforge: device "cuda" is not available: ${cudaUnavailableReason} (see recforge.backends())`);
  }
  throw new TypeError(`recforge: unknown device ${JSON.stringify(device)}`);
}
