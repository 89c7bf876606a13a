// Moving tensors between devices (tensor.to("cuda") / .to("cpu")). Differentiable: the
// gradient flows back to the source device. Each addon only knows its own storage handles
// (separate handle tables), so the bytes travel through a host typed array: `read` from
// the source addon, `write` into the destination's, in bounded chunks so a large tensor
// never needs a second full-size host buffer. Non-contiguous views are compacted on their
// own device first.
import { needsGrad, record } from "../autograd/engine.js";
import { backend, type Handle, type NativeAddon } from "../native.js";
import { DTYPE_BYTES, type Device } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { assertTensor, contiguousRaw, describe } from "./core.js";

function checkDevice(d: unknown): Device {
  if (d === "cpu" || d === "cuda") return d;
  throw new TypeError(`recforge: to: unknown device ${describe(d)}; expected "cpu" or "cuda"`);
}

// 64 MiB: large enough that per-call overhead vanishes, small enough to stay cheap on the host.
const CHUNK_BYTES = 64 << 20;

/** nbytes from (from, src, srcByte) to (to, dst, 0), through one reused host buffer. */
function copyBetween(from: NativeAddon, src: Handle, srcByte: number, to: NativeAddon, dst: Handle, nbytes: number): void {
  const buf = new Uint8Array(Math.min(nbytes, CHUNK_BYTES));
  for (let done = 0; done < nbytes; done += buf.length) {
    const part = done + buf.length <= nbytes ? buf : buf.subarray(0, nbytes - done);
    from.read({ handle: src, byteOffset: srcByte + done, out: part });
    to.write({ handle: dst, byteOffset: done, data: part });
  }
}

/** A copy of x on `device` (no graph). */
export function toDeviceRaw(x: Tensor, device: Device): Tensor {
  backend(device); // says why when the device is unavailable
  const src = contiguousRaw(x);
  const out = Tensor.empty(x.shape, x.dtype, device);
  const nbytes = x.size * DTYPE_BYTES[x.dtype];
  try {
    if (nbytes > 0) copyBetween(backend(x.device), src._h, src.offset * DTYPE_BYTES[x.dtype], backend(device), out._h, nbytes);
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
