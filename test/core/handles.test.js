// Numeric storage handles (native/napi/handle_table.h): handle = device * 2^52 +
// generation * 2^24 + slot. The CPU addon's handles carry device tag 0; the CUDA addon keeps
// its own table with tag 1, so the two can never collide and a handle given to the wrong
// addon is refused with a message naming the device. Runs on every machine: the CUDA side is
// exercised with a forged tag-1 number (no device needed).
import test from "ava";
import { native } from "../../dist/native.js";

const TAG = 2 ** 52, SLOT = 2 ** 24;

test("CPU handles are integers below 2^52 (device tag 0); a freed handle is stale", (t) => {
  const hs = Array.from({ length: 5 }, () => native.alloc({ nbytes: 16 }));
  for (const h of hs) {
    t.true(Number.isSafeInteger(h));
    t.true(h >= 0 && h < TAG, `handle ${h}`);
  }
  t.is(new Set(hs).size, hs.length);
  const h = hs[0];
  native.write({ handle: h, byteOffset: 0, data: new Float32Array([1, 2, 3, 4]) });
  native.free({ handle: h });
  t.notThrows(() => native.free({ handle: h }), "free is idempotent");
  t.throws(() => native.read({ handle: h, byteOffset: 0, out: new Float32Array(4) }), { instanceOf: TypeError, message: /already disposed/ });
  // The slot is reused with a new generation: the old number stays dead.
  const again = native.alloc({ nbytes: 16 });
  t.not(again, h);
  t.throws(() => native.read({ handle: h, byteOffset: 0, out: new Float32Array(4) }), { instanceOf: TypeError, message: /already disposed/ });
  for (const x of [again, ...hs.slice(1)]) native.free({ handle: x });
});

test("a CUDA-tagged handle is refused by the CPU addon, naming the device", (t) => {
  const h = native.alloc({ nbytes: 16 });
  const slot = h % SLOT, gen = Math.floor((h % TAG) / SLOT);
  const forged = TAG + gen * SLOT + slot; // same slot and generation, CUDA's tag
  t.throws(() => native.read({ handle: forged, byteOffset: 0, out: new Float32Array(4) }), {
    instanceOf: TypeError,
    message: /tensor is on cuda but this op runs on cpu \(move it with \.to\("cpu"\)\)/,
  });
  t.notThrows(() => native.free({ handle: forged }), "freeing another table's handle is a no-op");
  const back = new Float32Array(4);
  native.write({ handle: h, byteOffset: 0, data: new Float32Array([5, 6, 7, 8]) });
  native.read({ handle: h, byteOffset: 0, out: back });
  t.deepEqual(Array.from(back), [5, 6, 7, 8], "the CPU storage in that slot is untouched");
  native.free({ handle: h });
});

test("malformed handles are rejected", (t) => {
  for (const bad of [-1, 0.5, NaN, Infinity, 2 * TAG, 2 ** 53])
    t.throws(() => native.read({ handle: bad, byteOffset: 0, out: new Float32Array(1) }), { instanceOf: TypeError, message: /disposed \(or the handle is invalid\)/ }, String(bad));
  t.throws(() => native.read({ handle: "1", byteOffset: 0, out: new Float32Array(1) }), { instanceOf: TypeError, message: /expected a tensor storage handle/ });
});
