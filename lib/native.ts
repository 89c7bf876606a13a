// The only file that loads the native addons. node-gyp-build picks a prebuilt binary from
// prebuilds/<platform>-<arch>/ or a local build/Release build (PREBUILDS_ONLY=1 forces
// prebuilds). The CUDA addon (RECFORGE_CUDA_ADDON=<path>, build/Release/recforge_cuda.node built by
// `npm run build:cuda`, or the platform package @recforge/linux-x64-cuda) is optional: it is loaded only when present
// and a CUDA device is usable; the CPU addon always works alone. Everything else imports
// `native` / `cuda` / `backend()` from here.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";
import {
  cpuOps,
  cudaOps,
  DType,
  HalfKind,
  type BackendOps,
  type CpuOnlyOps,
  type CpuOps,
  type CudaDeviceInfo,
  type CudaMemoryStats,
  type CudaOps,
  type GemmLowpArgs,
  type Handle,
  type IntervalAttentionBackwardLowpArgs,
  type IntervalAttentionForwardLowpArgs,
  type RawAddon,
  type TensorRef,
} from "./native_ops.generated.js";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const findAddon = require("node-gyp-build") as (dir: string) => RawAddon;

// The CPU addon: a prebuilt binary (prebuilds/linux-x64/, shipped in the package) or a local
// build. Where neither exists (another platform, or a failed source build) the error says what
// is supported and how to build, rather than node-gyp-build's bare "No native build was found".
function load(dir: string): RawAddon {
  let raw: RawAddon;
  try {
    raw = findAddon(dir);
  } catch (e) {
    const supported = process.platform === "linux" && process.arch === "x64";
    throw new Error(
      `recforge: the native addon could not be loaded on ${process.platform}-${process.arch} (${(e as Error).message.replace(/\s+/g, " ").trim()}). ` +
        (supported
          ? "The package ships a prebuilt binary for linux-x64 (glibc); if it was removed, rebuild it from source with `npx node-gyp rebuild` in the package folder (needs a C++17 compiler, make and Python)."
          : "recforge ships prebuilt binaries for linux-x64 (glibc) only; on other platforms build from source with `npx node-gyp rebuild` in the package folder (x86-64 Linux is the only tested target)."),
      { cause: e },
    );
  }
  // The kernels' instruction-set variant was chosen when the addon loaded (recforge/cpu_isa.h):
  // a RECFORGE_CPU_ISA this CPU cannot run, or a misspelt one, is an error here, not a silent
  // fallback (and never an illegal instruction).
  const reason = (raw as unknown as { cpuIsaReason(): string }).cpuIsaReason();
  if (reason.startsWith("error: ")) throw new RangeError(`recforge: ${reason.slice(7)}`);
  return raw;
}

// Handle: opaque handle to native memory, a number naming a slot in the native storage table of
// the addon that allocated it (validated on every use; a stale handle is rejected). The CPU and
// CUDA addons keep separate tables whose numbers never overlap (the CUDA addon's carry a device
// tag), so a handle passed to the wrong addon is refused, never misread.
//
// Every entry point, its named arguments and which addon has it come from the op table
// (native/ops.table.mjs) through lib/native_ops.generated.ts: an op takes one object of named
// arguments (tensors as {_h, offset}, a Tensor is one); the generated wrappers pass them on.
export type { Handle, TensorRef, CpuOps, CudaOps, CudaDeviceInfo, CudaMemoryStats };
/** The ops of one device: what backend(device) returns. */
export type NativeAddon = BackendOps;
/** The CUDA addon (or the emulated device): the common ops plus device management and autocast's 16-bit entry points. */
export type CudaAddon = CudaOps & Partial<CpuOnlyOps>;

export const native: CpuOps = cpuOps(load(root));
export const addonPath = root;

// The prebuilt CUDA addon ships as an opt-in platform package (docs/install.md): its
// recforge_cuda.node, statically linked against the CUDA runtime, sm_80 + sm_90.
const CUDA_PLATFORM_PACKAGE = "@recforge/linux-x64-cuda";

