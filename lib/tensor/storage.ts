// Reference-counted native memory shared by a tensor and its views. The last release
// frees the native block at once; the Tensor's FinalizationRegistry (tensor.ts) is only a
// safety net for storages nobody released. The handle is a number in the table of the
// addon that allocated it, so the storage keeps that addon: device blocks ("cuda") come
// from, and go back to, the CUDA addon's caching allocator.
import { backend, type Handle, type NativeAddon } from "../native.js";
import type { Device } from "./dtype.js";

export class Storage {
  handle: Handle | null;
  readonly nbytes: number;
  readonly device: Device;
  private readonly addon: NativeAddon;
  private refs = 0;

  constructor(nbytes: number, device: Device = "cpu") {
    this.addon = backend(device); // throws a TypeError saying why for an unavailable / unknown device
    this.handle = this.addon.alloc({ nbytes });
    this.nbytes = nbytes;
    this.device = device;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0 && this.handle) {
      this.addon.free({ handle: this.handle });
      this.handle = null;
    }
  }
}
