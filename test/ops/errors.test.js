// Bad input for every public op family must be a TypeError or RangeError whose message
// names the offending shape or value, never a crash, a plain Error from deep inside, or
// a silently wrong result.
//
// Part 1 is generated from a catalogue: for each op, every tensor argument is replaced by
// a string, null, a plain array and an object (TypeError naming what was passed), and by
// a disposed tensor (TypeError naming its shape). Part 2 lists the op-specific failures:
// shape mismatches, wrong dtypes, out-of-range indices, bad axes, bad options.
import test from "ava";
import * as rf from "../../dist/index.js";
import { catalogue, f32, f64, i32 } from "../helpers/catalogue.js";

const badValues = [
  ["a string", "abc", /string|"abc"/],
  ["null", null, /null/],
  ["a plain array", [1, 2], /array/],
  ["a plain object", { shape: [2] }, /object/],
];

for (const [name, call, makeArgs, positions, optional = []] of catalogue) {
  test(`${name}: non-tensor and disposed arguments are TypeErrors naming them`, (t) => {
    t.notThrows(() => call(...makeArgs()), "the valid call works");
    for (const p of positions) {
      for (const [what, bad, re] of badValues) {
        if (bad === null && optional.includes(p)) continue;
        const args = makeArgs();
        args[p] = bad;
        const err = t.throws(() => call(...args), { instanceOf: TypeError }, `${what} as argument ${p}`);
        if (err) {
          t.regex(err.message, re, `${what} as argument ${p}`);
          t.regex(err.message, /^recforge: /);
        }
      }
      const args = makeArgs();
      const shape = [...args[p].shape];
      args[p].dispose();
      const err = t.throws(() => call(...args), { instanceOf: TypeError, message: /disposed/ }, `disposed argument ${p}`);
      if (err) t.true(err.message.includes(`[${shape.join(", ")}]`), `names the shape: ${err.message}`);
    }
  });
}

// ---- op-specific failures -----------------------------------------------------------
const throwsCases = (t, cases) => {
  for (const [what, fn, Cls, re] of cases) {
    const err = t.throws(fn, { instanceOf: Cls }, what);
    if (err) t.regex(err.message, re, `${what}: ${err.message}`);
  }
};

test("unary ops: int32 input, bad scalar parameters", (t) => {
  const x = i32([1, 2]);
  throwsCases(t, [
    ...["neg", "exp", "log", "sqrt", "relu", "sigmoid", "tanh", "square", "abs"].map((n) => [`${n}(int32)`, () => rf[n](x), TypeError, new RegExp(`${n}.*int32`)]),
    ["clamp min > max", () => rf.clamp(f64([2]), 2, 1), RangeError, /min 2 .*max 1/],
    ["clamp string bound", () => rf.clamp(f64([2]), "0"), TypeError, /clamp: min must be a number.*string/],
    ["leakyRelu string slope", () => rf.leakyRelu(f64([2]), "x"), TypeError, /slope/],
    ["elu null alpha", () => rf.elu(f64([2]), null), TypeError, /alpha.*null/],
  ]);
});

test("binary ops and comparisons: shapes that do not broadcast, dtype mismatch, int32 div", (t) => {
  throwsCases(t, [
    ...["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "lt", "ge"].map((n) => [
      `${n} [2,3] [4]`, () => rf[n](f64([2, 3]), f64([4])), RangeError, /\[2, 3\].*\[4\].*broadcast/,
    ]),
    ["add float64 + float32", () => rf.add(f64([2]), f32([2])), TypeError, /float64.*float32/],
    ["lt float32 vs int32", () => rf.lt(f32([2]), i32([1, 2])), TypeError, /float32.*int32/],
    ["div int32", () => rf.div(i32([1, 2]), i32([1, 2])), TypeError, /div.*int32/],
    ["pow int32", () => rf.pow(i32([1, 2]), 2), TypeError, /pow.*int32/],
    ["number with number", () => rf.add(1, 2), TypeError, /add: at least one operand must be a Tensor/],
    ["int32 with a fraction", () => rf.add(i32([1, 2]), 0.5), RangeError, /0\.5/],
    ["int32 compared with a fraction", () => rf.lt(i32([1, 2]), 1.5), RangeError, /1\.5/],
    ["int32 with a number outside int32", () => rf.mul(i32([1]), 2 ** 40), RangeError, /1099511627776/],
    ["method with a string", () => f64([2]).add("1"), TypeError, /string/],
  ]);
});

