// Strict .npy reader (NumPy format versions 1.0, 2.0, 3.0): the magic, the version, the header's
// length and its dict literal with exactly the keys descr / fortran_order / shape, a little-endian
// (or byte-sized) numeric dtype, C order, and a body of exactly prod(shape)·itemsize bytes.
// Anything else is refused with an InstanceFormatError naming what was found.
import { InstanceFormatError } from "./format_error.js";

export type NpyDType = "int8" | "uint8" | "bool" | "int16" | "int32" | "int64" | "float32" | "float64";
export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  /** The elements in C order (int64 is converted to float64 and must be exact). */
  data: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const DESCR: Record<string, { dtype: NpyDType; size: number }> = {
  "|i1": { dtype: "int8", size: 1 }, "|u1": { dtype: "uint8", size: 1 }, "|b1": { dtype: "bool", size: 1 },
  "<i2": { dtype: "int16", size: 2 }, "<i4": { dtype: "int32", size: 4 }, "<i8": { dtype: "int64", size: 8 },
  "<f4": { dtype: "float32", size: 4 }, "<f8": { dtype: "float64", size: 8 },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function parseHeader(h: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const m = /^\{\s*(.*?)\s*,?\s*\}\s*$/s.exec(h.trim());
  if (!m) throw new InstanceFormatError(file, `.npy header is not a dict literal: ${JSON.stringify(h.slice(0, 80))}`);
  const entries = new Map<string, string>();
  // Entries: 'key': value, where value is a quoted string, True/False or a tuple.
  const re = /'([a-z_]+)'\s*:\s*('[^']*'|True|False|\([^)]*\))\s*(,|$)/gy;
  let pos = 0;
  const body = m[1];
  while (pos < body.length) {
    re.lastIndex = pos;
    const e = re.exec(body);
    if (!e) throw new InstanceFormatError(file, `.npy header: cannot parse ${JSON.stringify(body.slice(pos, pos + 40))}`);
    if (entries.has(e[1])) throw new InstanceFormatError(file, `.npy header: key '${e[1]}' repeated`);
    entries.set(e[1], e[2]);
    pos = re.lastIndex;
    while (body[pos] === " ") pos++;
  }
  const keys = [...entries.keys()].sort().join(",");
  if (keys !== "descr,fortran_order,shape") throw new InstanceFormatError(file, `.npy header must have exactly descr, fortran_order, shape; got ${keys || "nothing"}`);
  const d = entries.get("descr")!;
  if (!d.startsWith("'")) throw new InstanceFormatError(file, `.npy descr must be a string, got ${d}`);
  const fo = entries.get("fortran_order")!;
  if (fo !== "True" && fo !== "False") throw new InstanceFormatError(file, `.npy fortran_order must be True or False, got ${fo}`);
  const tuple = entries.get("shape")!;
  if (!tuple.startsWith("(")) throw new InstanceFormatError(file, `.npy shape must be a tuple, got ${tuple}`);
  const inner = tuple.slice(1, -1).trim();
  const parts = inner === "" ? [] : inner.split(",").map((s) => s.trim());
  if (parts.length && parts[parts.length - 1] === "") parts.pop();
  const shape = parts.map((s) => {
    if (!/^\d+$/.test(s)) throw new InstanceFormatError(file, `.npy shape entry ${JSON.stringify(s)} is not a non-negative integer`);
    return Number(s);
  });
  return { descr: d.slice(1, -1), fortran: fo === "True", shape };
}

/** Parses one .npy file's bytes. */
export function parseNpy(bytes: Uint8Array, file = "array.npy"): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new InstanceFormatError(file, "not a .npy file (bad magic; expected \\x93NUMPY)");
  const major = bytes[6], minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) throw new InstanceFormatError(file, `unsupported .npy version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new InstanceFormatError(file, "truncated .npy header");
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes + hlen;
  if (start > bytes.length) throw new InstanceFormatError(file, `truncated .npy header (needs ${start} bytes, file has ${bytes.length})`);
  const headerText = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, start));
  const { descr, fortran, shape } = parseHeader(headerText, file);
  const dt = DESCR[descr];
  if (!dt) throw new InstanceFormatError(file, `unsupported .npy dtype '${descr}' (read: ${Object.keys(DESCR).join(" ")}; big-endian and object arrays are refused)`);
  if (fortran && shape.filter((d) => d > 1).length > 1) throw new InstanceFormatError(file, "fortran_order arrays are not supported (save with C order)");
  const count = shape.reduce((p, d) => p * d, 1);
  if (!Number.isSafeInteger(count * dt.size)) throw new InstanceFormatError(file, `.npy shape (${shape.join(", ")}) is too large`);
  const want = count * dt.size;
  if (bytes.length - start !== want)
    throw new InstanceFormatError(file, `.npy body has ${bytes.length - start} bytes, shape (${shape.join(", ")}) of ${descr} needs ${want}${bytes.length - start < want ? " (truncated)" : ""}`);
  const body = bytes.slice(start).buffer; // a fresh, aligned copy
  let data: NpyArray["data"];
  switch (dt.dtype) {
    case "int8": data = new Int8Array(body); break;
    case "uint8": case "bool": data = new Uint8Array(body); break;
    case "int16": data = new Int16Array(body); break;
    case "int32": data = new Int32Array(body); break;
    case "float32": data = new Float32Array(body); break;
    case "float64": data = new Float64Array(body); break;
    default: {
      const big = new BigInt64Array(body);
      const f = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        if (big[i] > BigInt(Number.MAX_SAFE_INTEGER) || big[i] < -BigInt(Number.MAX_SAFE_INTEGER))
          throw new InstanceFormatError(file, `int64 entry ${i} (${big[i]}) is beyond 2^53`);
        f[i] = Number(big[i]);
      }
      data = f;
    }
  }
  if (dt.dtype === "bool" && (data as Uint8Array).some((v) => v > 1)) throw new InstanceFormatError(file, "bool array has bytes other than 0 / 1");
  return { dtype: dt.dtype, shape, data };
}
