// What this build and machine can do, and the CPU thread count.
import { native, cuda, cudaAddonPath, cudaInfo, cudaUnavailableReason } from "./native.js";

export interface CudaBackendInfo {
  available: boolean;
  /** Why CUDA cannot be used (empty when available). */
  reason: string;
  /** Present when a device is usable. */
  device?: { name: string; capability: string; smCount: number; totalBytes: number; driverVersion: number; runtimeVersion: number };
  /** "cublas" or "own" (recforge's own kernels). */
  gemm?: string;
  addon?: string;
}

export interface Backends {
  /**
   * isa: the instruction-set variant of the CPU kernels ("baseline", "avx2", "avx512"), chosen at
   * load from what the CPU supports or RECFORGE_CPU_ISA; isaReason: why. gemm: the CBLAS library
   * found ("openblas: <path> (<core>)", "own ..."); gemmDispatch: what the GEMM dispatch sends to it
   * and why, e.g. "OpenBLAS 0.3.21 core Prescott (sse3) < own kernels avx512 -> own GEMM for every
   * shape" (native/cpu/gemm_choice.cc).
   */
  cpu: { threads: number; gemm: string; gemmDispatch: string; isa: string; isaReason: string };
  cuda: CudaBackendInfo;
}

export function backends(): Backends {
  const c: CudaBackendInfo = { available: cuda !== null, reason: cudaUnavailableReason };
  if (cuda && cudaInfo) {
    c.device = {
      name: cudaInfo.name,
      capability: `${cudaInfo.major}.${cudaInfo.minor}`,
      smCount: cudaInfo.smCount,
      totalBytes: cudaInfo.totalBytes,
      driverVersion: cudaInfo.driverVersion,
      runtimeVersion: cudaInfo.runtimeVersion,
    };
    c.gemm = cuda.gemmBackend();
    c.addon = cudaAddonPath ?? undefined;
  }
  return {
    cpu: { threads: native.getNumThreads(), gemm: native.gemmBackend(), gemmDispatch: native.gemmDispatch(), isa: native.cpuIsa(), isaReason: native.cpuIsaReason() },
    cuda: c,
  };
}

/** Threads used by recforge's CPU kernels (and the BLAS library, when one is loaded). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`recforge: setNumThreads: expected a positive integer, got ${n}`);
  native.setNumThreads({ n });
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Waits for all queued device work; reports a pending device-side fault as an Error. No-op without CUDA. */
export function synchronize(): void {
  cuda?.synchronize();
}
