// The log-driven progress of `train greener` (GREENer's trainer reports through log lines only):
// the step total comes from the labelled-pairs line, the bar moves on the step and epoch lines,
// and the losses are collected for --plot; other lines pass through.
import test from "ava";
import { greenerLogProgress } from "../../dist/cli/greener.js";
import { compexpLogProgress } from "../../dist/cli/compexp.js";

test("greenerLogProgress: totals from the labelled pairs, losses collected, other lines passed through", (t) => {
  const passed = [];
  const p = greenerLogProgress({ batchSize: 32, epochs: 2, write: (s) => passed.push(s) });
  p.log("greener: data ready (cache, 5 ms): 10 reviews");
  p.log("greener: 100 training pairs labelled in 0.1 s (levels 0..3: 1, 2, 3, 4)"); // 4 steps per epoch
  p.log("GREENer epoch 1/2: loss 0.9000 (sentence 0.5000, attribute 0.4000)");
  p.log("GREENer step 50: loss 0.8000 (sentence 0.5, attribute 0.3), 1.0 s"); // (never at this size; parsed anyway)
  p.log("GREENer epoch 2/2: loss 0.7000 (sentence 0.4000, attribute 0.3000)");
  p.log("greener: trained 8 steps in 1.0 s");
  t.deepEqual(p.epochs, [[4, 0.9], [8, 0.7]]);
  t.deepEqual(p.steps, [[50, 0.8]]);
  t.true(passed[0].startsWith("greener: data ready"));
  t.true(passed.some((s) => s.includes("training pairs labelled")));
  t.true(passed.some((s) => s.startsWith("greener: trained 8 steps")));
  t.false(passed.some((s) => s.startsWith("GREENer epoch")), "epoch lines become the bar");
});

test("greenerLogProgress: --max-steps caps the total", (t) => {
  const p = greenerLogProgress({ batchSize: 10, epochs: 5, maxSteps: 3, write: () => {} });
  p.log("greener: 1000 training pairs labelled in 0.1 s");
  p.log("GREENer epoch 1/5: loss 1.0000 (sentence 0.5, attribute 0.5)");
  t.deepEqual(p.epochs, [[3, 1]]);
  t.is(p.stepsPerEpoch(), 100);
});

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
