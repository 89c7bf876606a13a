// The stages of the preparation and evaluation passes (TrainerProgress.stage) that let a caller
// (the CLI's bars) tell the passes of one phase apart, and that keep the event loop turning
// there: GREENer's features, labels, graphs and held-out selection; CompExp's corpus, encoding and
// rewrite-pair search. Each pass counts up to its total.
import test from "ava";
import { RUNS } from "./fixtures.js";
import { buildCorpus, buildCorpusSteps } from "../../dist/methods/compexp/train.js";

async function events(method, extra = {}) {
  const run = RUNS[method];
  const seen = [];
  const r = await run.train({ ...run.options(false), ...extra, onProgress: (e) => seen.push(e) });
  run.free(r);
  return seen;
}

/** The passes in order: [phase:stage, last step, steps] (consecutive events of one pass merged). */
function passes(seen) {
  const out = [];
  for (const e of seen) {
    const key = `${e.phase}:${e.stage ?? ""}`;
    const last = out.at(-1);
    if (last && last[0] === key && e.step >= last[1]) [last[1], last[2]] = [e.step, e.steps];
    else out.push([key, e.step, e.steps]);
  }
  return out;
}

test.serial("greener: prepare stages, every step, then held-out scoring and selection, each pass to its end", async (t) => {
  const seen = await events("greener");
  const p = passes(seen);
  t.deepEqual(p.map((x) => x[0]), ["prepare:tf-idf", "prepare:centrality", "prepare:sentence features", "prepare:labels", "prepare:graphs", "train:", "eval:scoring", "eval:selection"]);
  for (const [key, step, steps] of p) t.is(step, steps, key);
  t.true(seen.filter((e) => e.stage !== undefined).every((e) => typeof e.stage === "string"));
});

test.serial("compexp: the corpus in three parts (buildCorpusSteps), then rewrite encoding and search between the stages", async (t) => {
  const run = RUNS.compexp;
  const { data } = run.options(false).corpus;
  const g = buildCorpusSteps(data, 1);
  const ticks = [];
  let r = g.next();
  for (; !r.done; r = g.next()) ticks.push([r.value.phase, r.value.stage, r.value.step, r.value.steps]);
  t.deepEqual(ticks, [["prepare", "corpus", 1, 3], ["prepare", "corpus", 2, 3], ["prepare", "corpus", 3, 3]]);
  const whole = buildCorpus(data, 1);
  t.is(r.value.vocab.size, whole.vocab.size);
  t.deepEqual(r.value.train.map((e) => e.review), whole.train.map((e) => e.review));
  const p = passes(await events("compexp")).map((x) => x[0]);
  t.true(p.includes("prepare:encoding") && p.includes("prepare:rewrite pairs"), p.join(", "));
  t.true(p.indexOf("prepare:rewrite pairs") > p.indexOf("train:"), "after the extractor stage");
});
