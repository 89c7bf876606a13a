// The safetensors file format (Hugging Face), read and written without dependencies:
//
//   [8 bytes: N, unsigned little-endian] [N bytes: JSON header, UTF-8, space-padded to a
//   multiple of 8] [data section: the tensors' bytes, little-endian, row-major]
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets relative to the data section) plus an optional "__metadata__" object of
// string → string. Writing follows the reference implementation exactly: tensors sorted by
// descending dtype alignment then name, packed without gaps, __metadata__ first, keys in
// the order dtype, shape, data_offsets — so a file written here is byte-identical to one
// written by the Rust/Python library for the same tensors. Reading validates everything
// the reference reader does (offsets contiguous from 0, covering the data section exactly,
// sizes matching shape × dtype) and converts BF16 / F16 to float32.
import fs from "node:fs";
import os from "node:os";
import nodePath from "node:path";
import { randomBytes } from "node:crypto";
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { native } from "../native.js";

export type SafetensorsDType = "F64" | "F32" | "I32" | "BF16" | "F16";

export interface SafetensorsTensorInfo {
  dtype: SafetensorsDType;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
  /** N, the header's byte length (including padding). */
  headerLength: number;
  /** Byte position of the data section in the file (8 + N). */
  dataStart: number;
  fileSize: number;
}

export interface SafetensorsFile {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

// Same limit as the reference reader: a larger header is treated as corrupt.
const MAX_HEADER = 100_000_000;
const ELEM_BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, I32: 4, BF16: 2, F16: 2 };
// The reference library's dtype order (its enum order; larger is written first).
const DTYPE_RANK: Record<SafetensorsDType, number> = { F16: 7, BF16: 8, I32: 9, F32: 11, F64: 12 };
const TO_FILE: Record<DType, SafetensorsDType> = { float64: "F64", float32: "F32", int32: "I32" };
const MAX_LOAD_DIMS = 6;

function checkHost(): void {
  if (os.endianness() !== "LE") throw new Error("recforge: safetensors: big-endian hosts are not supported");
}

function err(file: string, msg: string): Error {
  return new Error(`recforge: safetensors ${JSON.stringify(file)}: ${msg}`);
}

