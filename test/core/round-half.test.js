// The CPU addon's roundHalf (native/cpu/round_half.cc: what the emulated CUDA device feeds its 16-bit
// entry points) against the float64 reference of lib/amp/round.ts, bit for bit: random float32 bit
// patterns over every exponent, plus ties, subnormals, the float16 overflow boundary, ±0, ±inf, NaN.
import test from "ava";
import { native } from "../../dist/native.js";
import { Tensor } from "../../dist/index.js";
import { roundBf16, roundFp16 } from "../../dist/amp/round.js";
import { rng } from "../helpers/reference.js";

function inputs() {
  const r = rng(2024);
  const u = new Uint32Array(1 << 16);
  for (let i = 0; i < u.length; i++) u[i] = (r.next() * 2 ** 32) >>> 0;
  const f = new Float32Array(u.buffer);
  const special = [0, -0, Infinity, -Infinity, NaN, 65504, 65519.99, 65520, 65536, -65520, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 3.4e38, -1.5e-45];
  return Float32Array.from([...special, ...f]);
}

for (const [kind, name, ref] of [[0, "bfloat16", roundBf16], [1, "float16", roundFp16]])
  test(`roundHalf (${name}) equals lib/amp/round.ts bit for bit, with an odd size`, (t) => {
    const x = inputs().subarray(0, 65535);
    const n = x.length;
    const xt = Tensor.empty([n], "float32"), yt = Tensor.empty([n], "float32");
    native.write({ handle: xt._h, byteOffset: 0, data: x });
    native.roundHalf({ kind, n, x: xt, y: yt });
    const y = yt.toTypedArray();
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) {
      const want = Math.fround(ref(x[i]));
      if (!(Object.is(y[i], want) || (Number.isNaN(y[i]) && Number.isNaN(want)))) bad = i;
    }
    t.is(bad, -1, bad >= 0 ? `x = ${x[bad]}: native ${y[bad]}, reference ${ref(x[bad])}` : "");
    native.roundHalf({ kind, n, x: xt, y: xt }); // in place
    t.deepEqual(xt.toTypedArray(), y);
    t.throws(() => native.roundHalf({ kind: 2, n, x: xt, y: yt }), { instanceOf: RangeError, message: /kind must be 0/ });
    t.throws(() => native.roundHalf({ kind, n: n + 1, x: xt, y: yt }), { instanceOf: RangeError });
    xt.dispose();
    yt.dispose();
  });
