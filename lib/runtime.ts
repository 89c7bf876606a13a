// What this build and machine can do, and the CPU thread count.
import { native } from "./native.js";

export interface Backends {
  cpu: { threads: number; gemm: string };
  cuda: { available: boolean; reason: string };
}

export function backends(): Backends {
  return {
    cpu: { threads: native.getNumThreads(), gemm: native.gemmBackend() },
    cuda: { available: false, reason: "this package build has no CUDA addon loaded (build it with `npm run build:cuda` on a machine with nvcc)" },
  };
}

/** Threads used by recforge's CPU kernels (and the BLAS library, when one is loaded). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`recforge: setNumThreads: expected a positive integer, got ${n}`);
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
