// The op table (native/ops.table.mjs) and the code agree: the generated files are up to date, every
// table op is bound by its addon(s) and nothing else is, no binding reads arguments by position,
// and JS callers of the addons call ops the table has (scripts/gen-ops.mjs --check).
import test from "ava";
import { check } from "../../scripts/gen-ops.mjs";

test("the op table and the code agree (node scripts/gen-ops.mjs --check)", (t) => {
  t.deepEqual(check(), []);
});