test("where and cast", (t) => {
  throwsCases(t, [
    ["where cond not broadcastable", () => rf.where(i32([1, 0, 1]), f64([2]), f64([2])), RangeError, /\[3\].*\[2\]/],
    ["where branches differ in dtype", () => rf.where(i32([1]), f64([1]), f32([1])), TypeError, /float64.*float32/],
    ["where with two numbers", () => rf.where(i32([1]), 1, 2), TypeError, /where: a or b must be a Tensor/],
    ["where string branch", () => rf.where(i32([1]), f64([1]), "x"), TypeError, /string/],
    ["cast to int64", () => rf.cast(f64([2]), "int64"), TypeError, /"int64"/],
    ["cast to nothing", () => rf.cast(f64([2])), TypeError, /dtype must be .*got undefined/],
  ]);
});

test("reductions: bad axes, repeated axes, int32 input, empty max/min axis", (t) => {
  const x = f64([2, 3]);
  throwsCases(t, [
    ...["sum", "mean", "amax", "amin", "logsumexp", "variance"].flatMap((n) => [
      [`${n} axis 2 of 2-d`, () => rf[n](x, 2), RangeError, /axis 2 .*2-d/],
      [`${n} axis -3`, () => rf[n](x, -3), RangeError, /axis -3/],
      [`${n} axis "a"`, () => rf[n](x, "a"), TypeError, /axis must be an integer, got a/],
      [`${n} axis 1.5`, () => rf[n](x, 1.5), TypeError, /1\.5/],
      [`${n} repeated axes`, () => rf[n](x, [1, -1]), RangeError, /repeated axis.*\[1,-1\]/],
      [`${n} int32`, () => rf[n](i32([1, 2])), TypeError, /int32/],
    ]),
    ...["max", "min", "argmax", "argmin"].flatMap((n) => [
      [`${n} axis 5`, () => rf[n](x, 5), RangeError, /axis 5/],
      [`${n} no axis`, () => rf[n](x), TypeError, /axis must be an integer, got undefined/],
      [`${n} empty axis`, () => rf[n](rf.zeros([2, 0]), 1), RangeError, /axis 1 of \[2, 0\] is empty/],
      [`${n} int32`, () => rf[n](i32([1, 2]), 0), TypeError, /int32/],
    ]),
    ["amax over an empty axis", () => rf.amax(rf.zeros([0, 2]), 0), RangeError, /\[0, 2\] is empty/],
    ["logsumexp over an empty axis", () => rf.logsumexp(rf.zeros([3, 0]), 1), RangeError, /\[3, 0\] is empty/],
    ["amax over all axes, the first one empty", () => rf.amax(rf.zeros([0, 3])), RangeError, /amax: axis 0 of \[0, 3\] is empty/],
  ]);
});

