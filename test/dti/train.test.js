import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dti } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tiny = { dim: 16, layers: 1, heads: 2 };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "recforge-dti-train-"));

test("trainCtr: SW and DTI make the same target updates; DTI processes fewer tokens; SW-prompt evaluation", async (t) => {
  const data = dti.syntheticCtr({ users: 30, seed: 5 });
  const events = [];
  const common = { data, k: 8, n: 8, epochs: 1, targetsPerStep: 64, model: tiny, seed: 3 };
  const sw = await dti.trainCtr({ ...common, paradigm: "sliding-window" });
  const d = await dti.trainCtr({ ...common, paradigm: "dti", onProgress: (e) => events.push(e) });
  const st = dti.datasetStats(data);
  for (const r of [sw, d]) {
    t.is(r.targets, st.train);
    t.true(r.finished);
    t.true(Number.isFinite(r.auc) && r.auc > 0 && r.auc < 1);
    t.true(Number.isFinite(r.logloss) && r.logloss > 0);
    t.is(r.eval.targets, st.test);
    t.is(r.curve.length, r.steps);
  }
  t.is(sw.steps, d.steps);
  t.true(d.tokens < sw.tokens / 2, `DTI ${d.tokens} tokens vs SW ${sw.tokens}`);
  const trainEvents = events.filter((e) => e.phase === "train");
  t.is(trainEvents.length, d.steps);
  t.deepEqual(trainEvents.map((e) => e.step), Array.from({ length: d.steps }, (_, i) => i + 1));
  t.true(events.some((e) => e.phase === "eval"));
  t.true(trainEvents.every((e) => Number.isFinite(e.loss) && e.totalSteps === d.steps));
});

test("trainCtr learns: a label carried by the target's text (10% flipped) is picked up by both paradigms", async (t) => {
  // items of 8 genres; the target is liked iff its genre is one of the first four (then 10% noise)
  const rand = dti.mulberry32(3);
  const genres = ["noir", "western", "space", "romance", "horror", "comedy", "war", "fantasy"];
  const text = new Map();
  for (let i = 0; i < 100; i++) text.set(String(i), `w${i % 37} x${i % 11} ${genres[i % 8]}`);
  const rows = [];
  for (let u = 0; u < 40; u++)
    for (let j = 0; j < 50; j++) {
      const it = Math.floor(rand() * 100);
      const y = (it % 8 < 4) !== rand() < 0.1;
      rows.push({ user: `u${u}`, item: String(it), time: j, label: y ? 1 : 0 });
    }
  const data = dti.buildDataset("genre-labels", text, rows);
  const runs = {};
  for (const paradigm of ["dti", "sliding-window"]) {
    const r = (runs[paradigm] = await dti.trainCtr({ data, paradigm, k: 10, n: 10, epochs: 2, targetsPerStep: 32, model: { dim: 32, layers: 1, heads: 2 }, lr: 3e-3 }));
    t.log(`${paradigm}: AUC ${r.auc.toFixed(4)}, log loss ${r.logloss.toFixed(4)}, ${(r.tokens / 1e3).toFixed(0)}k tokens`);
    t.true(r.auc > 0.8, `${paradigm}: AUC ${r.auc}`);
    t.true(r.curve.at(-1).loss < r.curve[0].loss);
  }
  // One layer + window-relative RoPE: DTI logits equal SW logits (exactness), and both runs make
  // the same target updates from the same initialisation — so the two runs are the same run.
  const a = runs.dti.curve, b = runs["sliding-window"].curve;
  t.is(a.length, b.length);
  t.true(a.every((p, i) => Math.abs(p.loss - b[i].loss) < 1e-3), "loss curves coincide");
});

test("trainCtr checkpoints and resumes: an interrupted run continues to the same parameters as an uninterrupted one", async (t) => {
  const data = dti.syntheticCtr({ users: 24, seed: 2 });
  const dir = tmp();
  const common = { data, paradigm: "dti", k: 6, n: 6, epochs: 2, targetsPerStep: 48, model: tiny, seed: 9, evaluate: false, keepModel: true };
  const full = await dti.trainCtr({ ...common, checkpoint: path.join(dir, "full.safetensors") });
  const ck = path.join(dir, "run.safetensors");
  const part = await dti.trainCtr({ ...common, checkpoint: ck, checkpointEvery: 2, stopAfterStep: 5 });
  t.false(part.finished);
  t.is(part.steps, 5);
  part.model.dispose();
  t.true(fs.existsSync(ck));
  const rest = await dti.trainCtr({ ...common, checkpoint: ck });
  t.is(rest.resumedFrom, 5);
  t.true(rest.finished);
  t.is(rest.steps, full.steps);
  t.is(rest.tokens, full.tokens);
  t.deepEqual(rest.curve.map((p) => p.loss), full.curve.map((p) => p.loss));
  const a = full.model.stateDict(), b = rest.model.stateDict();
  for (const k of Object.keys(a)) t.deepEqual([...a[k].toTypedArray()], [...b[k].toTypedArray()], k);
  full.model.dispose();
  rest.model.dispose();
  // a checkpoint of another run is refused, not silently continued
  await t.throwsAsync(dti.trainCtr({ ...common, k: 7, checkpoint: ck }), { message: /belongs to another run/ });
});