// Byte-wise UTF-8 comparison (what the reference's Rust String ordering does).
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** The header bytes (padded) and the write order for a set of tensors. Exported for tests and tools. */
export function encodeSafetensorsHeader(
  entries: { name: string; dtype: SafetensorsDType; shape: readonly number[]; nbytes: number }[],
  metadata?: Record<string, string>,
): { header: Buffer; order: number[]; dataBytes: number } {
  const order = entries.map((_, i) => i);
  order.sort((i, j) => DTYPE_RANK[entries[j].dtype] - DTYPE_RANK[entries[i].dtype] || compareNames(entries[i].name, entries[j].name));
  // Built by hand, not via an object, so integer-like names ("0") keep their place.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareNames);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`);
  }
  let offset = 0;
  for (const i of order) {
    const e = entries[i];
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(",")}],"data_offsets":[${offset},${offset + e.nbytes}]}`);
    offset += e.nbytes;
  }
  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  return { header: Buffer.concat([json, Buffer.alloc(pad, 0x20)]), order, dataBytes: offset };
}

/**
 * Writes tensors (float32 → F32, float64 → F64, int32 → I32; any strides) and optional
 * string metadata to `path` atomically: a temporary file in the same folder is written,
 * flushed and renamed over `path`, so readers never see a partial file.
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  checkHost();
  if (typeof path !== "string" || !path) throw new TypeError("recforge: saveSafetensors: path must be a non-empty string");
  if (tensors === null || typeof tensors !== "object") throw new TypeError("recforge: saveSafetensors: tensors must be an object of name → Tensor");
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object") throw new TypeError("recforge: saveSafetensors: metadata must be an object of string → string");
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== "string") throw new TypeError(`recforge: saveSafetensors: metadata ${JSON.stringify(k)} must be a string, got ${typeof v} (JSON.stringify it)`);
  }
  const names = Object.keys(tensors);
  const list = names.map((name) => {
    const t = tensors[name];
    if (!name) throw new TypeError("recforge: saveSafetensors: tensor names must be non-empty");
    if (name === "__metadata__") throw new TypeError('recforge: saveSafetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new TypeError(`recforge: saveSafetensors: ${JSON.stringify(name)} is not a Tensor`);
    if (t.isDisposed) throw new TypeError(`recforge: saveSafetensors: ${JSON.stringify(name)} was disposed`);
    const dtype = TO_FILE[t.dtype];
    return { name, t, dtype, shape: t.shape, nbytes: t.size * ELEM_BYTES[dtype] };
  });
  const { header, order } = encodeSafetensorsHeader(list, metadata);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));

  const dir = nodePath.dirname(nodePath.resolve(path));
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | null = fs.openSync(tmp, "wx", 0o644);
  try {
    writeAll(fd, len);
    writeAll(fd, header);
    for (const i of order) if (list[i].nbytes) writeAll(fd, bytesOf(list[i].t.toTypedArray()));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable where the platform allows it (best effort).
  try {
    const dfd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced on every platform */
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function readExact(fd: number, file: string, buf: Uint8Array, position: number, what: string): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, position + off);
    if (n === 0) throw err(file, `truncated while reading ${what} (got ${off} of ${buf.length} bytes at byte ${position})`);
    off += n;
  }
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

// Parses and validates the header of an open file; never reads the data section.
function readHeader(fd: number, file: string): SafetensorsHeader {
  const fileSize = fs.fstatSync(fd).size;
  if (fileSize < 8) throw err(file, `truncated: the file has ${fileSize} bytes, a safetensors file starts with an 8-byte header length`);
  const lenBuf = Buffer.alloc(8);
  readExact(fd, file, lenBuf, 0, "the header length");
  const n64 = lenBuf.readBigUInt64LE(0);
  if (n64 > BigInt(fileSize - 8))
    throw err(file, `the header length ${n64} is larger than the rest of the file (${fileSize - 8} bytes): truncated or not a safetensors file`);
  const n = Number(n64);
  if (n > MAX_HEADER) throw err(file, `the header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  if (n < 2) throw err(file, `the header length ${n} is too small for a JSON object`);
  const hbuf = Buffer.alloc(n);
  readExact(fd, file, hbuf, 8, "the header");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(hbuf);
  } catch {
    throw err(file, "the header is not valid UTF-8");
  }
  if (text[0] !== "{") throw err(file, `the header must start with "{", found ${JSON.stringify(text.slice(0, 8))}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw err(file, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw err(file, "the header must be a JSON object");

  const metadata: Record<string, string> = {};
  const tensors: Record<string, SafetensorsTensorInfo> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw err(file, "__metadata__ must be an object of string → string");
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== "string") throw err(file, `__metadata__ ${JSON.stringify(k)} must be a string, got ${JSON.stringify(s)}`);
        metadata[k] = s;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw err(file, `${where}: its entry must be an object`);
    const e = v as Record<string, unknown>;
    if (typeof e.dtype !== "string") throw err(file, `${where}: missing dtype`);
    if (!Object.prototype.hasOwnProperty.call(ELEM_BYTES, e.dtype))
      throw err(file, `${where}: unsupported dtype ${JSON.stringify(e.dtype)} (recforge reads F32, F64, I32, BF16, F16)`);
    const dtype = e.dtype as SafetensorsDType;
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw err(file, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    if (shape.length > MAX_LOAD_DIMS) throw err(file, `${where}: shape [${shape.join(", ")}] has more than ${MAX_LOAD_DIMS} dims`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount)) throw err(file, `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
    const [begin, end] = off as number[];
    if (end < begin) throw err(file, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
    const count = shape.reduce((p, c) => p * c, 1);
    const nbytes = count * ELEM_BYTES[dtype];
    if (!Number.isSafeInteger(nbytes)) throw err(file, `${where}: shape [${shape.join(", ")}] is too large`);
    if (nbytes !== end - begin)
      throw err(file, `${where}: shape [${shape.join(", ")}] of ${dtype} needs ${nbytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    tensors[name] = { dtype, shape, dataOffsets: [begin, end] };
  }

  // The tensors must tile the data section exactly: sorted by offset, each starts where
  // the previous ended, the first at 0, the last at the end of the file.
  const dataStart = 8 + n;
  const dataSize = fileSize - dataStart;
  const byOffset = Object.entries(tensors).sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let cursor = 0;
  let prev: string | null = null;
  for (const [name, info] of byOffset) {
    const [begin, end] = info.dataOffsets;
    if (begin < cursor)
      throw err(file, `tensor ${JSON.stringify(name)}: data_offsets [${begin}, ${end}] overlap tensor ${JSON.stringify(prev)} (which ends at ${cursor})`);
    if (begin > cursor)
      throw err(file, `tensor ${JSON.stringify(name)}: data_offsets begin at ${begin}, leaving bytes ${cursor}..${begin} of the data section unused`);
    if (end > dataSize) throw err(file, `tensor ${JSON.stringify(name)}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataSize} bytes): truncated file`);
    cursor = end;
    prev = name;
  }
  if (cursor !== dataSize)
    throw err(file, `the tensors cover ${cursor} bytes but the data section has ${dataSize} (trailing bytes or a wrong header)`);
  return { tensors, metadata, headerLength: n, dataStart, fileSize };
}

/** Reads and validates a file's header (no tensor data is read). */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  checkHost();
  const fd = fs.openSync(path, "r");
  try {
    return readHeader(fd, path);
  } finally {
    fs.closeSync(fd);
  }
}

let halfTable: Float32Array | null = null;
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    t[h] = e === 0 ? sign * f * 2 ** -24 : e === 31 ? (f ? NaN : sign * Infinity) : sign * (1 + f / 1024) * 2 ** (e - 15);
  }
  return (halfTable = t);
}

function decode(dtype: SafetensorsDType, bytes: Buffer, count: number): Float32Array | Float64Array | Int32Array {
  // bytes is a fresh, zero-offset buffer (Buffer.allocUnsafeSlow): typed views are aligned.
  if (dtype === "F32") return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  if (dtype === "F64") return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  if (dtype === "I32") return new Int32Array(bytes.buffer, bytes.byteOffset, count);
  const half = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Float32Array(count);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = half[i] << 16; // bfloat16 is the top half of a float32
  } else {
    const table = halfToFloatTable();
    for (let i = 0; i < count; i++) out[i] = table[half[i]];
  }
  return out;
}

const TO_DTYPE: Record<SafetensorsDType, DType> = { F64: "float64", F32: "float32", I32: "int32", BF16: "float32", F16: "float32" };

/**
 * Loads every tensor of a safetensors file (or only `names`). F32/F64/I32 load bit-exactly
 * as float32/float64/int32; BF16 and F16 are converted to float32. The whole header is
 * validated before any tensor is created; a failure while reading data disposes what was
 * created. The tensors belong to the caller (and to the enclosing tidy scope, if any).
 */
export function loadSafetensors(path: string, opts: { names?: string[] } = {}): SafetensorsFile {
  checkHost();
  const fd = fs.openSync(path, "r");
  const created: Tensor[] = [];
  try {
    const h = readHeader(fd, path);
    const names = opts.names ?? Object.keys(h.tensors);
    for (const name of names)
      if (!Object.prototype.hasOwnProperty.call(h.tensors, name)) throw err(path, `has no tensor ${JSON.stringify(name)}`);
    const tensors: Record<string, Tensor> = {};
    for (const name of names) {
      const info = h.tensors[name];
      const [begin, end] = info.dataOffsets;
      const count = info.shape.reduce((p, c) => p * c, 1);
      const t = Tensor.empty(info.shape, TO_DTYPE[info.dtype]);
      created.push(t);
      if (count > 0) {
        const bytes = Buffer.allocUnsafeSlow(end - begin);
        readExact(fd, path, bytes, h.dataStart + begin, `tensor ${JSON.stringify(name)}`);
        native.write({ handle: t._h, byteOffset: 0, data: decode(info.dtype, bytes, count) });
      }
      tensors[name] = t;
    }
    return { tensors, metadata: h.metadata };
  } catch (e) {
    for (const t of created) t.dispose();
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