test("matmul and linear: inner dims, 0-d, dtype, bias", (t) => {
  throwsCases(t, [
    ["inner dims", () => rf.matmul(f64([2, 3]), f64([4, 5])), RangeError, /\[2, 3\] @ \[4, 5\]/],
    ["1-d inner dims", () => rf.matmul(f64([3]), f64([4])), RangeError, /\[3\].*\[4\]/],
    ["batch dims", () => rf.matmul(f64([2, 2, 3]), f64([3, 3, 4])), RangeError, /\[2\].*\[3\]/],
    ["0-d", () => rf.matmul(f64([]), f64([3])), RangeError, /at least 1-d.*\[\]/],
    ["dtype", () => rf.matmul(f64([2, 3]), f32([3, 2])), TypeError, /float64.*float32/],
    ["int32", () => rf.matmul(i32([1, 2], [1, 2]), i32([1, 2], [2, 1])), TypeError, /int32/],
    ["linear features", () => rf.linear(f64([2, 3]), f64([4, 5])), RangeError, /\[2, 3\].*3 features.*\[4, 5\]/],
    ["linear weight 1-d", () => rf.linear(f64([2, 3]), f64([3])), RangeError, /weight must be 2-d.*\[3\]/],
    ["linear bias shape", () => rf.linear(f64([2, 3]), f64([4, 3]), f64([5])), RangeError, /bias \[5\] must be \[4\]/],
    ["linear bias dtype", () => rf.linear(f64([2, 3]), f64([4, 3]), f32([4])), TypeError, /float64.*float32/],
    ["linear 0-d input", () => rf.linear(f64([]), f64([4, 3])), RangeError, /\[\]/],
    ["linear bias number", () => rf.linear(f64([2, 3]), f64([4, 3]), 5), TypeError, /bias must be a Tensor.*5/],
  ]);
});

test("softmax and norms: axis, 0-d, parameter shapes and dtypes, eps", (t) => {
  throwsCases(t, [
    ["softmax axis 2", () => rf.softmax(f64([2, 3]), 2), RangeError, /axis 2/],
    ["softmax 0-d", () => rf.softmax(f64([])), RangeError, /1-d/],
    ["logSoftmax int32", () => rf.logSoftmax(i32([1, 2])), TypeError, /int32/],
    ["layerNorm weight shape", () => rf.layerNorm(f64([2, 3]), f64([4])), RangeError, /weight \[4\] must be \[3\].*\[2, 3\]/],
    ["layerNorm bias shape", () => rf.layerNorm(f64([2, 3]), null, f64([3, 1])), RangeError, /bias \[3, 1\] must be \[3\]/],
    ["layerNorm weight dtype", () => rf.layerNorm(f64([2, 3]), f32([3])), TypeError, /float64.*float32/],
    ["layerNorm negative eps", () => rf.layerNorm(f64([2, 3]), null, null, -1), RangeError, /eps.*-1/],
    ["layerNorm 0-d", () => rf.layerNorm(f64([])), RangeError, /1-d/],
    ["rmsNorm weight shape", () => rf.rmsNorm(f64([2, 3]), f64([2])), RangeError, /weight \[2\] must be \[3\]/],
    ["rmsNorm eps string", () => rf.rmsNorm(f64([2, 3]), null, "x"), RangeError, /eps.*x/],
    ["rmsNorm int32", () => rf.rmsNorm(i32([1, 2])), TypeError, /int32/],
  ]);
});

