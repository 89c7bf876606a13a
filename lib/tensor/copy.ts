// In-place element copy between two tensors of the same shape and dtype (any strides).
// Used where identity must be preserved: loading a state dict into live parameters,
// restoring optimiser state, checkpoint loads.
import { backend } from "../native.js";
import { DTYPE_BYTES, DTYPE_CODE } from "./dtype.js";
import { sameShape, shapeStr } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * dst[...] = src[...]. Shapes and dtypes must match exactly (no broadcasting, no casting).
 * The two may live on different devices (a CPU checkpoint loaded into a CUDA model): the
 * elements then travel through a host typed array.
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst._check("copy destination");
  src._check("copy source");
  if (!sameShape(dst.shape, src.shape) || dst.dtype !== src.dtype)
    throw new RangeError(
      `recforge: copy: source ${shapeStr(src.shape)} ${src.dtype} does not match destination ${shapeStr(dst.shape)} ${dst.dtype}`,
    );
  if (dst.size === 0) return;
  const b = backend(dst.device);
  if (src.device === dst.device) {
    b.stridedCopy({ dtype: DTYPE_CODE[dst.dtype], shape: dst.shape, src, srcStrides: src.strides, dst, dstStrides: dst.strides });
    return;
  }
  const host = src.toTypedArray(); // contiguous, row-major
  if (dst.isContiguous) {
    b.write({ handle: dst._h, byteOffset: dst.offset * DTYPE_BYTES[dst.dtype], data: host });
    return;
  }
  const tmp = Tensor.empty(dst.shape, dst.dtype, dst.device);
  try {
    b.write({ handle: tmp._h, byteOffset: 0, data: host });
    b.stridedCopy({ dtype: DTYPE_CODE[dst.dtype], shape: dst.shape, src: tmp, srcStrides: tmp.strides, dst, dstStrides: dst.strides });
  } finally {
    tmp.dispose();
  }
}
