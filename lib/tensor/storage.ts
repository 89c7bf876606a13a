// Reference-counted native memory shared by a tensor and its views. The last release
// frees the native block at once; the External's own finalizer is only a safety net
// for storages nobody released.
import { native, type Handle } from "../native.js";
import type { Device } from "./dtype.js";

export class Storage {
  handle: Handle | null;
  readonly nbytes: number;
  readonly device: Device;
  private refs = 0;

  constructor(nbytes: number, device: Device = "cpu") {
    if (device !== "cpu") throw new TypeError(`recforge: device "${device}" is not available in this build`);
    this.handle = native.alloc(nbytes);
    this.nbytes = nbytes;
    this.device = device;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0 && this.handle) {
      native.free(this.handle);
      this.handle = null;
    }
  }
}
