// Tensor creation: from JS data, constants, ranges, and seeded random draws.
import { Tensor } from "../tensor/tensor.js";
import { DTYPE_CODE, type Device, type DType, checkDType, dtypeOfArray, isFloat } from "../tensor/dtype.js";
import { checkShape, numel, shapeStr } from "../tensor/shape.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { backend } from "../native.js";
import { assertFloat, assertNumber, assertTensor, code, describe, options } from "./core.js";
import { mul } from "./elementwise.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** "cpu" (default) or "cuda" (needs the CUDA addon and a device: see backends()). */
  device?: Device;
}

function deviceOf(opts: { device?: Device }): Device {
  const d = opts.device ?? "cpu";
  if (d !== "cpu" && d !== "cuda") throw new TypeError(`recforge: unknown device ${describe(d)}; expected "cpu" or "cuda"`);
  return d;
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let cur = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flatten(data: unknown, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== "number" && typeof data !== "boolean")
      throw new TypeError(`recforge: tensor: expected numbers, found ${describe(data)}`);
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim])
    throw new RangeError(`recforge: tensor: ragged nested array (expected length ${shape[dim]} at depth ${dim})`);
  for (const x of data) flatten(x, shape, dim + 1, out);
}

/**
 * A tensor from a number, nested arrays, or a typed array (Float32Array → float32,
 * Float64Array → float64, Int32Array → int32 unless dtype says otherwise); `shape`
 * reshapes flat data.
 */
export function tensor(data: unknown, opts: CreateOptions & { shape?: number[] } = {}): Tensor {
  opts = options(opts, "tensor");
  let flat: ArrayLike<number>;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    const dt = dtypeOfArray(data);
    if (!dt && !opts.dtype) throw new TypeError(`recforge: tensor: unsupported typed array ${data.constructor.name}; use Float32Array, Float64Array or Int32Array`);
    dtype = opts.dtype ? checkDType(opts.dtype) : dt!;
    flat = data as unknown as ArrayLike<number>;
    shape = opts.shape ? checkShape(opts.shape) : [flat.length];
  } else {
    dtype = opts.dtype ? checkDType(opts.dtype) : "float32";
    if (typeof data === "number" || typeof data === "boolean") {
      flat = [Number(data)];
      shape = [];
    } else if (Array.isArray(data)) {
      shape = checkShape(inferShape(data), "tensor shape"); // at most 6 dims, like every op
      const out: number[] = [];
      flatten(data, shape, 0, out);
      flat = out;
    } else throw new TypeError(`recforge: tensor: cannot make a tensor from ${describe(data)}`);
    if (opts.shape) shape = checkShape(opts.shape);
  }
  if (numel(shape) !== flat.length) throw new RangeError(`recforge: tensor: ${flat.length} values do not fill shape ${shapeStr(shape)}`);
  // Int32Array.from would silently wrap 2**31 to -2**31 and truncate fractions
  if (dtype === "int32" && !(flat instanceof Int32Array))
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)
        throw new RangeError(`recforge: tensor: int32 data must be integers in [-2147483648, 2147483647], got ${v} at index ${i}`);
    }
  const device = deviceOf(opts);
  const t = Tensor.empty(shape, dtype, device);
  if (flat.length) {
    const arr = dtype === "float32" ? Float32Array.from(flat) : dtype === "float64" ? Float64Array.from(flat) : Int32Array.from(flat);
    backend(device).write({ handle: t._h, byteOffset: 0, data: arr });
  }
  return finish(t, opts);
}

export function full(shape: number[], value: number, opts: CreateOptions = {}): Tensor {
  opts = options(opts, "full");
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? "float32");
  if (typeof value !== "number") throw new TypeError(`recforge: full: value must be a number, got ${describe(value)}`);
  const t = Tensor.empty(s, dtype, deviceOf(opts));
  backend(t.device).fill({ dtype: DTYPE_CODE[dtype], n: t.size, dst: t, value });
  return finish(t, opts);
}
export const zeros = (shape: number[], opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: number[], opts: CreateOptions = {}) => full(shape, 1, opts);
export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  opts = options(opts, "zerosLike");
  assertTensor(t, "zerosLike");
  return full([...t.shape], 0, { dtype: t.dtype, device: t.device, ...opts });
}
export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  opts = options(opts, "onesLike");
  assertTensor(t, "onesLike");
  return full([...t.shape], 1, { dtype: t.dtype, device: t.device, ...opts });
}

