// Elementwise ops: unary maps, broadcasting binary arithmetic, comparisons, where, cast.
// Forward calls one native kernel; backward is written with the same ops (no graph is
// recorded inside backward).
import { needsGrad, record, save } from "../autograd/engine.js";
import { Tensor } from "../tensor/tensor.js";
import { disposeOnThrow } from "../tensor/scope.js";
import { broadcastShapes, broadcastStrides, sameShape, type Shape } from "../tensor/shape.js";
import { type DType, checkDType, isFloat } from "../tensor/dtype.js";
import { assertFloat, assertNumber, assertTensor, code, backendFor, contiguousRaw, describe, empty, scalarLike } from "./core.js";
import { reshape } from "./shape.js";
import { sum } from "./reduce.js";

// The kernels' op codes come from the op table (native/ops.table.mjs); U is exported for the other ops.
export { UnaryOp as U } from "../native_ops.generated.js";
import { UnaryOp as U, BinaryOp as B } from "../native_ops.generated.js";

export function unaryRaw(op: U, x: Tensor, a = 0, b = 0): Tensor {
  const xc = contiguousRaw(x);
  const y = empty(x.shape, x.dtype, x.device);
  backendFor(xc).unary({ dtype: code(x), op, n: x.size, x: xc, out: y, a, b });
  if (xc !== x) xc.dispose();
  return y;
}

function unary(name: string, op: U, x: Tensor, a = 0, b = 0): Tensor {
  assertTensor(x, name);
  assertFloat(x, name);
  const xc = contiguousRaw(x);
  const y = empty(x.shape, x.dtype, x.device);
  backendFor(xc).unary({ dtype: code(x), op, n: x.size, x: xc, out: y, a, b });
  if (!needsGrad(x)) {
    if (xc !== x) xc.dispose();
    return y;
  }
  const xs = xc !== x ? xc : save(x), ys = save(y);
  return record(
    y,
    name,
    [x],
    (g) => {
      const gc = contiguousRaw(g);
      const gx = empty(x.shape, x.dtype, x.device);
      backendFor(xs, ys, gc).unaryBackward({ dtype: code(x), op, n: x.size, x: xs, y: ys, grad: gc, gradInput: gx, a, b });
      if (gc !== g) gc.dispose();
      return [gx];
    },
    [xs, ys],
  );
}

export const neg = (x: Tensor) => unary("neg", U.Neg, x);
export const exp = (x: Tensor) => unary("exp", U.Exp, x);
export const log = (x: Tensor) => unary("log", U.Log, x);
export const sqrt = (x: Tensor) => unary("sqrt", U.Sqrt, x);
export const rsqrt = (x: Tensor) => unary("rsqrt", U.Rsqrt, x);
export const abs = (x: Tensor) => unary("abs", U.Abs, x);
export const relu = (x: Tensor) => unary("relu", U.Relu, x);
export const leakyRelu = (x: Tensor, slope = 0.01) => unary("leakyRelu", U.LeakyRelu, x, assertNumber(slope, "leakyRelu", "slope"));
export const elu = (x: Tensor, alpha = 1) => unary("elu", U.Elu, x, assertNumber(alpha, "elu", "alpha"));
export const gelu = (x: Tensor) => unary("gelu", U.Gelu, x);
export const silu = (x: Tensor) => unary("silu", U.Silu, x);
export const sigmoid = (x: Tensor) => unary("sigmoid", U.Sigmoid, x);
export const tanh = (x: Tensor) => unary("tanh", U.Tanh, x);
export const square = (x: Tensor) => unary("square", U.Square, x);
export const reciprocal = (x: Tensor) => unary("reciprocal", U.Reciprocal, x);
export const sign = (x: Tensor) => unary("sign", U.Sign, x);

export function clamp(x: Tensor, min = -Infinity, max = Infinity): Tensor {
  assertNumber(min, "clamp", "min");
  assertNumber(max, "clamp", "max");
  if (min > max) throw new RangeError(`recforge: clamp: min ${min} is greater than max ${max}`);
  return unary("clamp", U.Clamp, x, min, max);
}

// ---- binary -----------------------------------------------------------------------

