// The async trainers leave the event loop running: a setInterval timer keeps firing while they
// prepare, train and evaluate, and an abort scheduled with setTimeout stops a run in progress.
// (No timing is asserted: only that timers ran while the run was in progress.)
import test from "ava";
import { RUNS, METHODS, rejection, rf } from "./fixtures.js";

for (const method of METHODS) {
  test.serial(`${method}: timers fire during an async run; an abort from a timer stops it`, async (t) => {
    const run = RUNS[method];
    global.gc?.();
    const live0 = rf.memory().liveTensors;
    const ac = new AbortController();
    let ticks = 0, ticksWhileRunning = 0, started = false, maxGapMs = 0, last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      ticks++;
      if (started) ticksWhileRunning++;
    }, 2);
    const phases = new Set();
    let trainSteps = 0, lastEvent = null;
    const p = run.train({
      ...run.options(true),
      signal: ac.signal,
      onProgress: (e) => {
        phases.add(e.phase);
        lastEvent = e;
        if (e.phase === "train") trainSteps++;
        if (e.phase === "train") started = true;
        // After a few training steps, schedule the abort from a timer (it can only fire if the loop
        // turns). Counted in steps, not time: under load a step can take longer than the timer's delay.
        if (e.phase === "train" && trainSteps === 3) setTimeout(() => ac.abort(), 100);
      },
    });
    const reportedDuringCall = phases.size;
    const err = await rejection(p);
    t.is(reportedDuringCall, 0, "the call returned before any work was reported (it all runs after the caller's turn)");
    clearInterval(timer);
    t.is(err.name, "AbortError", String(err));
    t.true(ticksWhileRunning >= 3, `the interval fired ${ticksWhileRunning} times while training`);
    t.true(lastEvent.step < lastEvent.steps || lastEvent.phase !== "train", "stopped before the end");
    t.is(rf.memory().liveTensors, live0);
    t.log(`${method}: ${trainSteps} training steps, ${ticksWhileRunning} timer ticks during training, longest gap between ticks ${maxGapMs.toFixed(0)} ms (shared machine, under load), phases ${[...phases].join(" ")}`);
  });
}
