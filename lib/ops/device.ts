// Moving tensors between devices (tensor.to("cuda") / .to("cpu")). Differentiable: the
// gradient flows back to the source device. Copies go straight between the CPU storage
// and the device block (no intermediate JS array); non-contiguous views are compacted on
// their own device first.
import { needsGrad, record } from "../autograd/engine.js";
import { backend, cuda } from "../native.js";
import { DTYPE_BYTES, type Device } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, contiguousRaw } from "./core.js";

function checkDevice(d: unknown): Device {
  if (d === "cpu" || d === "cuda") return d;
  throw new TypeError(`recforge: unknown device ${JSON.stringify(d)}`);
}

/** A copy of x on `device` (no graph). */
export function toDeviceRaw(x: Tensor, device: Device): Tensor {
  backend(device); // says why when the device is unavailable
  const src = contiguousRaw(x);
  const out = Tensor.empty(x.shape, x.dtype, device);
  const nbytes = x.size * DTYPE_BYTES[x.dtype];
  try {
    if (nbytes > 0) {
      const off = src.offset * DTYPE_BYTES[x.dtype];
      if (device === "cuda") cuda!.copyFromHost(out._h, 0, src._h, off, nbytes);
      else cuda!.copyToHost(out._h, 0, src._h, off, nbytes);
    }
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (src !== x) src.dispose();
  }
  return out;
}

/** x on `device`: x itself when it is already there, else a copy that passes gradients back. */
export function to(x: Tensor, device: Device): Tensor {
  assertTensor(x, "to");
  checkDevice(device);
  if (device === x.device) return x;
  const out = toDeviceRaw(x, device);
  if (!needsGrad(x)) return out;
  const from = x.device;
  return record(out, "to", [x], (g) => [toDeviceRaw(g, from)]);
}
