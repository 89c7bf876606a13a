// The CLI's progress bars, checked without timing: a fake clock and an injected writer stand in
// for the wall clock and the terminal. GREENer's bars are fed by the trainer's progress events
// (lib/api progressLoop through runGreener's loop): one train update per optimiser step, a bar per
// preparation stage, validation and test pass; `train greener --json` keeps stdout one JSON object.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ProgressBar, benchProgressBars, trainerProgressBars, formatSeconds } from "../../dist/cli/progress.js";
import { greenerCliProgress } from "../../dist/cli/greener.js";
import { runGreener } from "../../dist/methods/greener/pipeline.js";
import { mulberry32 } from "../../dist/prng.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A bar's io: a clock the test moves and the drawn lines. */
function fakeIo(tty) {
  const clock = { t: 1_000_000 };
  const lines = [];
  return { clock, lines, io: { now: () => clock.t, tty, write: (line, final) => lines.push({ line, final }) } };
}

test("ProgressBar: count, percentage, elapsed and the linear ETA from a fake clock", (t) => {
  const { clock, lines, io } = fakeIo(true);
  const bar = new ProgressBar("phase", 8, true, undefined, io);
  bar.update(0);
  clock.t += 10_000; // 2 of 8 in 10 s: 30 s to go
  bar.update(2, "loss 1.0");
  clock.t += 30_000;
  bar.update(8);
  t.is(lines.length, 3);
  t.regex(lines[0].line, /^phase +\[\.{28}\]   0% 0\/8 0s ETA \?$/);
  t.regex(lines[1].line, /^phase +\[#{7}\.{21}\]  25% 2\/8 10s ETA 30s  loss 1\.0$/);
  t.regex(lines[2].line, /100% 8\/8 40s done$/);
  t.deepEqual(lines.map((l) => l.final), [false, false, true]);
  bar.update(8); // finished: nothing more
  t.is(lines.length, 3);
});

test("ProgressBar: a caller's ETA wins; null is shown as unknown", (t) => {
  const { lines, io } = fakeIo(true);
  const bar = new ProgressBar("x", 10, true, undefined, io);
  bar.update(1, "", null);
  bar.update(2, "", 125);
  t.regex(lines[0].line, /ETA \?$/);
  t.regex(lines[1].line, /ETA 2m05s$/);
  t.is(formatSeconds(3 * 3600 + 120), "3h02m");
});

test("ProgressBar: not a terminal, a line per 10% (and the last one)", (t) => {
  const { lines, io } = fakeIo(false);
  const bar = new ProgressBar("log", 100, true, undefined, io);
  for (let i = 1; i <= 100; i++) bar.update(i);
  t.is(lines.length, 11); // 1% (the first decile), 10%, 20%, ..., 90%, 100%: one line per decile
  t.regex(lines.at(-1).line, /100% 100\/100 .*done/);
  const off = fakeIo(true);
  new ProgressBar("quiet", 3, false, undefined, off.io).update(1);
  t.is(off.lines.length, 0, "a disabled bar draws nothing");
});

test("trainerProgressBars: a bar per phase / stage / pass, one update per event, the event's ETA", (t) => {
  const { lines, io } = fakeIo(true);
  const bars = trainerProgressBars("m", { io });
  const ev = (phase, stage, step, steps, etaS, loss) => ({ phase, stage, epoch: phase === "train" ? 1 : 0, step, steps, etaS, loss });
  bars(ev("prepare", "labels", 64, 128, null));
  bars(ev("prepare", "labels", 128, 128, 0));
  bars(ev("prepare", "graphs", 64, 128, null));
  for (let s = 1; s <= 5; s++) bars(ev("train", undefined, s, 5, s === 1 ? null : 5 - s, 1 / s));
  bars(ev("valid", "scoring", 2, 4, null));
  bars(ev("valid", "scoring", 1, 4, null)); // counts back: a new pass
  const labels = lines.map((l) => l.line.split(" [")[0].trim());
  t.deepEqual(labels, ["m labels", "m labels", "m graphs", "m train", "m train", "m train", "m train", "m train", "m scoring", "m scoring"]);
  t.regex(lines[3].line, /1\/5 .*ETA \?  epoch 1 loss 1\.0000$/);
  t.regex(lines[4].line, /2\/5 .*ETA 3s  epoch 1 loss 0\.5000$/);
  t.true(lines[7].final);
});

test("benchProgressBars: a bar per section (a new total or a count that goes back); its clock starts at the previous report", (t) => {
  const { clock, lines, io } = fakeIo(true);
  const report = benchProgressBars("bench x", io);
  report(0, 4, "kernel"); // the section starts: drawn at once
  clock.t += 20_000;
  report(1, 4, "shape 1"); // 1 of 4 after 20 s: 60 s to go
  clock.t += 5_000;
  report(4, 4, "shape 4");
  clock.t += 1_000;
  report(0.5, 4, "training"); // same total, the count went back: a new bar
  clock.t += 10_000;
  report(2.25, 4, "training");
  t.deepEqual(lines.map((l) => l.final), [false, false, true, false, false]);
  t.regex(lines[0].line, /^bench x +\[\.{28}\]   0% 0\/4 0s ETA \?  kernel$/);
  t.regex(lines[1].line, /25% 1\/4 20s ETA 1m00s  shape 1$/);
  t.regex(lines[3].line, /12% 0\.50\/4 1s ETA 7s  training$/, "timed from the previous report");
  t.regex(lines[4].line, /56% 2\.25\/4 11s ETA 9s  training$/);
});

// ---- GREENer end to end on a small synthetic corpus

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-cli-bars-"));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PHRASES = [
  "the strings sound bright and clear", "these strings feel cheap but last long", "the tuner is accurate and quick",
  "the tuner clip is solid and small", "the price is great for the quality", "the strap is comfortable and soft",
  "the cable is long and the plug is solid", "the pedal sound is warm and the knob is smooth",
];
/** 30 users × 4 reviews over 6 items (as test/greener/fair.test.js). */
function corpusFile() {
  const lines = [];
  const rand = mulberry32(4);
  for (let u = 0; u < 30; u++) {
    for (let k = 0; k < 4; k++) {
      const item = (u + k * 2) % 6;
      const a = PHRASES[(item + Math.floor(rand() * 3)) % PHRASES.length], b = PHRASES[(item * 3 + Math.floor(rand() * 4)) % PHRASES.length];
      lines.push(JSON.stringify({ reviewerID: `U${u}`, asin: `I${item}`, helpful: [0, 0], reviewText: `${a}. ${b}.`, overall: 4, unixReviewTime: 1000 + u * 10 + k }));
    }
  }
  const f = path.join(tmp, "reviews.json");
  fs.writeFileSync(f, lines.join("\n") + "\n");
  return f;
}
const env = { ...process.env, RECFORGE_CACHE: path.join(tmp, "cache") };

test.serial("train greener's bars: one train update per optimiser step, a bar for every preparation and evaluation pass", async (t) => {
  const file = corpusFile();
  const old = process.env.RECFORGE_CACHE;
  process.env.RECFORGE_CACHE = env.RECFORGE_CACHE;
  const events = [];
  const { lines, io } = fakeIo(true);
  const draw = trainerProgressBars("greener", { io });
  try {
    const progress = await greenerCliProgress({ bars: (e) => (events.push(e), draw(e)) });
    const run = await runGreener({ file, model: { hidden: 8, heads: 2, embedDim: 4, dropout: 0 }, sentenceDim: 16, train: { epochs: 2, batchSize: 4 }, tuneAlpha: [0, 1], tuneLength: [0], loop: progress.loop });
    const steps = run.result.training.steps;
    run.dispose();
    const train = events.filter((e) => e.phase === "train");
    t.true(steps >= 4, `${steps} steps`);
    t.deepEqual(train.map((e) => e.step), Array.from({ length: steps }, (_, i) => i + 1), "one event per optimiser step, in order");
    t.true(train.every((e) => e.steps === steps && typeof e.loss === "number"));
    t.true(train.slice(1).every((e) => typeof e.etaS === "number" && e.etaS >= 0), "an ETA from the second step on");
    t.is(lines.filter((l) => l.line.startsWith("greener train")).length, steps, "the train bar redraws at every step");
    const stages = [...new Set(events.map((e) => `${e.phase}:${e.stage ?? ""}`))];
    t.deepEqual(stages, ["prepare:tf-idf", "prepare:centrality", "prepare:sentence features", "prepare:labels", "prepare:graphs", "train:", "valid:scoring", "valid:selection tuning", "eval:scoring", "eval:selection"]);
    t.deepEqual(progress.steps.map((p) => p[0]), train.map((e) => e.step), "the --plot series has every step");
    // every pass ends at its total (each bar ends with "done")
    for (const s of stages) {
      const last = events.filter((e) => `${e.phase}:${e.stage ?? ""}` === s).at(-1);
      t.is(last.step, last.steps, s);
    }
  } finally {
    if (old === undefined) delete process.env.RECFORGE_CACHE;
    else process.env.RECFORGE_CACHE = old;
  }
});

test.serial("train greener --json: stdout is one JSON object; the bars and logs go to stderr", (t) => {
  const file = fs.existsSync(path.join(tmp, "reviews.json")) ? path.join(tmp, "reviews.json") : corpusFile();
  const r = spawnSync(process.execPath, [path.join(root, "bin", "recforge.js"), "train", "greener", "--data", file, "--hidden", "8", "--epochs", "1", "--batch", "4", "--alpha", "1", "--length-weight", "0", "--json"], { env, encoding: "utf8" });
  t.is(r.status, 0, r.stderr);
  const out = r.stdout.trim();
  t.is(out.split("\n").length, 1, "one line");
  const obj = JSON.parse(out);
  t.true(obj.training.steps > 0);
  t.notRegex(r.stdout, /ETA|\[#/);
  t.regex(r.stderr, /^greener train +\[#{28}\] 100% (\d+)\/\1 .*done/m, "the train bar reached its end on stderr");
  t.regex(r.stderr, /^greener labels +\[/m);
});
