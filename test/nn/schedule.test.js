import test from "ava";
import { rf } from "./helpers.js";

const close = (t, a, b, msg) => t.true(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${msg ?? ""} got ${a}, expected ${b}`);

test("warmupLr: linear ramp from startFactor·base to base, then constant", (t) => {
  const o = { baseLr: 0.1, warmupSteps: 4 };
  [0, 0.025, 0.05, 0.075, 0.1, 0.1, 0.1].forEach((v, s) => close(t, rf.warmupLr(s, o), v, `step ${s}`));
  close(t, rf.warmupLr(0, { ...o, startFactor: 0.5 }), 0.05);
  close(t, rf.warmupLr(2, { ...o, startFactor: 0.5 }), 0.075);
  close(t, rf.warmupLr(0, { baseLr: 0.1, warmupSteps: 0 }), 0.1);
});

test("cosineLr: warm-up, half cosine to minLr at totalSteps, then flat", (t) => {
  const o = { baseLr: 1, totalSteps: 110, warmupSteps: 10, minLr: 0.1 };
  close(t, rf.cosineLr(0, o), 0);
  close(t, rf.cosineLr(5, o), 0.5);
  close(t, rf.cosineLr(10, o), 1);
  close(t, rf.cosineLr(60, o), 0.1 + 0.9 * 0.5); // halfway: cos(π/2) = 0
  close(t, rf.cosineLr(35, o), 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)));
  close(t, rf.cosineLr(110, o), 0.1);
  close(t, rf.cosineLr(500, o), 0.1);
  close(t, rf.cosineLr(50, { baseLr: 2, totalSteps: 100 }), 1); // no warm-up, min 0
  t.throws(() => rf.cosineLr(0, { baseLr: 1, totalSteps: 5, warmupSteps: 10 }), { message: /totalSteps must be an integer >= 10/ });
  t.throws(() => rf.cosineLr(-1, o), { message: /step must be a non-negative integer/ });
});

test("linearDecayLr and stepDecayLr values", (t) => {
  const o = { baseLr: 1, totalSteps: 12, warmupSteps: 2, endLr: 0.5 };
  close(t, rf.linearDecayLr(0, o), 0);
  close(t, rf.linearDecayLr(1, o), 0.5);
  close(t, rf.linearDecayLr(2, o), 1);
  close(t, rf.linearDecayLr(7, o), 0.75);
  close(t, rf.linearDecayLr(12, o), 0.5);
  close(t, rf.linearDecayLr(20, o), 0.5);
  close(t, rf.linearDecayLr(5, { baseLr: 0.1, totalSteps: 10 }), 0.05);
  const s = { baseLr: 1, stepSize: 3, gamma: 0.5 };
  [1, 1, 1, 0.5, 0.5, 0.5, 0.25].forEach((v, i) => close(t, rf.stepDecayLr(i, s), v, `step ${i}`));
  close(t, rf.stepDecayLr(10, { baseLr: 1, stepSize: 10 }), 0.1);
  t.throws(() => rf.stepDecayLr(0, { baseLr: 1, stepSize: 0 }), { message: /stepSize must be an integer >= 1/ });
});

test("scheduler objects set every group's lr from its own base lr", (t) => {
  const a = rf.zeros([1]), b = rf.zeros([1]);
  const opt = new rf.SGD([{ params: [a] }, { params: [b], lr: 0.2 }], { lr: 1 });
  const sched = new rf.CosineLR(opt, { totalSteps: 10, warmupSteps: 2, minLr: 0 });
  t.deepEqual(sched.getLastLr(), [0, 0]);
  t.is(opt.paramGroups[0].lr, 0);
  sched.step();
  t.deepEqual(opt.paramGroups.map((g) => g.lr), [0.5, 0.1]);
  sched.step();
  t.deepEqual(sched.getLastLr(), [1, 0.2]);
  for (let i = 0; i < 4; i++) sched.step();
  t.is(sched.lastStep, 6);
  close(t, opt.paramGroups[0].lr, rf.cosineLr(6, { baseLr: 1, totalSteps: 10, warmupSteps: 2 }));
  close(t, opt.paramGroups[1].lr, rf.cosineLr(6, { baseLr: 0.2, totalSteps: 10, warmupSteps: 2 }));

  // state round trip (plain JSON)
  const opt2 = new rf.SGD([{ params: [rf.zeros([1])] }, { params: [rf.zeros([1])], lr: 7 }], { lr: 7 });
  const sched2 = new rf.CosineLR(opt2, { totalSteps: 10, warmupSteps: 2, minLr: 0 });
  sched2.loadStateDict(JSON.parse(JSON.stringify(sched.stateDict())));
  t.deepEqual(opt2.paramGroups.map((g) => g.lr), opt.paramGroups.map((g) => g.lr));
  t.deepEqual(sched2.step(), sched.step());

  const st = new rf.StepLR(opt, { stepSize: 2, gamma: 0.1 });
  // a new scheduler takes the CURRENT lrs as its base lrs
  t.deepEqual(st.baseLrs, opt.paramGroups.map((g) => g.lr));
  const w = new rf.WarmupLR(new rf.Adam([rf.zeros([1])], { lr: 0.01 }), { warmupSteps: 2, startFactor: 0.5 });
  t.deepEqual(w.getLastLr(), [0.005]);
  const l = new rf.LinearDecayLR(new rf.Adam([rf.zeros([1])], { lr: 0.01 }), { totalSteps: 4 });
  l.step();
  close(t, l.getLastLr()[0], 0.0075);
  const custom = new rf.LrScheduler(opt, (s, base) => base / (s + 1));
  custom.step();
  t.deepEqual(custom.getLastLr(), custom.baseLrs.map((x) => x / 2));
  t.throws(() => new rf.LrScheduler(opt, () => -1), { message: /schedule gave lr -1 at step 0/ });
});