test("indexing: float indices, out-of-range indices, shapes, axes", (t) => {
  const w = f64([3, 2]);
  throwsCases(t, [
    ["embedding float indices", () => rf.embedding(rf.tensor([0, 1]), w), TypeError, /indices must be int32, got float32/],
    ["embedding index too big", () => rf.embedding(i32([0, 3]), w), RangeError, /index 3 .*position 1.*\[0, 3\)/],
    ["embedding negative index", () => rf.embedding(i32([-1]), w), RangeError, /index -1/],
    ["embedding 1-d weight", () => rf.embedding(i32([0]), f64([3])), RangeError, /weight must be 2-d.*\[3\]/],
    ["embedding int32 table ok but index bad", () => rf.embedding(i32([5]), i32([1, 2, 3, 4], [2, 2])), RangeError, /index 5/],
    ["gather float indices", () => rf.gather(f64([2, 3]), 1, rf.zeros([2, 1])), TypeError, /int32, got float32/],
    ["gather index out of range", () => rf.gather(f64([2, 3]), 1, i32([0, 3], [2, 1])), RangeError, /index 3 .*\[0, 3\)/],
    ["gather negative index", () => rf.gather(f64([2, 3]), 0, i32([-2, 0, 0], [1, 3])), RangeError, /index -2/],
    ["gather shape", () => rf.gather(f64([2, 3]), 1, i32([0, 0, 0], [3, 1])), RangeError, /indices \[3, 1\] must match x \[2, 3\] except along axis 1/],
    ["gather ndim", () => rf.gather(f64([2, 3]), 1, i32([0, 0])), RangeError, /indices \[2\]/],
    ["gather axis", () => rf.gather(f64([2, 3]), 2, i32([0, 0], [2, 1])), RangeError, /axis 2/],
    ["scatterAdd index out of range", () => rf.scatterAdd(f64([2, 3]), 1, i32([0, 7], [2, 1]), f64([2, 1])), RangeError, /index 7/],
    ["scatterAdd src shape", () => rf.scatterAdd(f64([2, 3]), 1, i32([0, 1], [2, 1]), f64([2, 2])), RangeError, /src \[2, 2\]/],
    ["scatterAdd dtype", () => rf.scatterAdd(f64([2, 3]), 1, i32([0, 1], [2, 1]), f32([2, 1])), TypeError, /float64.*float32/],
    ["scatterAdd float indices", () => rf.scatterAdd(f64([2, 3]), 1, f64([2, 1]), f64([2, 1])), TypeError, /int32, got float64/],
    ["indexSelect out of range", () => rf.indexSelect(f64([2, 3]), 1, i32([0, 3])), RangeError, /index 3 .*\[0, 3\)/],
    ["indexSelect 2-d indices", () => rf.indexSelect(f64([2, 3]), 1, i32([0, 1], [1, 2])), RangeError, /indices must be 1-d, got \[1, 2\]/],
    ["indexSelect axis", () => rf.indexSelect(f64([2, 3]), -3, i32([0])), RangeError, /axis -3/],
    ["indexSelect float indices", () => rf.indexSelect(f64([2, 3]), 0, rf.tensor([0])), TypeError, /int32, got float32/],
  ]);
});

