// The command table spells out some value lists (it must not import the library: --help works
// without the native addon); they must stay equal to the library's own lists.
import test from "ava";
import { COMMANDS } from "../../dist/cli/commands.js";
import { COP_STAGES } from "../../dist/bench/cop.js";
import { SEQ_MODELS } from "../../dist/methods/seqrec/models.js";
import { SEQ_LOSSES } from "../../dist/methods/seqrec/inbatch_loss.js";
import { TIME_UNITS } from "../../dist/methods/seqrec/cta.js";
import { BALANCER_KINDS } from "../../dist/methods/multibalance/balancers/index.js";

const values = (cmd, flag) => COMMANDS.find((c) => c.name === cmd).flags.find((f) => f.name === flag).values;

test("enum values in the table equal the library's lists", (t) => {
  t.deepEqual([...values("train seqrec", "model")].sort(), [...SEQ_MODELS].sort());
  t.deepEqual([...values("train seqrec", "loss")].sort(), [...SEQ_LOSSES].sort());
  t.deepEqual([...values("train seqrec", "time-unit")].sort(), Object.keys(TIME_UNITS).sort());
  t.deepEqual([...values("bench cop", "only")].sort(), [...COP_STAGES].sort());
  t.deepEqual([...values("train multitask", "balancer")].sort(), [...BALANCER_KINDS].sort());
  t.deepEqual([...values("bench balance-seeds", "balancers")].sort(), [...BALANCER_KINDS].sort());
});
