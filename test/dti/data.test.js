import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dti } from "./helpers.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "recforge-dti-"));

test("split sizes: last 10% test (at least one), the 10% before validation, the rest training", (t) => {
  t.deepEqual(dti.splitSizes(20), { test: 2, val: 2 });
  t.deepEqual(dti.splitSizes(163), { test: 16, val: 16 });
  t.deepEqual(dti.splitSizes(3), { test: 1, val: 0 });
  t.deepEqual(dti.splitSizes(1), { test: 1, val: 0 });
  t.deepEqual(dti.splitSizes(0), { test: 0, val: 0 });
});

test("MovieLens-1M loader: partial ratings file, latin-1 titles, y = rating >= 4, time order with ties kept, per-user splits", (t) => {
  const dir = tmp();
  fs.writeFileSync(
    path.join(dir, "movies.dat"),
    Buffer.from("1::Toy Story (1995)::Animation|Children's|Comedy\n2::Misérables, Les (1995)::Drama|Musical\n3::Heat (1995)::Action|Crime|Thriller\n", "latin1"),
  );
  const lines = [];
  // user 1: 20 ratings, times descending in the file (the loader must sort), two ties at t=50
  for (let i = 0; i < 20; i++) lines.push(`1::${(i % 3) + 1}::${(i % 5) + 1}::${1000 - i * 10}`);
  lines.push("2::1::4::50", "2::2::3::50", "2::3::5::40");
  fs.writeFileSync(path.join(dir, "ratings.partial_users_1-2.dat"), lines.join("\n") + "\n");
  t.true(dti.isMovielensDir(dir));
  const ds = dti.loadMovielens({ dir });
  t.is(ds.users.length, 2);
  const u1 = ds.users[0], u2 = ds.users[1];
  t.is(u1.user, "1");
  t.is(u1.items.length, 20);
  t.deepEqual([...u1.times], [...u1.times].sort((a, b) => a - b));
  // the last line of user 1 in the file (i = 19) has the earliest time: rating (19 % 5) + 1 = 5 → label 1, movie 2
  t.is(ds.itemKeys[u1.items[0]], "2");
  t.is(u1.labels[0], 1);
  t.is(u1.trainEnd, 16);
  t.is(u1.valEnd, 18);
  // ties keep file order: at t=50 movie 1 (rating 4 → 1) before movie 2 (rating 3 → 0); t=40 first
  t.deepEqual([...u2.items].map((i) => ds.itemKeys[i]), ["3", "1", "2"]);
  t.deepEqual([...u2.labels], [1, 1, 0]);
  t.is(u2.valEnd, 2);
  t.is(u2.trainEnd, 2);
  t.is(ds.itemText[ds.itemKeys.indexOf("2")], "Misérables, Les 1995 Drama Musical");
  t.is(ds.itemText[ds.itemKeys.indexOf("1")], "Toy Story 1995 Animation Children's Comedy");
  t.deepEqual([...ds.offsets], [0, 20, 23]);
  const sub = dti.subsetDataset(ds, { maxUsers: 1, maxPerUser: 10 });
  t.is(sub.users.length, 1);
  t.is(sub.users[0].items.length, 10);
  t.deepEqual([...sub.users[0].items], [...u1.items.subarray(10)]);
  t.is(sub.users[0].valEnd, 9);
  t.regex(sub.name, /1 users, last 10 per user/);
  t.throws(() => dti.loadMovielens({ dir: tmp() }), { message: /MovieLens-1M not found/ });
});

test("MovieLens-1M loader rejects malformed lines with the file and line number", (t) => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, "movies.dat"), "1::Toy Story (1995)::Comedy\n");
  fs.writeFileSync(path.join(dir, "ratings.dat"), "1::1::5::100\n1::1::x\n");
  t.throws(() => dti.loadMovielens({ dir }), { instanceOf: RangeError, message: /ratings\.dat:2/ });
});