test("shape ops: impossible shapes, bad axes, bad sizes", (t) => {
  const x = f64([2, 3]);
  throwsCases(t, [
    ["reshape numel", () => rf.reshape(x, [4]), RangeError, /\[2, 3\].*\[4\]/],
    ["reshape two -1", () => rf.reshape(x, [-1, -1]), RangeError, /\[-1, -1\]/],
    ["reshape -1 no fit", () => rf.reshape(x, [-1, 4]), RangeError, /\[-1, 4\]/],
    ["reshape negative", () => rf.reshape(x, [-2, -3]), RangeError, /\[-2, -3\]/],
    ["reshape fraction", () => rf.reshape(x, [1.5, 4]), RangeError, /\[1.5, 4\]/],
    ["reshape string", () => rf.reshape(x, "23"), TypeError, /shape must be an array/],
    ["view non-contiguous", () => x.T.view([6]), TypeError, /contiguous/],
    ["flatten start > end", () => rf.flatten(f64([2, 3, 4]), 2, 1), RangeError, /start 2 .*end 1/],
    ["flatten bad start", () => rf.flatten(x, 5), RangeError, /start 5/],
    ["permute wrong length", () => rf.permute(x, [0]), RangeError, /\[0\].*\[2, 3\]/],
    ["permute repeated", () => rf.permute(x, [1, 1]), RangeError, /repeated axis in \[1,1\]/],
    ["permute axis", () => rf.permute(x, [0, 2]), RangeError, /axis 2/],
    ["permute not an array", () => rf.permute(x, "10"), RangeError, /"10"/],
    ["transpose axis", () => rf.transpose(x, 0, 3), RangeError, /axis 3/],
    ["expand incompatible", () => rf.expand(x, [2, 4]), RangeError, /cannot expand \[2, 3\] to \[2, 4\]/],
    ["expand fewer dims", () => rf.expand(x, [3]), RangeError, /\[2, 3\].*\[3\]/],
    ["expand null", () => rf.expand(x, null), TypeError, /expand: shape must be an array.*null/],
    ["expand negative", () => rf.expand(f64([1]), [-3]), RangeError, /\[-3\]/],
    ["squeeze non-1 axis", () => rf.squeeze(x, 0), RangeError, /axis 0 of \[2, 3\] has size 2/],
    ["squeeze axis", () => rf.squeeze(x, 2), RangeError, /axis 2/],
    ["unsqueeze axis", () => rf.unsqueeze(x, 4), RangeError, /axis 4/],
    ["slice axis", () => rf.slice(x, 2, 0, 1), RangeError, /axis 2/],
    ["slice fractional bound", () => rf.slice(x, 0, 0.5), TypeError, /0\.5/],
    ["split sizes sum", () => rf.split(x, [1, 1], 1), RangeError, /\[1,1\] sum to 2.*\[2, 3\] has 3/],
    ["split negative size", () => rf.split(f64([5]), [-1, 6]), RangeError, /\[-1,6\]/],
    ["split fractional size", () => rf.split(f64([3]), [1.5, 1.5]), RangeError, /1\.5/],
    ["split chunk 0", () => rf.split(x, 0), RangeError, /chunk size .* got 0/],
    ["split axis", () => rf.split(x, 1, 2), RangeError, /axis 2/],
    ["concat empty list", () => rf.concat([]), TypeError, /non-empty array/],
    ["concat not an array", () => rf.concat(x), TypeError, /non-empty array/],
    ["concat shapes", () => rf.concat([x, f64([2, 4])], 0), RangeError, /\[2, 3\], \[2, 4\] differ outside axis 0/],
    ["concat ndim", () => rf.concat([x, f64([3])], 0), RangeError, /\[2, 3\], \[3\]/],
    ["concat dtypes", () => rf.concat([x, f32([2, 3])], 0), TypeError, /float64 vs float32/],
    ["concat axis", () => rf.concat([x, x], 2), RangeError, /axis 2/],
    ["concat 0-d", () => rf.concat([f64([]), f64([])]), RangeError, /0-d/],
    ["stack shapes", () => rf.stack([x, f64([3, 2])]), RangeError, /\[2, 3\], \[3, 2\]/],
    ["stack axis", () => rf.stack([x, x], 3), RangeError, /axis 3/],
  ]);
});

