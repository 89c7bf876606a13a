import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { rf, bitsEqual, prng, randArray } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-st-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmpFile = (name = "t") => path.join(dir, `${name}-${fileNo++}.safetensors`);

function u64(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
const f32 = (xs) => Buffer.from(new Float32Array(xs).buffer);

/** A raw file: 8-byte length, header text (padded with spaces to 8 unless pad=false), data bytes. */
function rawFile(header, data = Buffer.alloc(0), { pad = true, n } = {}) {
  let h = Buffer.from(header, "utf8");
  if (pad) h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const p = tmpFile("raw");
  fs.writeFileSync(p, Buffer.concat([u64(n ?? h.length), h, data]));
  return p;
}

// Python (numpy only) reading a file independently of our reader; null when unavailable.
function python(script, ...args) {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8" });
  if (r.error || (r.status !== 0 && /No module named 'numpy'/.test(r.stderr))) return null;
  return r;
}

test("byte layout matches the reference implementation's own test vectors", (t) => {
  // {"attn.0": F32 [1, 2, 3] = 0..5}: JSON is exactly 64 bytes (no padding needed)
  const a = rf.tensor([0, 1, 2, 3, 4, 5], { shape: [1, 2, 3] });
  const p1 = tmpFile();
  rf.saveSafetensors(p1, { "attn.0": a });
  const json1 = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  t.is(json1.length, 64);
  t.deepEqual(fs.readFileSync(p1), Buffer.concat([u64(64), Buffer.from(json1), f32([0, 1, 2, 3, 4, 5])]));

  // "attn0" with shape [1, 1, 2, 3]: 65 bytes of JSON, padded with 7 spaces to 72
  const p2 = tmpFile();
  rf.saveSafetensors(p2, { attn0: a.reshape([1, 1, 2, 3]) });
  const json2 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  t.deepEqual(fs.readFileSync(p2), Buffer.concat([u64(72), Buffer.from(json2), Buffer.from("       "), f32([0, 1, 2, 3, 4, 5])]));

  // no tensors: "{}" + 6 spaces; with metadata, __metadata__ only
  const p3 = tmpFile();
  rf.saveSafetensors(p3, {});
  t.deepEqual(fs.readFileSync(p3), Buffer.concat([u64(8), Buffer.from("{}      ")]));
  const p4 = tmpFile();
  rf.saveSafetensors(p4, {}, { framework: "pt" });
  t.deepEqual(fs.readFileSync(p4), Buffer.concat([u64(40), Buffer.from('{"__metadata__":{"framework":"pt"}}     ')]));
  a.dispose();
});

test("tensors are sorted by descending dtype alignment then name; offsets are aligned", (t) => {
  const ts = {
    b: rf.tensor([1, 2, 3]), // F32
    a: rf.tensor([7], { dtype: "int32" }), // I32
    c: rf.tensor([1.5], { dtype: "float64" }), // F64
    a2: rf.tensor([4]), // F32
    10: rf.tensor([5]), // F32, integer-like name keeps its sorted place
    9: rf.tensor([6]), // F32
  };
  const p = tmpFile();
  rf.saveSafetensors(p, ts, { z: "last", a: "first" });
  const buf = fs.readFileSync(p);
  const n = Number(buf.readBigUInt64LE(0));
  t.is(n % 8, 0);
  const header = buf.subarray(8, 8 + n).toString("utf8");
  t.is(
    header.trimEnd(),
    '{"__metadata__":{"a":"first","z":"last"},' +
      '"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"10":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
      '"9":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},' +
      '"a2":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
      '"b":{"dtype":"F32","shape":[3],"data_offsets":[20,32]},' +
      '"a":{"dtype":"I32","shape":[1],"data_offsets":[32,36]}}',
  );
  t.is(buf.length, 8 + n + 36);
  t.is(buf.readDoubleLE(8 + n), 1.5);
  t.is(buf.readInt32LE(8 + n + 32), 7);
  const h = rf.readSafetensorsHeader(p);
  t.deepEqual(h.metadata, { a: "first", z: "last" });
  t.deepEqual(h.tensors.b, { dtype: "F32", shape: [3], dataOffsets: [20, 32] });
  t.is(h.dataStart, 8 + n);
  Object.values(ts).forEach((x) => x.dispose());
});

test("round trip is bit-exact: float32/float64/int32, specials, 0-d, empty, strided views", (t) => {
  const r = prng(4);
  const special32 = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, ...randArray(r, 57)]);
  new Uint32Array(special32.buffer)[0] = 0x7fc12345; // a NaN with a payload
  const special64 = new Float64Array([NaN, -0, Infinity, 5e-324, Math.PI, ...randArray(r, 31)]);
  const base = rf.tensor(randArray(r, 12), { shape: [3, 4], dtype: "float64" });
  const tensors = {
    f32: rf.tensor(special32, { shape: [3, 21] }),
    f64: rf.tensor(special64),
    i32: rf.tensor(new Int32Array([0, -1, 2147483647, -2147483648, 5, 6]), { shape: [2, 3] }),
    scalar: rf.tensor(2.5),
    scalarInt: rf.tensor(-3, { dtype: "int32" }),
    empty: rf.zeros([0, 3]),
    empty64: rf.zeros([2, 0], { dtype: "float64" }),
    transposed: base.T,
  };
  const p = tmpFile();
  rf.saveSafetensors(p, tensors, { note: "ünïcödé ✓", json: JSON.stringify({ a: [1, 2] }) });
  const { tensors: back, metadata } = rf.loadSafetensors(p);
  t.deepEqual(metadata, { note: "ünïcödé ✓", json: '{"a":[1,2]}' });
  t.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort());
  for (const [k, v] of Object.entries(tensors)) {
    t.is(back[k].dtype, v.dtype, k);
    t.deepEqual(back[k].shape, v.shape, k);
    t.true(bitsEqual(back[k].toTypedArray(), v.toTypedArray()), `${k} bit-exact`);
  }
  t.is(back.scalar.item(), 2.5);
  t.deepEqual(back.transposed.toArray(), base.T.toArray());
  const only = rf.loadSafetensors(p, { names: ["i32"] });
  t.deepEqual(Object.keys(only.tensors), ["i32"]);
  t.throws(() => rf.loadSafetensors(p, { names: ["nope"] }), { message: /has no tensor "nope"/ });
  [...Object.values(tensors), ...Object.values(back), base, only.tensors.i32].forEach((x) => x.dispose());
});

