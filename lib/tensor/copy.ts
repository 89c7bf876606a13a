// In-place element copy between two tensors of the same shape and dtype (any strides).
// Used where identity must be preserved: loading a state dict into live parameters,
// restoring optimiser state, checkpoint loads.
import { native } from "../native.js";
import { DTYPE_CODE } from "./dtype.js";
import { sameShape, shapeStr } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** dst[...] = src[...]. Shapes and dtypes must match exactly (no broadcasting, no casting). */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst._check("copy destination");
  src._check("copy source");
  if (!sameShape(dst.shape, src.shape) || dst.dtype !== src.dtype)
    throw new RangeError(
      `recforge: copy: source ${shapeStr(src.shape)} ${src.dtype} does not match destination ${shapeStr(dst.shape)} ${dst.dtype}`,
    );
  if (dst.size === 0) return;
  native.stridedCopy(DTYPE_CODE[dst.dtype], dst.shape, src._h, src.offset, src.strides, dst._h, dst.offset, dst.strides);
}