test("losses: shapes, dtypes, targets out of range, options", (t) => {
  throwsCases(t, [
    ["bce shapes", () => rf.bceWithLogits(f64([3]), f64([2, 3])), RangeError, /logits \[3\] and target \[2, 3\]/],
    ["bce dtypes", () => rf.bceWithLogits(f64([3]), f32([3])), TypeError, /float64.*float32/],
    ["bce int32 logits", () => rf.bceWithLogits(i32([1]), i32([1])), TypeError, /int32/],
    ["bce posWeight 0", () => rf.bceWithLogits(f64([3]), f64([3]), { posWeight: 0 }), RangeError, /posWeight.*0/],
    ["bce posWeight string", () => rf.bceWithLogits(f64([3]), f64([3]), { posWeight: "2" }), RangeError, /posWeight.*2/],
    ["bce reduction", () => rf.bceWithLogits(f64([3]), f64([3]), { reduction: "avg" }), TypeError, /reduction.*"avg"/],
    ["ce target out of range", () => rf.crossEntropy(f64([2, 3]), i32([0, 3])), RangeError, /target 3 at row 1 .*\[0, 3\)/],
    ["ce negative target", () => rf.crossEntropy(f64([2, 3]), i32([-1, 0])), RangeError, /target -1 at row 0/],
    ["ce float target", () => rf.crossEntropy(f64([2, 3]), f64([2])), TypeError, /target must be int32, got float64/],
    ["ce logits 1-d", () => rf.crossEntropy(f64([3]), i32([0])), RangeError, /\[N, C\].*\[3\] and \[1\]/],
    ["ce rows", () => rf.crossEntropy(f64([2, 3]), i32([0, 1, 2])), RangeError, /\[2, 3\] and \[3\]/],
    ["ce ignoreIndex fraction", () => rf.crossEntropy(f64([2, 3]), i32([0, 1]), { ignoreIndex: 0.5 }), TypeError, /ignoreIndex.*0\.5/],
    ["ce reduction", () => rf.crossEntropy(f64([2, 3]), i32([0, 1]), { reduction: "max" }), TypeError, /"max"/],
    ["ce int32 logits", () => rf.crossEntropy(i32([1, 2], [1, 2]), i32([0])), TypeError, /int32/],
    ["mse shapes", () => rf.mse(f64([3]), f64([4])), RangeError, /pred \[3\] and target \[4\]/],
    ["mse dtypes", () => rf.mse(f64([3]), f32([3])), TypeError, /float64.*float32/],
    ["mse int32", () => rf.mse(i32([1]), i32([1])), TypeError, /mse.*int32/],
    ["mse reduction", () => rf.mse(f64([3]), f64([3]), { reduction: "none!" }), TypeError, /"none!"/],
    ["dropout p 1", () => rf.dropout(f64([3]), 1), RangeError, /p must be in \[0, 1\), got 1/],
    ["dropout p negative", () => rf.dropout(f64([3]), -0.1), RangeError, /-0\.1/],
    ["dropout p string", () => rf.dropout(f64([3]), "0.5"), RangeError, /0\.5/],
    ["dropout int32", () => rf.dropout(i32([1, 2]), 0.5), TypeError, /dropout.*int32/],
  ]);
});

test("null or undefined options mean the defaults", (t) => {
  for (const f of [
    () => rf.crossEntropy(f64([2, 3]), i32([0, 1]), null),
    () => rf.bceWithLogits(f64([2]), f64([2]), null),
    () => rf.mse(f64([2]), f64([2]), undefined),
    () => rf.topk(f64([3]), 2, null).values,
    () => rf.sort(f64([3]), null).values,
    () => rf.randn([2], null),
    () => rf.tensor([1], null),
    () => rf.dropout(f64([3]), 0.5, null),
  ])
    t.true(f() instanceof rf.Tensor);
});

test("topk and sort: k range, axis, 0-d", (t) => {
  const x = f64([2, 3]);
  throwsCases(t, [
    ["topk k > n", () => rf.topk(x, 4), RangeError, /k = 4 .*\[0, 3\].*\[2, 3\]/],
    ["topk k negative", () => rf.topk(x, -1), RangeError, /k = -1/],
    ["topk k fraction", () => rf.topk(x, 1.5), RangeError, /k = 1\.5/],
    ["topk axis", () => rf.topk(x, 1, { axis: 2 }), RangeError, /axis 2/],
    ["topk 0-d", () => rf.topk(f64([]), 1), RangeError, /1-d/],
    ["topk largest string", () => rf.topk(x, 1, { largest: "yes" }), TypeError, /topk: largest must be a boolean, got the string "yes"/],
    ["sort axis", () => rf.sort(x, { axis: -3 }), RangeError, /axis -3/],
    ["sort 0-d", () => rf.sort(f64([])), RangeError, /1-d/],
    ["sort descending string", () => rf.sort(x, { descending: "no" }), TypeError, /sort: descending must be a boolean, got the string "no"/],
  ]);
});

