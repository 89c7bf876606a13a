// The `device` option of the trainers (trainCtr, trainGreener, trainMultiTask): "cpu" or "cuda",
// checked before anything is allocated so that a machine without a usable CUDA device gets one
// clear TypeError naming the trainer and the reason, instead of a failure halfway through moving
// a model.
import { cuda, cudaUnavailableReason } from "../native.js";
import type { Device } from "../tensor/dtype.js";

export function deviceOption(v: unknown, fallback: Device, where: string): Device {
  if (v === undefined) return fallback;
  if (v !== "cpu" && v !== "cuda")
    throw new TypeError(`recforge: ${where}: device must be "cpu" or "cuda", got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  if (v === "cuda" && !cuda)
    throw new TypeError(`recforge: ${where}: device "cuda" is not available: ${cudaUnavailableReason} (see recforge.backends())`);
  return v;
}