function platformPackageAddon(): string | null {
  try {
    const dir = path.dirname(require.resolve(`${CUDA_PLATFORM_PACKAGE}/package.json`));
    const file = path.join(dir, "recforge_cuda.node");
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

function loadCuda(): { addon: CudaAddon | null; reason: string; path: string | null; info: CudaDeviceInfo | null } {
  if (process.env.RECFORGE_DISABLE_CUDA === "1")
    return { addon: null, reason: "disabled by RECFORGE_DISABLE_CUDA=1", path: null, info: null };
  // Order: an explicit path, a local build (npm run build:cuda), the platform package.
  const local = path.join(root, "build", "Release", "recforge_cuda.node");
  const file = process.env.RECFORGE_CUDA_ADDON || (fs.existsSync(local) ? local : platformPackageAddon() ?? local);
  if (!fs.existsSync(file))
    return {
      addon: null,
      reason:
        `no CUDA addon is installed (install the prebuilt one with \`npm install ${CUDA_PLATFORM_PACKAGE}\`, ` +
        "or build it with `npm run build:cuda` on a machine with nvcc)",
      path: null,
      info: null,
    };
  try {
    const addon: CudaAddon = cudaOps(require(file) as RawAddon);
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
// entry points of autocast (gemmLowp, intervalAttention*Lowp) round the float32 inputs with the
// CPU addon's roundHalf (the device conversions' rounding) into temporary storages and run the
// float32 kernels: 16-bit inputs, fp32 accumulation, float32 outputs, as on the device.
// NCCL of the emulated device: its storages are host storages, so the collectives are the MPI
// ones (blocking here; ncclWait has nothing left to wait for). It lets the device path of
// recforge.distributed (cuda tensors through NCCL) run under mpirun without a GPU.
function emulatedNccl(): Pick<CudaAddon, "ncclLoadError" | "ncclUniqueId" | "ncclInit" | "ncclAllreduce" | "ncclBroadcast" | "ncclWait" | "ncclDestroy"> {
  let size = 0;
  const timeoutS = 300;
  const need = () => {
    if (!size) throw new Error("recforge.distributed: no NCCL communicator (initialise the process group's NCCL first)");
  };
  return {
    ncclLoadError: () => "",
    ncclUniqueId: (a) => new Uint8Array(a.out.buffer, a.out.byteOffset, a.out.byteLength).fill(0),
    ncclInit: (a) => {
      size = a.size;
      return "emulated over MPI (RECFORGE_CUDA_EMULATE=1)";
    },
    ncclAllreduce: (a) => {
      need();
      if (size > 1) native.mpiWait({ request: native.mpiAllreduceStart({ dtype: a.dtype, n: a.n, x: a.x }), timeoutS });
      if (a.average) native.scaleInplace({ dtype: a.dtype, n: a.n, x: a.x, scale: 1 / size });
    },
    ncclBroadcast: (a) => {
      need();
      if (size > 1) native.mpiWait({ request: native.mpiBroadcastStart({ dtype: a.dtype, n: a.n, x: a.x, root: a.root }), timeoutS });
    },
    ncclWait: () => need(),
    ncclDestroy: () => {
      size = 0;
    },
  };
}

function emulatedCuda(): CudaAddon {
  // Handles are numbers now: a Map, and every free deletes its entry (no leak).
  const sizes = new Map<Handle, number>();
  const st = { live: 0, peak: 0, blocks: 0, allocs: 0 };
  const copy = (a: { dst: Handle; dstByte: number; src: Handle; srcByte: number; nbytes: number }) => {
    const buf = new Uint8Array(a.nbytes);
    native.read({ handle: a.src, byteOffset: a.srcByte, out: buf });
    native.write({ handle: a.dst, byteOffset: a.dstByte, data: buf });
  };
  const addon: CudaAddon = {
    ...native,
    alloc(a) {
      const h = native.alloc(a);
      sizes.set(h, a.nbytes);
      st.live += a.nbytes;
      st.blocks++;
      st.allocs++;
      st.peak = Math.max(st.peak, st.live);
      return h;
    },
    free(a) {
      const n = sizes.get(a.handle);
      if (n !== undefined) {
        sizes.delete(a.handle);
        st.live -= n;
        st.blocks--;
      }
      native.free(a);
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
    ...emulatedNccl(),
  };
  return addon;
}

type LowpOps = Pick<CudaOps, "gemmLowp" | "intervalAttentionForwardLowp" | "intervalAttentionBackwardLowp">;

// The 16-bit entry points over the CPU addon: each listed float32 operand is rounded into a fresh
// CPU storage (freed afterwards), then the float32 kernel runs on the copies.
function emulatedLowp(cpu: CpuOps): LowpOps {
  const kindOf = (kind: HalfKind, fn: string): HalfKind => {
    if (kind === HalfKind.BF16 || kind === HalfKind.FP16) return kind;
    throw new RangeError(`${fn}: kind must be 0 (bfloat16) or 1 (float16), got ${String(kind)}`);
  };
  const f32 = (dtype: DType, fn: string) => {
    if (dtype !== DType.F32) throw new TypeError(`${fn}: dtype must be float32 (0), got ${String(dtype)}`);
  };
  const withRounded = (kind: HalfKind, ops: [TensorRef, number][], run: (copies: TensorRef[]) => void) => {
    const copies: TensorRef[] = [];
    try {
      for (const [t, n] of ops) {
        const c = { _h: cpu.alloc({ nbytes: Math.max(4 * n, 4) }), offset: 0 };
        copies.push(c);
        cpu.roundHalf({ kind, n, x: t, y: c });
      }
      run(copies);
    } finally {
      for (const c of copies) cpu.free({ handle: c._h });
    }
  };
  // Elements spanned by `batch` rows x cols matrices (row stride ld, batch stride s); 0 when empty.
  const extent = (rows: number, cols: number, ld: number, s: number, batch: number) =>
    rows === 0 || cols === 0 || batch === 0 ? 0 : (batch - 1) * s + (rows - 1) * ld + cols;
  return {
    gemmLowp(a: GemmLowpArgs) {
      const kind = kindOf(a.kind, "gemmLowp");
      const nA = extent(a.transA ? a.K : a.M, a.transA ? a.M : a.K, a.lda, a.strideA, a.batch);
      const nB = extent(a.transB ? a.N : a.K, a.transB ? a.K : a.N, a.ldb, a.strideB, a.batch);
      withRounded(kind, [[a.a, nA], [a.b, nB]], ([ra, rb]) => cpu.gemm({ ...a, dtype: DType.F32, a: ra, b: rb }));
    },
    intervalAttentionForwardLowp(a: IntervalAttentionForwardLowpArgs) {
      const kind = kindOf(a.kind, "intervalAttentionForwardLowp");
      f32(a.dtype, "intervalAttentionForwardLowp");
      const n = a.H * a.L * a.D;
      withRounded(kind, [[a.q, n], [a.k, n], [a.v, n]], ([q, k, v]) => cpu.intervalAttentionForward({ ...a, q, k, v }));
    },
    // q, k, v and dout rounded; out (the float32 forward output), lse and the outputs float32.
    intervalAttentionBackwardLowp(a: IntervalAttentionBackwardLowpArgs) {
      const kind = kindOf(a.kind, "intervalAttentionBackwardLowp");
      f32(a.dtype, "intervalAttentionBackwardLowp");
      const n = a.H * a.L * a.D;
      withRounded(kind, [[a.q, n], [a.k, n], [a.v, n], [a.dout, n]], ([q, k, v, dout]) =>
        cpu.intervalAttentionBackward({ ...a, q, k, v, dout }),
      );
    },
  };
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

/** The ops that run on `device`, "cpu" or "cuda" (same names and arguments on both). */
export function backend(device: string): NativeAddon {
  if (device === "cpu") return native;
  if (device === "cuda") {
    if (cuda) return cuda;
    throw new TypeError(`recforge: device "cuda" is not available: ${cudaUnavailableReason} (see recforge.backends())`);
  }
  throw new TypeError(`recforge: unknown device ${JSON.stringify(device)}`);
}
