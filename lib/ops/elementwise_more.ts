// Re-exports plus small derived elementwise helpers used by composites.
import { Tensor } from "../tensor/tensor.js";
import { assertTensor } from "./core.js";
import { abs, eq, lt } from "./elementwise.js";
export * from "./elementwise.js";

/** 1 where x is finite (not NaN, not ±inf), else 0; no gradient. */
export function isfinite(x: Tensor): Tensor {
  assertTensor(x, "isfinite");
  const a = abs(x);
  const r = lt(a, Infinity); // NaN < inf is false
  a.dispose();
  return r;
}

/** 1 where x is NaN. */
export function isnan(x: Tensor): Tensor {
  assertTensor(x, "isnan");
  const e = eq(x, x);
  const r = eq(e, 0);
  e.dispose();
  return r;
}