test("writes are atomic: no temporary files left, a failed save keeps the old file", (t) => {
  const sub = fs.mkdtempSync(path.join(dir, "atomic-"));
  const p = path.join(sub, "model.safetensors");
  const a = rf.tensor([1, 2, 3]);
  rf.saveSafetensors(p, { a });
  const first = fs.readFileSync(p);
  rf.saveSafetensors(p, { a, b: rf.tensor([4]) });
  t.deepEqual(fs.readdirSync(sub), ["model.safetensors"]);
  const second = fs.readFileSync(p);
  t.notDeepEqual(first, second);
  const gone = rf.tensor([1]);
  gone.dispose();
  t.throws(() => rf.saveSafetensors(p, { a, gone }), { message: /"gone" was disposed/ });
  t.throws(() => rf.saveSafetensors(p, { __metadata__: a }), { message: /reserved/ });
  t.throws(() => rf.saveSafetensors(p, { a }, { n: 3 }), { message: /metadata "n" must be a string/ });
  t.throws(() => rf.saveSafetensors(path.join(sub, "missing-dir", "x.safetensors"), { a }), { code: "ENOENT" });
  t.deepEqual(fs.readFileSync(p), second);
  t.deepEqual(fs.readdirSync(sub), ["model.safetensors"]);
  a.dispose();
});

