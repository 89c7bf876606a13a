// Shared helpers for op implementations: argument checks, output allocation,
// contiguity, scalar promotion. Every op validates in TypeScript (clear messages naming
// shapes) before the binding re-validates memory bounds natively.
import { backend, native, type NativeAddon } from "../native.js";
import type { CpuOnlyOps, CudaOnlyOps } from "../native_ops.generated.js";
import { DTYPE_CODE, type Device, type DType, isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

export { native, DTYPE_CODE };

/**
 * The binding object for the device the tensors live on: the CPU addon or the CUDA addon,
 * with the same function names and arguments. All tensors must share one device.
 */
export function backendFor(...ts: (Tensor | null | undefined)[]): NativeAddon {
  let dev: Device | null = null;
  for (const t of ts) {
    if (!t) continue;
    if (dev === null) dev = t.device;
    else if (t.device !== dev)
      throw new TypeError(`recforge: tensors are on different devices (${dev} and ${t.device}); move one with .to("${dev}")`);
  }
  return backend(dev ?? "cpu");
}

type DeviceOnlyOps = CpuOnlyOps & CudaOnlyOps;

/**
 * backendFor(...ts)[fn] for ops whose kernel is not bound on every device (the op table's
 * cpu-only or cuda-only entries): a TypeError naming the op and the device instead of
 * "undefined is not a function".
 */
export function kernelFor<K extends keyof DeviceOnlyOps>(op: string, fn: K, ...ts: (Tensor | null | undefined)[]): DeviceOnlyOps[K] {
  const f = backendFor(...ts)[fn] as DeviceOnlyOps[K] | undefined;
  if (typeof f === "function") return f;
  const dev = ts.find((t) => t)?.device ?? "cpu";
  throw new TypeError(`recforge: ${op}: not available on ${dev} yet (no ${fn} kernel binding there); move the inputs with .to("cpu")`);
}

/** Names a bad argument in an error message: "null", "a plain array (length 2)", "the string \"abc\"", ... */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `a plain array (length ${v.length})`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 24 ? v.slice(0, 24) + "..." : v)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  if (typeof v === "function") return "a function";
  const name = (v as object).constructor?.name;
  return name && name !== "Object" ? `an object of type ${name}` : "a plain object";
}

/** An options bag: undefined/null mean "no options"; anything but a plain object is a TypeError. */
export function options<T extends object>(o: T | null | undefined, op: string): T {
  if (o === undefined || o === null) return {} as T;
  // plain objects only: a Tensor passed by mistake has methods named like options (mean, ...)
  const proto = typeof o === "object" ? Object.getPrototypeOf(o) : undefined;
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`recforge: ${op}: options must be a plain object, got ${describe(o)}`);
  return o;
}

export function assertTensor(t: unknown, op: string, what = "input"): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`recforge: ${op}: ${what} must be a Tensor, got ${describe(t)}`);
  return t._check(`${op}: ${what}`);
}

export function assertFloat(t: Tensor, op: string, what = "input"): Tensor {
  if (!isFloat(t.dtype)) throw new TypeError(`recforge: ${op}: ${what} must be float32 or float64, got ${t.dtype}`);
  return t;
}

export function assertInt(t: Tensor, op: string, what = "indices"): Tensor {
  if (t.dtype !== "int32") throw new TypeError(`recforge: ${op}: ${what} must be int32, got ${t.dtype}`);
  return t;
}

export function assertSameDType(a: Tensor, b: Tensor, op: string): void {
  if (a.dtype !== b.dtype) throw new TypeError(`recforge: ${op}: dtypes differ (${a.dtype} vs ${b.dtype}); cast one with .cast()`);
}

export function assertNumber(v: unknown, op: string, what: string): number {
  if (typeof v !== "number") throw new TypeError(`recforge: ${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}

export function code(t: Tensor): number {
  return DTYPE_CODE[t.dtype];
}

export function empty(shape: readonly number[], dtype: DType, device: Device = "cpu"): Tensor {
  return Tensor.empty(shape, dtype, device);
}

/** Returns t when contiguous, else a contiguous copy (caller disposes when !== t). */
export function contiguousRaw(t: Tensor): Tensor {
  if (t.isContiguous) return t;
  const out = Tensor.empty(t.shape, t.dtype, t.device);
  backendFor(t).stridedCopy({ dtype: code(t), shape: t.shape, src: t, srcStrides: t.strides, dst: out, dstStrides: out.strides });
  return out;
}

export function scalarLike(v: number, like: Tensor): Tensor {
  const t = Tensor.empty([], like.dtype, like.device);
  backendFor(t).fill({ dtype: code(t), n: 1, dst: t, value: v });
  return t;
}