/** Sums a broadcast gradient back to `shape` (the shape of the input it belongs to). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(g, axes, true) : g;
  const r = reshape(s, shape);
  if (s !== g && r !== s) s.dispose();
  return r;
}

function binaryRaw(op: B, a: Tensor, b: Tensor, name: string): Tensor {
  if (a.dtype !== b.dtype) throw new TypeError(`recforge: ${name}: dtypes differ (${a.dtype} vs ${b.dtype}); cast one with .cast()`);
  const shape = broadcastShapes(a.shape, b.shape, name);
  const be = backendFor(a, b); // both on one device, checked before the output exists
  const out = empty(shape, a.dtype, a.device);
  be.binary({ dtype: code(a), op, shape, a, aStrides: broadcastStrides(a.shape, a.strides, shape), b, bStrides: broadcastStrides(b.shape, b.strides, shape), out });
  return out;
}

type Operand = Tensor | number;

function toTensor(v: Operand, like: Tensor, op: string): [Tensor, boolean] {
  if (v instanceof Tensor) return [assertTensor(v, op, "operand"), false];
  if (typeof v === "number") {
    // An int32 scalar would be truncated (lt(x, 2.5) would compare with 2): refuse instead.
    if (like.dtype === "int32" && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647))
      throw new RangeError(`recforge: ${op}: the number ${v} is not an int32 value; cast the int32 tensor to float first`);
    return [scalarLike(v, like), true];
  }
  throw new TypeError(`recforge: ${op}: operands must be Tensors or numbers, got ${describe(v)}`);
}

type BinaryGrad = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];
// The op bodies below create scalar tensors and copies before checks that can still fail
// (broadcasting, dtypes, native index checks): disposeOnThrow frees those on a throw.
function binary(name: string, op: B, a: Operand, b: Operand, grad: BinaryGrad): Tensor {
  return disposeOnThrow(() => binaryBody(name, op, a, b, grad));
}
function binaryBody(name: string, op: B, a: Operand, b: Operand, grad: BinaryGrad): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  if (!like) throw new TypeError(`recforge: ${name}: at least one operand must be a Tensor`);
  assertTensor(like, name);
  const [ta, ownA] = toTensor(a, like, name);
  const [tb, ownB] = toTensor(b, like, name);
  if ((op === B.Div || op === B.Pow) && !isFloat(ta.dtype)) throw new TypeError(`recforge: ${name}: needs float tensors, got ${ta.dtype}`);
  const out = binaryRaw(op, ta, tb, name);
  if (!isFloat(out.dtype) || !needsGrad(ownA ? null : ta, ownB ? null : tb)) {
    if (ownA) ta.dispose();
    if (ownB) tb.dispose();
    return out;
  }
  const sa = ownA ? ta : save(ta), sb = ownB ? tb : save(tb), so = save(out);
  return record(
    out,
    name,
    [ownA ? null : ta, ownB ? null : tb],
    (g) => {
      const [ga, gb] = grad(g, sa, sb, so);
      const ra = ga && !ownA ? sumTo(ga, ta.shape) : null;
      const rb = gb && !ownB ? sumTo(gb, tb.shape) : null;
      if (ga && ga !== ra && ga !== g) ga.dispose();
      if (gb && gb !== rb && gb !== g) gb.dispose();
      return [ra, rb];
    },
    [sa, sb, so],
  );
}

// The fused scalar kernels are float-only; int32 tensors with a number take the binary path.
const floatTensor = (v: Operand): v is Tensor => v instanceof Tensor && isFloat(v.dtype);

export function add(a: Operand, b: Operand): Tensor {
  if (floatTensor(a) && typeof b === "number") return unary("add", U.AddScalar, a, b);
  if (floatTensor(b) && typeof a === "number") return unary("add", U.AddScalar, b, a);
  return binary("add", B.Add, a, b, (g) => [g, g]);
}
export function sub(a: Operand, b: Operand): Tensor {
  if (floatTensor(a) && typeof b === "number") return unary("sub", U.AddScalar, a, -b);
  return binary("sub", B.Sub, a, b, (g) => [g, unaryRaw(U.Neg, g)]);
}
export function mul(a: Operand, b: Operand): Tensor {
  if (floatTensor(a) && typeof b === "number") return unary("mul", U.MulScalar, a, b);
  if (floatTensor(b) && typeof a === "number") return unary("mul", U.MulScalar, b, a);
  return binary("mul", B.Mul, a, b, (g, x, y) => [binaryRaw(B.Mul, g, y, "mul"), binaryRaw(B.Mul, g, x, "mul")]);
}
export function div(a: Operand, b: Operand): Tensor {
  if (floatTensor(a) && typeof b === "number") return unary("div", U.MulScalar, a, 1 / b);
  return binary("div", B.Div, a, b, (g, _x, y, out) => {
    const ga = binaryRaw(B.Div, g, y, "div");
    const t = binaryRaw(B.Mul, ga, out, "div");
    const gb = unaryRaw(U.Neg, t);
    t.dispose();
    return [ga, gb];
  });
}
export function pow(a: Operand, b: Operand): Tensor {
  if (floatTensor(a) && typeof b === "number") return unary("pow", U.PowScalar, a, b);
  return binary("pow", B.Pow, a, b, (g, x, y, out) => {
    // d/dx x^y = y x^(y-1) = y * out / x ; d/dy = out * log(x)
    const ym1 = unaryRaw(U.AddScalar, y, -1);
    const xp = binaryRaw(B.Pow, x, ym1, "pow");
    const t = binaryRaw(B.Mul, xp, y, "pow");
    const ga = binaryRaw(B.Mul, g, t, "pow");
    const lx = unaryRaw(U.Log, x);
    const t2 = binaryRaw(B.Mul, out, lx, "pow");
    const gb = binaryRaw(B.Mul, g, t2, "pow");
    [ym1, xp, t, lx, t2].forEach((v) => v.dispose());
    return [ga, gb];
  });
}
function oneMinus(m: Tensor): Tensor {
  const n = unaryRaw(U.Neg, m);
  const r = unaryRaw(U.AddScalar, n, 1);
  n.dispose();
  return r;
}

// 1 where the result of maximum/minimum came from a: a wins ties (cmp = Ge / Le), and a NaN
// in a (which the forward kernel returns) also routes the gradient to a, as amax does.
function fromA(cmp: B, x: Tensor, y: Tensor, name: string): Tensor {
  const m = binaryRaw(cmp, x, y, name);
  const nan = binaryRaw(B.Ne, x, x, name);
  const r = binaryRaw(B.Add, m, nan, name); // the two are never both 1
  m.dispose();
  nan.dispose();
  return r;
}

export function maximum(a: Operand, b: Operand): Tensor {
  return binary("maximum", B.Maximum, a, b, (g, x, y) => {
    const m = fromA(B.Ge, x, y, "maximum");
    const inv = oneMinus(m);
    const r: [Tensor, Tensor] = [binaryRaw(B.Mul, g, m, "maximum"), binaryRaw(B.Mul, g, inv, "maximum")];
    m.dispose();
    inv.dispose();
    return r;
  });
}
export function minimum(a: Operand, b: Operand): Tensor {
  return binary("minimum", B.Minimum, a, b, (g, x, y) => {
    const m = fromA(B.Le, x, y, "minimum");
    const inv = oneMinus(m);
    const r: [Tensor, Tensor] = [binaryRaw(B.Mul, g, m, "minimum"), binaryRaw(B.Mul, g, inv, "minimum")];
    m.dispose();
    inv.dispose();
    return r;
  });
}

function compare(name: string, op: B, a: Operand, b: Operand): Tensor {
  return disposeOnThrow(() => compareBody(name, op, a, b));
}
function compareBody(name: string, op: B, a: Operand, b: Operand): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  if (!like) throw new TypeError(`recforge: ${name}: at least one operand must be a Tensor`);
  assertTensor(like, name);
  const [ta, ownA] = toTensor(a, like, name);
  const [tb, ownB] = toTensor(b, like, name);
  const out = binaryRaw(op, ta, tb, name);
  if (ownA) ta.dispose();
  if (ownB) tb.dispose();
  return out;
}
/** Comparisons return 1/0 in the operands' dtype and carry no gradient. */
export const eq = (a: Operand, b: Operand) => compare("eq", B.Eq, a, b);
export const ne = (a: Operand, b: Operand) => compare("ne", B.Ne, a, b);
export const lt = (a: Operand, b: Operand) => compare("lt", B.Lt, a, b);
export const le = (a: Operand, b: Operand) => compare("le", B.Le, a, b);
export const gt = (a: Operand, b: Operand) => compare("gt", B.Gt, a, b);
export const ge = (a: Operand, b: Operand) => compare("ge", B.Ge, a, b);

