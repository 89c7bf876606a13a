// The log-driven progress of `train compexp` (its CLI draws the stage bars from the log lines;
// `train greener`'s bars read the trainer's progress events: progress_bars.test.js).
import test from "ava";
import { compexpLogProgress } from "../../dist/cli/compexp.js";

test("compexpLogProgress: batch and epoch lines drive the stage bars; other lines pass through", (t) => {
  const passed = [], drawn = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk) => (drawn.push(String(chunk)), true); // the bars (not a TTY here: whole lines)
  try {
    const log = compexpLogProgress({ epochs: 10, write: (s) => passed.push(s) });
    log("compexp: vocabulary 10, 5 training / 2 validation examples");
    log("compexp extractor epoch 1 batch 10: loss 2.0000"); // epoch 1 of (assumed) 10, batches per epoch unknown
    log("compexp extractor epoch 1/3: loss 2.0000, validation −NLL -2.0000 (best), 1.0 s"); // now 1 of 3; 10 batches per epoch
    log("compexp extractor epoch 2 batch 5: loss 1.9000"); // 1.5 of 3
    log("compexp extractor: early stop (no improvement in 5 epochs)");
    log("compexp pretrain epoch 1 batch 10: loss 3.0000");
  } finally {
    process.stderr.write = write;
  }
  t.deepEqual(passed, ["compexp: vocabulary 10, 5 training / 2 validation examples", "compexp extractor: early stop (no improvement in 5 epochs)"]);
  t.regex(drawn[0], /^compexp extractor .*  0% 0\/10 .*epoch 1 batch 10: loss 2\.0000/);
  t.regex(drawn[1], /^compexp extractor .* 33% 1\/3 /);
  t.regex(drawn[2], /^compexp extractor .* 50% 1\.50\/3 .*ETA/);
  t.regex(drawn[3], /^compexp pretrain .*  0% 0\/10 /);
  t.is(drawn.length, 4);
});