test("creation: bad data, shapes, dtypes, ranges", (t) => {
  throwsCases(t, [
    ["tensor string", () => rf.tensor("abc"), TypeError, /string/],
    ["tensor null", () => rf.tensor(null), TypeError, /null/],
    ["tensor undefined", () => rf.tensor(undefined), TypeError, /undefined/],
    ["tensor object", () => rf.tensor({ a: 1 }), TypeError, /object/],
    ["tensor ragged", () => rf.tensor([[1, 2], [3]]), RangeError, /ragged.*length 2 at depth 1/],
    ["tensor ragged deeper", () => rf.tensor([[1, 2], 3]), RangeError, /ragged/],
    ["tensor string element", () => rf.tensor([1, "a"]), TypeError, /string/],
    ["tensor null element", () => rf.tensor([[1], [null]]), TypeError, /null/],
    ["tensor int32 fraction", () => rf.tensor([1.5], { dtype: "int32" }), RangeError, /1\.5/],
    ["tensor int32 from Float64Array fraction", () => rf.tensor(new Float64Array([2.5]), { dtype: "int32" }), RangeError, /2\.5/],
    ["tensor int32 NaN", () => rf.tensor([NaN], { dtype: "int32" }), RangeError, /NaN/],
    ["tensor int32 too large", () => rf.tensor([2 ** 31], { dtype: "int32" }), RangeError, /2147483648/],
    ["tensor shape numel", () => rf.tensor([1, 2, 3], { shape: [2, 2] }), RangeError, /3 values .*\[2, 2\]/],
    ["tensor dtype", () => rf.tensor([1], { dtype: "int64" }), TypeError, /"int64"/],
    ["tensor Uint8Array without dtype", () => rf.tensor(new Uint8Array(2)), TypeError, /Uint8Array/],
    ["tensor too many dims", () => rf.tensor([[[[[[[1]]]]]]]), RangeError, /more than 6 dims/],
    ["full negative dim", () => rf.full([2, -1], 0), RangeError, /\[2, -1\]/],
    ["full fractional dim", () => rf.full([2.5], 0), RangeError, /\[2.5\]/],
    ["full string value", () => rf.full([2], "1"), TypeError, /value must be a number.*string/],
    ["full shape not array", () => rf.full(3, 0), TypeError, /shape must be an array.*number/],
    ["zeros 7 dims", () => rf.zeros([1, 1, 1, 1, 1, 1, 1]), RangeError, /more than 6 dims/],
    ["ones dtype", () => rf.ones([2], { dtype: "bool" }), TypeError, /"bool"/],
    ["arange step 0", () => rf.arange(0, 5, 0), RangeError, /step must not be 0/],
    ["arange NaN", () => rf.arange(NaN), TypeError, /finite numbers/],
    ["arange string", () => rf.arange("5"), TypeError, /finite numbers/],
    ["eye negative", () => rf.eye(-1), RangeError, /-1/],
    ["eye fraction", () => rf.eye(2.5), RangeError, /2\.5/],
    ["rand int32", () => rf.rand([2], { dtype: "int32" }), TypeError, /float dtype, got int32/],
    ["randn bad shape", () => rf.randn([-2]), RangeError, /\[-2\]/],
    ["randint high <= low", () => rf.randint(5, 2, [3]), RangeError, /high \(2\) must exceed low \(5\)/],
    ["randint fractional bound", () => rf.randint(0.5, 3, [2]), TypeError, /integers/],
    ["randint bound beyond int32", () => rf.randint(0, 2 ** 40, [2]), RangeError, /1099511627776/],
    ["randint low beyond int32", () => rf.randint(-(2 ** 32), 0, [2]), RangeError, /-4294967296/],
    ["bernoulli p", () => rf.bernoulli([2], 1.5), RangeError, /1\.5/],
    ["arange int32 overflow", () => rf.arange(2 ** 31 - 2, 2 ** 31 + 2), RangeError, /arange\(2147483646, 2147483650, 1\).*int32/],
    ["arange int32 fractional step", () => rf.arange(0, 1, 0.25, { dtype: "int32" }), RangeError, /0\.25.*int32/],
    ["arange too long", () => rf.arange(-(2 ** 40), 7), RangeError, /1099511627783 elements/],
    ["arange bad dtype", () => rf.arange(3, 5, 1, { dtype: "int8" }), TypeError, /"int8"/],
    ["shape beyond 2^53 elements", () => rf.zeros([2 ** 31, 2 ** 31, 2 ** 31]), RangeError, /2\^53/],
    ["generator not a Generator", () => rf.randn([2], { generator: 3 }), TypeError, /Generator, got number 3/],
    ["dropout generator", () => rf.dropout(f64([2]), 0.5, { generator: {} }), TypeError, /Generator, got a plain object/],
    ["randint generator", () => rf.randint(0, 3, [2], { generator: "g" }), TypeError, /Generator, got the string "g"/],
    ["options not an object", () => rf.randn([2], 5), TypeError, /randn: options must be a plain object, got number 5/],
    ["loss options array", () => rf.mse(f64([2]), f64([2]), ["sum"]), TypeError, /mse: options must be a plain object, got a plain array/],
    ["topk options string", () => rf.topk(f64([2]), 1, "largest"), TypeError, /topk: options must be a plain object/],
    ["a tensor as options", () => rf.randn([2], f64([1])), TypeError, /options must be a plain object, got an object of type Tensor/],
    ["rand low string", () => rf.rand([2], { low: "0" }), TypeError, /rand: low must be a number, got the string "0"/],
    ["randn std array", () => rf.randn([2], { std: [1] }), TypeError, /randn: std must be a number, got a plain array/],
    ["bernoulli p string", () => rf.bernoulli([2], "0.5"), RangeError, /"0\.5"/],
    ["Generator negative seed", () => new rf.Generator(-1), RangeError, /-1/],
    ["Generator fractional seed", () => new rf.Generator(1.5), RangeError, /1\.5/],
    ["manualSeed string", () => rf.manualSeed("7"), RangeError, /7/],
    ["setNumThreads 0", () => rf.setNumThreads(0), RangeError, /got 0/],
  ]);
});

