// Backend parity over the op table (test/parity/op_cases.js, backend_parity.js): every table op
// has an entry; each op with arguments to build runs on every backend present (the CPU here; the
// CUDA addon or the emulated device when loaded; scripts/cuda-emulate.mjs --addon runs the same
// list against the CUDA kernels through test/cuda/checks.js) with outputs poisoned and compared
// with the CPU's; each gradient entry is checked against finite differences in float64.
import test from "ava";
import * as rf from "../../dist/index.js";
import * as nat from "../../dist/native.js";
import { ops } from "../../native/ops.table.mjs";
import { backendsPresent, checkGrad, checkOp, coverageProblems, gradCases, nativeCases } from "./backend_parity.js";

const backends = backendsPresent(nat);

test("every op of the op table has a parity entry (arguments, gradient, covering entry or exemption)", (t) => {
  t.deepEqual(coverageProblems(ops), []);
});

for (const c of nativeCases()) {
  const on = backends.filter((b) => c.backends.includes(b));
  if (!on.length) test.skip(`${c.op}: only on ${c.backends.join(", ")}, not present here`, () => {});
  else
    test(`${c.op}: every output written on ${on.join(", ")}${on.length > 1 ? ", equal to the cpu's" : ""}`, (t) => {
      checkOp(t, rf, nat, c.op, on);
      t.pass();
    });
}

for (const g of gradCases())
  test(`${g.op}: ${g.name}: float64 gradient vs finite differences${backends.length > 1 ? `; ${backends.slice(1).join(", ")} vs cpu` : ""}`, (t) => {
    checkGrad(t, rf, g, backends);
    t.pass();
  });
