// The GREENer CLI's selection and label flags: parsed into the pipeline's options, validated
// before any data is loaded (a typo is a RangeError naming the flag and the value).
import test from "ava";
import { greenerOptionsFromFlags, selectionFlags } from "../../dist/cli/greener.js";
import { parseArgs } from "../../dist/cli/args.js";

const flagsOf = (argv) => parseArgs(argv).flags;

test("selection flags map to the pipeline's options; absent flags stay absent", (t) => {
  t.deepEqual(selectionFlags(flagsOf([])), {});
  t.deepEqual(selectionFlags(flagsOf(["--alpha", "0.3", "--length-weight", "0.1", "--labels", "review", "--no-centrality"])),
    { alpha: 0.3, lengthWeight: 0.1, labels: "review", centralityFeatures: false });
  t.deepEqual(selectionFlags(flagsOf(["--length-weight", "0"])), { lengthWeight: 0 });
  const o = greenerOptionsFromFlags(flagsOf(["--alpha", "1", "--labels", "sentences", "--hidden", "64"]));
  t.is(o.alpha, 1);
  t.is(o.labels, "sentences");
  t.is(o.model.hidden, 64);
});

test("bad selection flags are RangeErrors naming the flag and value", (t) => {
  t.throws(() => selectionFlags(flagsOf(["--alpha", "-1"])), { instanceOf: RangeError, message: /--alpha must be >= 0, got -1/ });
  t.throws(() => selectionFlags(flagsOf(["--length-weight", "abc"])), { instanceOf: RangeError, message: /--length-weight/ });
  t.throws(() => selectionFlags(flagsOf(["--labels", "words"])), { instanceOf: RangeError, message: /--labels must be one of sentences, review, got "words"/ });
});

test("bench greener-fair: bad flags are RangeErrors before any data is read", async (t) => {
  const { benchGreenerFairCommand } = await import("../../dist/cli/greener.js");
  const run = (argv) => benchGreenerFairCommand(flagsOf([...argv, "--data", "/nonexistent/reviews.json"]));
  await t.throwsAsync(run(["--seeds", "0,x"]), { instanceOf: RangeError, message: /--seeds/ });
  await t.throwsAsync(run(["--variants", "spec,bogus"]), { instanceOf: RangeError, message: /--variants: unknown "bogus"/ });
  await t.throwsAsync(run(["--fusion", "-1"]), { instanceOf: RangeError, message: /--fusion/ });
  await t.throwsAsync(run(["--domain", "Bad Name"]), { instanceOf: RangeError, message: /--domain/ });
  await t.throwsAsync(run(["--tag", "x/y"]), { instanceOf: RangeError, message: /--tag/ });
  await t.throwsAsync(run(["--max-epochs", "0"]), { instanceOf: RangeError, message: /--max-epochs/ });
});
