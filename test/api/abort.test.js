// Aborting a public async trainer: it stops at the next step boundary (no further step is
// reported), every tensor it built is freed (rf.memory() back to its value before the call), and
// the promise rejects with the signal's reason (a DOMException "AbortError" by default).
import test from "ava";
import { RUNS, METHODS, rejection, rf } from "./fixtures.js";

/** Runs `method`'s long run and aborts at the first event for which `when(e, count)` holds. */
async function abortWhen(method, when, reason) {
  const run = RUNS[method];
  global.gc?.();
  const m0 = rf.memory();
  const ac = new AbortController();
  const events = [];
  let abortedAt = -1;
  const err = await rejection(
    run.train({
      ...run.options(true),
      signal: ac.signal,
      onProgress: (e) => {
        events.push(e);
        if (abortedAt < 0 && when(e, events.length)) {
          abortedAt = events.length;
          ac.abort(reason);
        }
      },
    }),
  );
  return { err, events, abortedAt, m0, m1: rf.memory() };
}

for (const method of METHODS) {
  test.serial(`${method}: abort after the 3rd training step rejects with AbortError at the next boundary and frees the run`, async (t) => {
    let trainSteps = 0;
    const r = await abortWhen(method, (e) => e.phase === "train" && ++trainSteps === 3);
    t.true(r.abortedAt > 0, "aborted mid-run");
    t.true(r.err instanceof DOMException, String(r.err));
    t.is(r.err.name, "AbortError");
    t.is(r.events.length, r.abortedAt, "no step boundary was reported after the abort");
    const last = r.events[r.events.length - 1];
    t.is(last.phase, "train");
    t.true(last.step < last.steps, `stopped at step ${last.step} of ${last.steps}`);
    t.is(r.m1.liveTensors, r.m0.liveTensors, "live tensors back to the baseline");
    t.is(r.m1.liveBytes, r.m0.liveBytes, "live bytes back to the baseline");
    t.is(r.m1.nativeBytes, r.m0.nativeBytes, "native allocator: live bytes back to the baseline");
    t.is(r.m1.nativeBlocks, r.m0.nativeBlocks, "native allocator: live blocks back to the baseline");
  });
}

// Evaluation and preparation are interruptible too (they pause between batches / chunks).
const NON_TRAIN = { dti: "eval", multibalance: "valid", seqrec: "valid", greener: "prepare", compexp: "valid", lsdqn: "valid" };
for (const method of METHODS) {
  test.serial(`${method}: abort during "${NON_TRAIN[method]}" stops there and frees the run`, async (t) => {
    const phase = NON_TRAIN[method];
    // DTI's evaluation comes after the last training step: a short run gets there.
    const run = RUNS[method];
    const reason = new Error(`stop ${method}`);
    const opts = method === "dti" ? run.options(false) : run.options(true);
    global.gc?.();
    const m0 = rf.memory();
    const ac = new AbortController();
    const events = [];
    const err = await rejection(run.train({ ...opts, signal: ac.signal, onProgress: (e) => { events.push(e); if (e.phase === phase && !ac.signal.aborted) ac.abort(reason); } }));
    t.is(err, reason, "rejects with the signal's reason");
    t.is(events[events.length - 1].phase, phase);
    t.is(events.filter((e) => e.phase === phase).length, 1, `stopped at the first ${phase} boundary`);
    const m1 = rf.memory();
    t.is(m1.liveTensors, m0.liveTensors);
    t.is(m1.liveBytes, m0.liveBytes);
    t.is(m1.nativeBytes, m0.nativeBytes);
  });
}

test.serial("a progress callback that throws stops the run with that error and frees it", async (t) => {
  for (const method of METHODS) {
    const run = RUNS[method];
    global.gc?.();
    const m0 = rf.memory();
    const boom = new Error(`callback failed (${method})`);
    let calls = 0;
    const err = await rejection(run.train({ ...run.options(true), onProgress: (e) => { calls++; if (e.phase === "train" && e.step >= 2) throw boom; } }));
    t.is(err, boom, method);
    const m1 = rf.memory();
    t.is(m1.liveTensors, m0.liveTensors, method);
    t.is(m1.nativeBytes, m0.nativeBytes, method);
    t.true(calls > 0);
  }
});