test("corrupt files give clear errors naming the file and the tensor", (t) => {
  const data16 = f32([1, 2, 3, 4]);
  const ok = (name, shape, begin, end, dtype = "F32") => `"${name}":{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;
  const cases = [
    ["truncated to 5 bytes", () => { const p = tmpFile(); fs.writeFileSync(p, Buffer.from([1, 2, 3, 4, 5])); return p; }, /truncated: the file has 5 bytes/],
    ["header length beyond the file", () => rawFile(`{${ok("w", [4], 0, 16)}}`, data16, { n: 4000 }), /header length 4000 is larger than the rest of the file/],
    ["huge header length", () => { const p = tmpFile(); fs.writeFileSync(p, Buffer.concat([u64(2n ** 63n), Buffer.from("{}")])); return p; }, /header length 9223372036854775808 is larger/],
    ["bad JSON", () => rawFile(`{"w":{"dtype":"F32",`, data16), /header is not valid JSON/],
    ["not an object", () => rawFile(`[1,2]`, data16), /must start with "\{"/],
    ["invalid UTF-8", () => { const p = tmpFile(); fs.writeFileSync(p, Buffer.concat([u64(8), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 32, 32, 32, 32])])); return p; }, /not valid UTF-8/],
    ["unknown dtype", () => rawFile(`{${ok("w", [2], 0, 16, "I64")}}`, data16), /tensor "w": unsupported dtype "I64"/],
    ["shape × dtype mismatch", () => rawFile(`{${ok("w", [3], 0, 16)}}`, data16), /tensor "w": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 16\] span 16/],
    ["offsets out of bounds (truncated data)", () => rawFile(`{${ok("w", [4], 0, 16)}}`, data16.subarray(0, 10)), /tensor "w": data_offsets \[0, 16\] run past the end of the data section \(10 bytes\)/],
    ["overlapping tensors", () => rawFile(`{${ok("a", [2], 0, 8)},${ok("b", [2], 4, 12)}}`, data16.subarray(0, 12)), /tensor "b": data_offsets \[4, 12\] overlap tensor "a"/],
    ["a gap between tensors", () => rawFile(`{${ok("a", [1], 0, 4)},${ok("b", [2], 8, 16)}}`, data16), /tensor "b": data_offsets begin at 8, leaving bytes 4\.\.8/],
    ["trailing bytes not covered", () => rawFile(`{${ok("a", [2], 0, 8)}}`, data16), /tensors cover 8 bytes but the data section has 16/],
    ["end before begin", () => rawFile(`{${ok("a", [0], 8, 4)}}`, data16), /tensor "a": data_offsets \[8, 4\] end before they begin/],
    ["bad shape", () => rawFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,16]}}`, data16), /tensor "a": shape must be an array of non-negative integers/],
    ["bad metadata value", () => rawFile(`{"__metadata__":{"k":1},${ok("w", [4], 0, 16)}}`, data16), /__metadata__ "k" must be a string/],
  ];
  for (const [what, make, re] of cases) {
    const p = make();
    const before = rf.memory().liveTensors;
    const e = t.throws(() => rf.loadSafetensors(p), undefined, what);
    t.regex(e.message, re, what);
    t.true(e.message.includes(JSON.stringify(p)), `${what}: names the file`);
    t.is(rf.memory().liveTensors, before, `${what}: nothing allocated`);
  }
  t.throws(() => rf.loadSafetensors(path.join(dir, "does-not-exist.safetensors")), { code: "ENOENT" });
});