test("tensor methods and autograd entry points: item, requiresGrad, backward", (t) => {
  throwsCases(t, [
    ["item of 2 elements", () => f64([2]).item(), RangeError, /item\(\).*\[2\]/],
    ["item of disposed", () => { const x = f64([1]); x.dispose(); return x.item(); }, TypeError, /disposed/],
    ["toArray of disposed", () => { const x = f64([2, 2]); x.dispose(); return x.toArray(); }, TypeError, /shape \[2, 2\]\) was disposed/],
    ["requiresGrad on int32", () => { i32([1]).requiresGrad = true; }, TypeError, /int32/],
    ["backward without grad", () => f64([1]).backward(), TypeError, /does not require grad/],
    ["backward non-scalar", () => rf.mul(f64([3]).requiresGrad_(), 2).backward(), RangeError, /one-element.*\[3\]/],
    ["backward grad shape", () => rf.mul(f64([3]).requiresGrad_(), 2).backward(f64([2])), RangeError, /\[2\] float64 does not match tensor \[3\] float64/],
    ["backward grad dtype", () => rf.mul(f64([3]).requiresGrad_(), 2).backward(f32([3])), RangeError, /float32 does not match/],
    ["backward grad not a tensor", () => rf.mul(f64([3]).requiresGrad_(), 2).backward([1, 1, 1]), TypeError, /expects a Tensor/],
    ["registerHook on a constant", () => f64([1]).registerHook(() => {}), TypeError, /does not require grad/],
    ["registerHook non-function", () => f64([1]).requiresGrad_().registerHook(3), TypeError, /needs a function/],
    ["tidy non-function", () => rf.tidy(3), TypeError, /needs a function/],
    ["to cuda", () => f64([1]).to("cuda"), TypeError, /cuda/],
  ]);
});
