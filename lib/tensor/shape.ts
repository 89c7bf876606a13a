// Shape arithmetic: validation, strides, broadcasting, axis normalisation.
export type Shape = readonly number[];
export const MAX_DIMS = 6;

export function shapeStr(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export function numel(s: Shape): number {
  let n = 1;
  for (const d of s) n *= d;
  return n;
}

export function checkShape(s: unknown, what = "shape"): number[] {
  if (!Array.isArray(s)) throw new TypeError(`recforge: ${what} must be an array of integers, got ${typeof s}`);
  if (s.length > MAX_DIMS) throw new RangeError(`recforge: ${what} ${shapeStr(s)} has more than ${MAX_DIMS} dims`);
  for (const d of s)
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(`recforge: ${what} ${shapeStr(s)} must hold non-negative integers`);
  if (numel(s) > Number.MAX_SAFE_INTEGER) throw new RangeError(`recforge: ${what} ${shapeStr(s)} has more than 2^53 elements`);
  return s.slice();
}

export function contiguousStrides(s: Shape): number[] {
  const st = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

export function broadcastShapes(a: Shape, b: Shape, op = "broadcast"): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1)
      throw new RangeError(`recforge: ${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

// Strides that read a tensor of shape `s` (strides `st`) as if expanded to `target`.
export function broadcastStrides(s: Shape, st: readonly number[], target: Shape): number[] {
  const n = target.length;
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < s.length; i++) {
    const j = n - s.length + i;
    out[j] = s[i] === 1 && target[j] !== 1 ? 0 : st[i];
  }
  return out;
}

export function normAxis(axis: number, ndim: number, what = "axis"): number {
  if (!Number.isInteger(axis)) throw new TypeError(`recforge: ${what} must be an integer, got ${axis}`);
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) throw new RangeError(`recforge: ${what} ${axis} is out of range for a ${ndim}-d tensor`);
  return a;
}

export function normAxes(axes: number | number[] | undefined | null, ndim: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = Array.isArray(axes) ? axes : [axes];
  const out = [...new Set(list.map((a) => normAxis(a, ndim)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new RangeError(`recforge: repeated axis in ${JSON.stringify(axes)}`);
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
