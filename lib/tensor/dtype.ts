export type DType = "float32" | "float64" | "int32";
export type Device = "cpu" | "cuda";
export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2 };
export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

export function checkDType(d: unknown, what = "dtype"): DType {
  if (d === "float32" || d === "float64" || d === "int32") return d;
  throw new TypeError(`recforge: ${what} must be "float32", "float64" or "int32", got ${JSON.stringify(d)}`);
}

export function typedArrayFor(d: DType, n: number): TypedArray {
  return d === "float32" ? new Float32Array(n) : d === "float64" ? new Float64Array(n) : new Int32Array(n);
}

export function dtypeOfArray(a: ArrayBufferView): DType | null {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return null;
}