test("trainCtr rejects bad options", async (t) => {
  const data = dti.syntheticCtr({ users: 5, seed: 2 });
  await t.throwsAsync(dti.trainCtr({ data, paradigm: "streaming" }), { instanceOf: RangeError, message: /paradigm/ });
  await t.throwsAsync(dti.trainCtr({ data, paradigm: "dti", k: 0 }), { instanceOf: RangeError, message: /k must be/ });
  await t.throwsAsync(dti.trainCtr({ data, paradigm: "dti", contextReach: "all" }), { instanceOf: RangeError, message: /contextReach/ });
});

test("`recforge train ctr --json` on a generic interactions file prints one JSON object with the final metrics", (t) => {
  const dir = tmp();
  const data = dti.syntheticCtr({ users: 20, seed: 4 });
  fs.writeFileSync(path.join(dir, "items.csv"), "item,text\n" + data.itemKeys.map((k, i) => `${k},"${data.itemText[i]}"`).join("\n") + "\n");
  const lines = ["user,item,timestamp,label"];
  for (const h of data.users) h.items.forEach((it, j) => lines.push(`${h.user},${data.itemKeys[it]},${h.times[j]},${h.labels[j]}`));
  fs.writeFileSync(path.join(dir, "clicks.csv"), lines.join("\n") + "\n");
  const r = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "ctr", "--data", path.join(dir, "clicks.csv"), "--paradigm", "dti", "--k", "5", "--n", "5", "--dim", "16", "--layers", "1", "--heads", "2", "--json"], { encoding: "utf8", timeout: 120000 });
  t.is(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n");
  t.is(out.length, 1);
  const j = JSON.parse(out[0]);
  for (const key of ["auc", "logloss", "seconds", "tokens"]) t.true(typeof j[key] === "number" && Number.isFinite(j[key]), key);
  t.is(j.paradigm, "dti");
  t.is(j.k, 5);
  t.regex(r.stderr, /train dti/);
  const bad = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "ctr", "--data", path.join(dir, "nope.csv")], { encoding: "utf8" });
  t.is(bad.status, 1);
  t.regex(bad.stderr, /no such file/);
});

test("instruction prefix and label words: in every prompt, shared by DTI prompts, and trainCtr accepts them", async (t) => {
  const data = dti.syntheticCtr({ users: 6, seed: 8 });
  const v = dti.defaultVocab(data, "Will the user like the next film?", undefined, ["yes", "no"]);
  const tok = v.tokenizer;
  t.deepEqual([...v.liked], [tok.tokenToId("yes")]);
  t.deepEqual([...v.disliked], [tok.tokenToId("no")]);
  t.deepEqual(tok.tokenize("Will the user like the next film?", { addSpecialTokens: false }).length, v.prefix.length);
  const pb = new dti.PromptBuilder(data, v, { n: 4 });
  // one row: an SW prompt, then a DTI prompt; each starts with the prefix
  const [row] = pb.pack([{ kind: "sw", user: 0, target: 6 }, { kind: "dti", user: 0, start: 6, count: 3 }]);
  const P = v.prefix.length, L = row.tokens.length;
  const start = pb.length({ kind: "sw", user: 0, target: 6 });
  t.deepEqual([...row.tokens.subarray(0, P)], [...v.prefix]);
  t.deepEqual([...row.tokens.subarray(start, start + P)], [...v.prefix]);
  // every DTI target sees the prefix of its own prompt through the prefix interval
  t.is(row.sumIndex.length, 4);
  for (const i of row.sumIndex.subarray(1)) t.deepEqual([row.intervals[i], row.intervals[L + i]], [start, start + P]);
  const r = await dti.trainCtr({ data, paradigm: "dti", k: 4, n: 4, prefix: "Will the user like the next film?", labelWords: ["yes", "no"], model: { dim: 16, layers: 1, heads: 2 }, targetsPerStep: 32 });
  t.true(Number.isFinite(r.auc));
});