test("generic loader: CSV with quoted text, TSV, dates, extra columns; missing items and bad labels fail clearly", (t) => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, "items.csv"), 'item,text\nA,"Red, the movie"\nB,"A ""quoted"" title"\nC,plain\n');
  fs.writeFileSync(path.join(dir, "interactions.csv"), "user,item,timestamp,label,extra\nu1,A,3,1,x\nu1,B,1,0,y\nu2,C,2024-01-02,true,z\nu1,C,2,1,w\n");
  const ds = dti.loadCtrData(dir);
  t.is(ds.users.length, 2);
  t.deepEqual([...ds.users[0].items].map((i) => ds.itemKeys[i]), ["B", "C", "A"]);
  t.deepEqual([...ds.users[0].labels], [0, 1, 1]);
  t.is(ds.itemText[ds.itemKeys.indexOf("A")], "Red, the movie");
  t.is(ds.itemText[ds.itemKeys.indexOf("B")], 'A "quoted" title');
  t.is(ds.users[1].labels[0], 1);

  const d2 = tmp();
  fs.writeFileSync(path.join(d2, "items.tsv"), "item\ttext\n1\tone film\n");
  fs.writeFileSync(path.join(d2, "clicks.tsv"), "timestamp\tlabel\tuser\titem\n5\t0\tx\t1\n");
  const ds2 = dti.loadCtrData(path.join(d2, "clicks.tsv"));
  t.is(ds2.itemText[0], "one film");
  t.is(ds2.users[0].labels[0], 0);

  fs.writeFileSync(path.join(d2, "bad.tsv"), "user\titem\ttimestamp\tlabel\nx\t9\t1\t1\n");
  t.throws(() => dti.loadCtrData(path.join(d2, "bad.tsv")), { message: /item "9".*no text/ });
  fs.writeFileSync(path.join(d2, "bad2.tsv"), "user\titem\ttimestamp\tlabel\nx\t1\t1\t2\n");
  t.throws(() => dti.loadCtrData(path.join(d2, "bad2.tsv")), { message: /bad2\.tsv:2: label must be 0 or 1/ });
  fs.writeFileSync(path.join(d2, "bad3.tsv"), "user\titem\ttime\tlabel\nx\t1\t1\t1\n");
  t.throws(() => dti.loadCtrData(path.join(d2, "bad3.tsv")), { message: /lacks column "timestamp"/ });
});

test("synthetic data: deterministic in the seed, drifting tastes make labels depend on recent history", (t) => {
  const a = dti.syntheticCtr({ users: 50, seed: 3 });
  const b = dti.syntheticCtr({ users: 50, seed: 3 });
  const c = dti.syntheticCtr({ users: 50, seed: 4 });
  t.deepEqual(a.itemText, b.itemText);
  t.deepEqual([...a.users[7].labels], [...b.users[7].labels]);
  t.notDeepEqual([...a.users[7].labels], [...c.users[7].labels]);
  const st = dti.datasetStats(a);
  t.is(st.users, 50);
  t.true(st.positiveRate > 0.3 && st.positiveRate < 0.7, `positive rate ${st.positiveRate}`);
  t.true(a.itemText.every((s) => { const w = s.split(" ").length; return w >= 3 && w <= 5; }));
  // Labels of consecutive interactions on items of a shared theme agree more often than at a distance.
  const theme = (i) => a.itemText[i].split(" ").slice(-1)[0];
  let near = 0, nearAgree = 0, far = 0, farAgree = 0;
  for (const h of a.users)
    for (let j = 0; j < h.items.length; j++)
      for (let d = 1; d < h.items.length - j; d++) {
        if (theme(h.items[j]) !== theme(h.items[j + d])) continue;
        const agree = h.labels[j] === h.labels[j + d] ? 1 : 0;
        if (d <= 5) (near++, (nearAgree += agree));
        else if (d >= 60) (far++, (farAgree += agree));
      }
  t.true(nearAgree / near > farAgree / far + 0.05, `near ${nearAgree / near}, far ${farAgree / far}`);
});

test("step plan: SW and DTI make the same target updates, each training target once per epoch", (t) => {
  const ds = dti.syntheticCtr({ users: 30, seed: 2 });
  const chunks = dti.trainChunks(ds, 7);
  const trainTotal = ds.users.reduce((s, h) => s + h.trainEnd, 0);
  for (const epoch of [0, 1]) {
    const steps = dti.epochSteps(chunks, 64, 5, epoch);
    const seen = new Set();
    for (const st of steps) {
      const sw = dti.stepUnits(st, "sliding-window");
      const dt = dti.stepUnits(st, "dti");
      const swT = sw.map((u) => `${u.user}:${u.target}`);
      const dtT = dt.flatMap((u) => Array.from({ length: u.count }, (_, i) => `${u.user}:${u.start + i}`));
      t.deepEqual(swT, dtT);
      for (const x of swT) {
        t.false(seen.has(x));
        seen.add(x);
      }
    }
    t.is(seen.size, trainTotal);
    t.true(steps.slice(0, -1).every((s) => dti.stepTargets(s) >= 64 && dti.stepTargets(s) < 64 + 7));
  }
  // a chunk of 7 as DTI prompts of k = 3: prompts of 3, 3, 1 targets covering the chunk
  const st0 = dti.epochSteps(chunks, 64, 5, 0)[0];
  const split = dti.stepUnits(st0, "dti", 3);
  t.true(split.every((u) => u.count <= 3));
  t.deepEqual(split.flatMap((u) => Array.from({ length: u.count }, (_, i) => `${u.user}:${u.start + i}`)), dti.stepUnits(st0, "sliding-window").map((u) => `${u.user}:${u.target}`));
  t.notDeepEqual(dti.epochSteps(chunks, 64, 5, 0)[0], dti.epochSteps(chunks, 64, 5, 1)[0]);
  t.deepEqual(dti.epochSteps(chunks, 64, 5, 0), dti.epochSteps(chunks, 64, 5, 0));
});
