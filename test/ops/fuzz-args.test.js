// Random argument lists for every public op: whatever is passed (tensors of other shapes
// and dtypes, empty or disposed tensors, odd numbers, strings, null, arrays, objects,
// option bags with bad fields) an op either returns a Tensor (or its documented result)
// or throws a recforge TypeError/RangeError that leaves no temporary tensors behind.
// Never a process crash, never an internal JavaScript error such as "Cannot read
// properties of undefined".
import test from "ava";
import * as rf from "../../dist/index.js";
import { catalogue, f32, f64, i32 } from "../helpers/catalogue.js";
import { rng } from "../helpers/reference.js";

const r = rng(1111);
const pool = () => {
  const disposed = f64([2]);
  disposed.dispose();
  return [
    () => f64([2, 3]), () => f64([3]), () => f64([]), () => f64([0, 3]), () => f64([3, 2]), () => f64([2, 3, 4]),
    () => f32([2, 3]), () => i32([0, 1, 2]), () => i32([0, 1], [2, 1]), () => i32([-1, 5]), () => rf.tensor([1, 0], { dtype: "int32" }),
    () => disposed, () => rf.transpose(f64([3, 2])),
    () => 0, () => 1, () => -1, () => 2, () => 7, () => 2.5, () => NaN, () => Infinity, () => -(2 ** 40),
    () => "abc", () => "float32", () => null, () => undefined, () => true, () => [1, 2], () => [], () => [2, 3], () => [-1], () => ({}),
    () => ({ reduction: "sum" }), () => ({ reduction: "avg" }), () => ({ axis: "a" }), () => ({ axis: 5 }), () => ({ posWeight: -1 }),
    () => ({ ignoreIndex: 1.5 }), () => ({ largest: 1 }), () => ({ descending: "yes" }), () => ({ generator: 3 }), () => ({ training: false }),
    () => () => 0,
  ];
};

function check(t, name, call, args) {
  const live = rf.memory().liveTensors;
  const shown = () =>
    args.map((a) => (a instanceof rf.Tensor ? `Tensor[${a.isDisposed ? "disposed " : ""}${a.shape}] ${a.dtype}` : typeof a === "function" ? "fn" : JSON.stringify(a))).join(", ");
  try {
    call(...args);
  } catch (e) {
    const ok = (e instanceof TypeError || e instanceof RangeError) && /^recforge: /.test(e.message);
    if (!ok) {
      t.fail(`${name}(${shown()}) threw ${e?.constructor?.name}: ${e?.message}`);
      return false;
    }
    // a failed call must not leave temporaries behind
    const leaked = rf.memory().liveTensors - live;
    if (leaked !== 0) {
      t.fail(`${name}(${shown()}) threw "${e.message}" and left ${leaked} tensor(s) alive`);
      return false;
    }
  }
  return true;
}

for (const [name, call, makeArgs] of catalogue) {
  test(`fuzz ${name}`, (t) => {
    const values = pool();
    const arity = makeArgs().length + 1;
    for (let k = 0; k < 150; k++) {
      // start from a valid call and replace 1-2 arguments, or draw everything at random
      const args = k % 3 === 0 ? Array.from({ length: r.int(0, arity + 1) }, () => r.pick(values)()) : makeArgs();
      if (k % 3 !== 0) for (let j = 0; j < r.int(1, 3); j++) args[r.int(0, arity)] = r.pick(values)();
      if (!check(t, name, call, args)) return;
    }
    t.pass();
  });
}

test("fuzz creation functions and Tensor methods", (t) => {
  const values = pool();
  const fns = [
    ["tensor", rf.tensor], ["full", rf.full], ["zeros", rf.zeros], ["ones", rf.ones], ["arange", rf.arange], ["eye", rf.eye],
    ["rand", rf.rand], ["randn", rf.randn], ["randint", rf.randint], ["bernoulli", rf.bernoulli],
    ["reshape method", (x, ...a) => x.reshape(...a)], ["view", (x, ...a) => x.view(...a)], ["item", (x) => x.item()],
    ["backward", (x, ...a) => x.backward(...a)], ["expand method", (x, ...a) => x.expand(...a)], ["var method", (x, ...a) => x.var(...a)],
  ];
  for (const [name, f] of fns)
    for (let k = 0; k < 120; k++) {
      const args = Array.from({ length: r.int(0, 4) }, () => r.pick(values)());
      if (name.includes("method") || ["view", "item", "backward"].includes(name)) {
        const x = args[0];
        if (!(x instanceof rf.Tensor)) continue;
      }
      if (!check(t, name, f, args)) return;
    }
  t.pass();
});
