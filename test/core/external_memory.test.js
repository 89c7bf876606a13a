// What V8 is told about native memory (native/napi/bind_storage.cc, RECFORGE_EXTERNAL_MEMORY).
// By default the figure is what recforge holds from the OS (live tensors + the block cache), so a
// training step that takes big blocks from the cache and gives them back does not move it; before
// session 9 it was the live bytes, and a step that allocated and disposed more than V8's ~64 MB
// external-memory margin made V8 start a full mark-compact every step (the synthetic MultiBalance
// shape: one per ~90 ms step; bench/results/balance-qps.md). The loop below does that 20 times in
// a child process per mode and counts V8's mark-compacts (v8.GCProfiler).
import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const script = `
import v8 from "node:v8";
import * as rf from "./dist/index.js";
const MB = 1024 * 1024;
rf.Tensor.empty([24 * MB]).dispose(); // the block enters the cache
const gp = new v8.GCProfiler();
gp.start();
let junk = [];
for (let i = 0; i < 20; i++) {
  const a = rf.Tensor.empty([24 * MB]); // 96 MB, from the cache after the first
  a._fill(i);
  for (let j = 0; j < 20000; j++) junk.push({ j, s: "x" + j }); // some JavaScript garbage, as a step makes
  if (junk.length > 100000) junk = [];
  a.dispose();
}
const st = gp.stop().statistics;
const markCompacts = st.filter((g) => g.gcType === "MarkSweepCompact").length;
console.log(JSON.stringify({ markCompacts, collections: st.length, live: rf.memory().liveTensors }));
`;

function run(env) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    env: { ...process.env, RECFORGE_EXTERNAL_MEMORY: "", ...env },
    encoding: "utf8",
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

test("big blocks reused from the cache do not make V8 collect every step (RECFORGE_EXTERNAL_MEMORY=live does)", (t) => {
  const held = run({});
  const live = run({ RECFORGE_EXTERNAL_MEMORY: "live" });
  t.log(`mark-compacts in 20 alloc/dispose rounds of 96 MB: held ${held.markCompacts}, live ${live.markCompacts}`);
  t.true(held.markCompacts <= 5, JSON.stringify(held));
  // The old accounting is still there for A/B runs and still shows the problem this fixed.
  t.true(live.markCompacts >= held.markCompacts + 8, JSON.stringify({ held, live }));
  t.is(held.live, live.live);
});