/** where(cond, a, b): a where cond != 0, else b; broadcasts all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  return disposeOnThrow(() => whereBody(cond, a, b));
}
function whereBody(cond: Tensor, a: Operand, b: Operand): Tensor {
  assertTensor(cond, "where", "cond");
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  if (!like) throw new TypeError("recforge: where: a or b must be a Tensor");
  const [ta, ownA] = toTensor(a, like, "where");
  const [tb, ownB] = toTensor(b, like, "where");
  if (ta.dtype !== tb.dtype) throw new TypeError(`recforge: where: dtypes differ (${ta.dtype} vs ${tb.dtype})`);
  let c = cond.dtype === ta.dtype ? cond : castRaw(cond, ta.dtype);
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, "where"), tb.shape, "where");
  const whereRaw = (x: Tensor, y: Tensor, shp: Shape) => {
    const be = backendFor(x, y, c);
    const o = empty(shp, x.dtype, x.device);
    be.where({ dtype: code(x), shape: shp, cond: c, condStrides: broadcastStrides(c.shape, c.strides, shp), a: x, aStrides: broadcastStrides(x.shape, x.strides, shp), b: y, bStrides: broadcastStrides(y.shape, y.strides, shp), out: o });
    return o;
  };
  const out = whereRaw(ta, tb, shape);
  const owned = [...(ownA ? [ta] : []), ...(ownB ? [tb] : []), ...(c !== cond ? [c] : [])];
  if (!isFloat(out.dtype) || !needsGrad(ownA ? null : ta, ownB ? null : tb)) {
    owned.forEach((t) => t.dispose());
    return out;
  }
  if (c === cond) owned.push((c = save(cond)));
  return record(out, "where", [ownA ? null : ta, ownB ? null : tb], (g) => {
    const z = scalarLike(0, g);
    const ga = ownA ? null : sumToOwned(whereRaw(g, z, g.shape), ta.shape);
    const gb = ownB ? null : sumToOwned(whereRaw(z, g, g.shape), tb.shape);
    z.dispose();
    return [ga, gb];
  }, owned);
}

function sumToOwned(g: Tensor, shape: Shape): Tensor {
  const r = sumTo(g, shape);
  if (r !== g) g.dispose();
  return r;
}

export function castRaw(x: Tensor, dtype: DType): Tensor {
  const xc = contiguousRaw(x);
  const out = empty(x.shape, dtype, x.device);
  backendFor(xc).cast({ srcDtype: code(xc), dstDtype: code(out), n: x.size, src: xc, dst: out });
  if (xc !== x) xc.dispose();
  return out;
}

/** Converts to another dtype (a copy). Gradients flow between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  assertTensor(x, "cast");
  checkDType(dtype);
  const out = castRaw(x, dtype);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return out;
  return record(out, "cast", [x], (g) => [castRaw(g, x.dtype)]);
}

/** A contiguous copy that stays in the graph. */
export function clone(x: Tensor): Tensor {
  assertTensor(x, "clone");
  const out = empty(x.shape, x.dtype, x.device);
  backendFor(x).stridedCopy({ dtype: code(x), shape: x.shape, src: x, srcStrides: x.strides, dst: out, dstStrides: out.strides });
  return record(out, "clone", [x], (g) => [g]);
}

/** @internal gradient accumulation without graph recording */
export function addRaw(a: Tensor, b: Tensor): Tensor {
  return binaryRaw(B.Add, a, b, "add");
}
export function mulRaw(a: Tensor, b: Tensor): Tensor {
  return binaryRaw(B.Mul, a, b, "mul");
}