test("BF16 and F16 load as float32; agrees with numpy's float16 when python3 + numpy exist", (t) => {
  // BF16 built by hand: the top 16 bits of float32 values that are exact in bfloat16
  const vals = [1, -2, 0.5, 3.140625, -0, Infinity];
  const bf = Buffer.alloc(vals.length * 2);
  const f = new Float32Array(vals);
  const bits = new Uint32Array(f.buffer);
  bits.forEach((b, i) => bf.writeUInt16LE(b >>> 16, i * 2));
  // F16 by hand: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001, NaN 0x7e00
  const half = Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7e00, 0x8000]).buffer);
  const p = rawFile(
    `{"b":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,12]},"h":{"dtype":"F16","shape":[6],"data_offsets":[12,24]}}`,
    Buffer.concat([bf, half]),
  );
  const { tensors } = rf.loadSafetensors(p);
  t.is(tensors.b.dtype, "float32");
  t.deepEqual(tensors.b.shape, [2, 3]);
  t.deepEqual(Array.from(tensors.b.toTypedArray()), vals);
  const h = Array.from(tensors.h.toTypedArray());
  t.deepEqual(h.slice(0, 4), [1, -2, 65504, 2 ** -24]);
  t.true(Number.isNaN(h[4]));
  t.true(Object.is(h[5], -0));
  Object.values(tensors).forEach((x) => x.dispose());

  // every one of the 65536 half values against numpy's conversion
  const pf = tmpFile("numpy-f16");
  const r = python(
    `import sys, json, struct, numpy as np
h = np.arange(65536, dtype=np.uint32).astype(np.uint16)
hdr = json.dumps({"x": {"dtype": "F16", "shape": [65536], "data_offsets": [0, 131072]}}, separators=(",", ":")).encode()
hdr += b" " * ((8 - len(hdr) % 8) % 8)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(hdr))); f.write(hdr); f.write(h.tobytes())
with open(sys.argv[1] + ".f32", "wb") as f:
    f.write(h.view(np.float16).astype(np.float32).tobytes())
`,
    pf,
  );
  if (!r) return t.log("python3 with numpy not available: numpy cross-check skipped");
  t.is(r.status, 0, r.stderr);
  const x = rf.loadSafetensors(pf).tensors.x;
  const got = new Uint32Array(x.toTypedArray().buffer);
  const want = new Uint32Array(new Uint8Array(fs.readFileSync(pf + ".f32")).buffer);
  let mismatches = 0;
  for (let i = 0; i < 65536; i++) {
    const gNaN = (got[i] & 0x7fffffff) > 0x7f800000, wNaN = (want[i] & 0x7fffffff) > 0x7f800000;
    if (gNaN ? !wNaN : got[i] !== want[i]) mismatches++;
  }
  t.is(mismatches, 0);
  x.dispose();
});

// Registered as a skip (with the reason) when python3 + numpy are missing, so a run's skip list shows
// it (CI compares that list with test/expected_skips.js) instead of a pass that checked nothing.
const haveNumpy = python("import numpy") !== null;
(haveNumpy ? test : (title, fn) => test.skip(`${title} (skipped: python3 with numpy not found)`, fn))("numpy reads our files independently", (t) => {
  const r0 = prng(8);
  const tensors = {
    "layer.weight": rf.tensor(randArray(r0, 15), { shape: [3, 5] }),
    "layer.bias": rf.tensor(randArray(r0, 3), { dtype: "float64" }),
    ids: rf.tensor([[1, -2], [3, 4]], { dtype: "int32" }),
    s: rf.tensor(0.25),
    e: rf.zeros([0]),
  };
  const p = tmpFile("numpy");
  rf.saveSafetensors(p, tensors, { framework: "recforge" });
  const expected = {};
  for (const [k, v] of Object.entries(tensors)) expected[k] = { shape: v.shape, values: Array.from(v.toTypedArray()) };
  fs.writeFileSync(p + ".json", JSON.stringify(expected));
  const r = python(
    `import sys, json, struct, numpy as np
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
assert n % 8 == 0, "header length not a multiple of 8"
hdr = json.loads(raw[8:8 + n].decode("utf-8"))
assert hdr.pop("__metadata__") == {"framework": "recforge"}
data = raw[8 + n:]
exp = json.load(open(sys.argv[2]))
assert sorted(hdr) == sorted(exp), (sorted(hdr), sorted(exp))
dt = {"F32": np.float32, "F64": np.float64, "I32": np.int32}
end = 0
for name, info in sorted(hdr.items(), key=lambda kv: kv[1]["data_offsets"]):
    b, e = info["data_offsets"]
    assert b == end, name
    end = e
    d = np.dtype(dt[info["dtype"]])
    assert (8 + n + b) % d.itemsize == 0, "misaligned " + name
    a = np.frombuffer(data[b:e], dtype=d.newbyteorder("<")).reshape(info["shape"])
    want = np.array(exp[name]["values"], dtype=d).reshape(exp[name]["shape"])
    assert list(a.shape) == exp[name]["shape"], name
    assert np.array_equal(a, want), name
assert end == len(data)
print("ok")
`,
    p,
    p + ".json",
  );
  Object.values(tensors).forEach((x) => x.dispose());
  t.truthy(r, "python3 with numpy stopped being available");
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim(), "ok");
});