/** [start, end) by step; arange(n) = 0..n-1. int32 when all arguments are integers, else float32. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  opts = options(opts, "arange");
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const v of [start, end, step])
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`recforge: arange: arguments must be finite numbers, got ${describe(v)}`);
  if (step === 0) throw new RangeError("recforge: arange: step must not be 0");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype !== undefined ? checkDType(opts.dtype) : ints ? "int32" : "float32";
  if (n > 2147483647) throw new RangeError(`recforge: arange(${start}, ${end}, ${step}) would have ${n} elements`);
  // Int32Array would truncate fractions and wrap values past 2**31 without a word
  const last = start + (n - 1) * step;
  if (dtype === "int32" && n > 0 && (!ints || Math.min(start, last) < -2147483648 || Math.max(start, last) > 2147483647))
    throw new RangeError(`recforge: arange(${start}, ${end}, ${step}): int32 needs integer arguments and values within the int32 range`);
  const data = dtype === "int32" ? new Int32Array(n) : dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return tensor(data, { dtype, requiresGrad: opts.requiresGrad, device: opts.device });
}

export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  opts = options(opts, "eye");
  const t = zeros([n, m], opts);
  const dtype = t.dtype;
  const one = dtype === "float64" ? new Float64Array([1]) : dtype === "int32" ? new Int32Array([1]) : new Float32Array([1]);
  const b = backend(t.device);
  for (let i = 0; i < Math.min(n, m); i++) b.write({ handle: t._h, byteOffset: (i * m + i) * one.BYTES_PER_ELEMENT, data: one });
  return t;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

function generatorOf(g: unknown): Generator {
  if (g === undefined || g === null) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`recforge: generator must be a recforge Generator, got ${describe(g)}`);
  return g;
}

function randomFill(kind: number, shape: number[], a: number, b: number, opts: RandomOptions): Tensor {
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? "float32");
  if (!isFloat(dtype)) throw new TypeError(`recforge: random floats need a float dtype, got ${dtype}; use randint`);
  const g = generatorOf(opts.generator);
  const t = Tensor.empty(s, dtype, deviceOf(opts));
  // Same Philox stream on every device: a seed gives the same numbers on cpu and cuda.
  backend(t.device).randomFill({ dtype: DTYPE_CODE[dtype], kind, seed: g.seed, offset: g.take(t.size), n: t.size, out: t, a, b });
  return finish(t, opts);
}

/** Uniform in [low, high). */
export function rand(shape: number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  opts = options(opts, "rand");
  return randomFill(0, shape, assertNumber(opts.low ?? 0, "rand", "low"), assertNumber(opts.high ?? 1, "rand", "high"), opts);
}
/** Normal with the given mean and std. */
export function randn(shape: number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  opts = options(opts, "randn");
  return randomFill(1, shape, assertNumber(opts.mean ?? 0, "randn", "mean"), assertNumber(opts.std ?? 1, "randn", "std"), opts);
}
/** 1 with probability p, else 0. */
export function bernoulli(shape: number[], p: number, opts: RandomOptions = {}): Tensor {
  opts = options(opts, "bernoulli");
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`recforge: bernoulli: p must be in [0, 1], got ${describe(p)}`);
  return randomFill(2, shape, p, 0, opts);
}
/** Integers uniform in [low, high), int32. */
export function randint(low: number, high: number, shape: number[], opts: { generator?: Generator; device?: Device } = {}): Tensor {
  opts = options(opts, "randint");
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TypeError("recforge: randint: bounds must be integers");
  if (high <= low) throw new RangeError(`recforge: randint: high (${high}) must exceed low (${low})`);
  // the values are stored as int32: wider bounds would wrap around silently
  if (low < -2147483648 || high > 2147483648)
    throw new RangeError(`recforge: randint: bounds [${low}, ${high}) must lie within the int32 range [-2147483648, 2147483648)`);
  const s = checkShape(shape);
  const g = generatorOf(opts.generator);
  const t = Tensor.empty(s, "int32", deviceOf(opts));
  backend(t.device).randomInt({ seed: g.seed, offset: g.take(t.size), n: t.size, out: t, low, high });
  return t;
}

/** Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1-p). Identity when !training. */
export function dropout(x: Tensor, p = 0.5, opts: { training?: boolean; generator?: Generator } = {}): Tensor {
  opts = options(opts, "dropout");
  assertTensor(x, "dropout");
  assertFloat(x, "dropout");
  if (typeof p !== "number" || !(p >= 0 && p < 1)) throw new RangeError(`recforge: dropout: p must be in [0, 1), got ${p}`);
  if (opts.training === false || p === 0) return x;
  const mask = bernoulli([...x.shape], 1 - p, { dtype: x.dtype, generator: opts.generator, device: x.device });
  backend(mask.device).scaleInplace({ dtype: code(mask), n: mask.size, x: mask, scale: 1 / (1 - p) });
  const out = mul(x, mask);
  mask.dispose();
  return out;
}

