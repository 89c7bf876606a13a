// Next-item data: generic CSV/TSV and MovieLens loaders on small hand-made files (ordering,
// ids, categories, both splits, errors naming the line), the batching helpers against naive
// references, and the real ml-1m statistics against the spec (skipped with a reason when the
// data is absent, failing instead under RECFORGE_REQUIRE_DATA=1).
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as rf from "../../dist/index.js";
import { mulberry32 as prng } from "../../dist/prng.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-seqrec-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function write(text, ext = ".csv", encoding = "utf8") {
  const f = path.join(dir, `f${fileNo++}${ext}`);
  fs.writeFileSync(f, text, encoding);
  return f;
}
const userSeq = (ds, u) => Array.from(ds.items.subarray(ds.offsets[u], ds.offsets[u + 1])).map((i) => ds.itemNames[i]);

test("loadSeqCsv: per-user (timestamp, line) order, ids with 0 = padding, categories, time split", (t) => {
  const f = write(
    "user,item,timestamp,category\n" +
    "u1,a,10,X\n" + "u2,b,5,Y\n" + "u1,b,10,Y\n" + "u1,c,3,X\n" + // u1: c(3) a(10, line 2) b(10, line 4)
    "u2,a,20,X\n" + "u2,c,7,X\n" + "u1,d,30,Z\n" + "u2,d,40,Z\n" + "\n",
  );
  const ds = rf.loadSeqCsv(f, { minHistory: 1 });
  t.deepEqual(ds.userNames, ["u1", "u2"]);
  t.deepEqual(userSeq(ds, 0), ["c", "a", "b", "d"]);
  t.deepEqual(userSeq(ds, 1), ["b", "c", "a", "d"]);
  t.deepEqual(ds.itemNames, ["", "a", "b", "c", "d"]);
  t.deepEqual(ds.categoryNames, ["", "X", "Y", "Z"]);
  t.is(ds.numItems, 5);
  t.is(ds.numCategories, 4);
  t.deepEqual(Array.from(ds.itemCategory), [0, 1, 2, 1, 3]);
  t.deepEqual(Array.from(ds.categories.subarray(0, 4)), [1, 1, 2, 3]);
  t.deepEqual(Array.from(ds.times.subarray(0, 4)), [3, 10, 10, 30]);
  // times sorted: 3 5 7 10 10 20 30 40; q·(n−1): 0.8·7 = 5.6 -> 20 + 0.6·10 = 26; 0.9·7 = 6.3 -> 30 + 0.3·10 = 33
  t.true(Math.abs(ds.split.tValid - 26) < 1e-9, String(ds.split.tValid));
  t.true(Math.abs(ds.split.tTest - 33) < 1e-9, String(ds.split.tTest));
  // targets t >= 1: u1 a(10) b(10) d(30): train train valid; u2 c(7) a(20) d(40): train train test
  t.deepEqual(Array.from(ds.split.train), [1, 2, 5, 6]);
  t.deepEqual(Array.from(ds.split.valid), [3]);
  t.deepEqual(Array.from(ds.split.test), [7]);
  // the default minHistory (5) leaves no target in users of 4 actions
  const d5 = rf.loadSeqCsv(f);
  t.is(d5.split.train.length + d5.split.valid.length + d5.split.test.length, 0);
  const s = rf.seqStats(ds, 2);
  t.deepEqual(s.afterValid, { actions: 2, users: 2 });
  t.deepEqual(s.afterTest, { actions: 1, users: 1 });
  t.deepEqual(s.targets, { train: 4, valid: 1, test: 1 });
  // targets' categories seen before: u1 a(X: yes) b(Y: no) d(Z: no); u2 c(X: no) a(X: yes) d(no) -> 2/6
  t.true(Math.abs(s.categorySeenBefore - 2 / 6) < 1e-12);
});

test("loadSeqCsv: TSV, any column order, numeric ids ordered numerically, defaultCategory", (t) => {
  const f = write("Timestamp\tItem\tUser\n1\t10\t7\n2\t9\t7\n3\t100\t7\n", ".tsv");
  const ds = rf.loadSeqCsv(f, { defaultCategory: "all", minHistory: 1 });
  t.deepEqual(ds.itemNames, ["", "9", "10", "100"]);
  t.deepEqual(userSeq(ds, 0), ["10", "9", "100"]);
  t.deepEqual(ds.categoryNames, ["", "all"]);
});

test("loadSeqCsv: bad input names the file and line", (t) => {
  const bad = [
    ["user,item,time\nu,a,1\n", /:1: unknown column "time"/],
    ["user,item,timestamp,category,rating\nu,a,1,X,5\n", /:1: unknown column "rating"/],
    ["u1,a,1,X\nu1,b,2,X\n", /:1: unknown column "u1"/],
    ["user,item,category\nu,a,X\n", /:1: the header has no "timestamp" column/],
    ["user,item,timestamp\nu,a,1\n", /:1: no "category" column/],
    ["user,item,timestamp,category\nu,a,1,X\nu,b,yesterday,X\n", /:3: timestamp "yesterday" is not a number/],
    ["user,item,timestamp,category\nu,a,1,X\nu,b,,X\n", /:3: timestamp "" is not a number/],
    ["user,item,timestamp,category\nu,a,1,X\n,b,2,X\n", /:3: empty user/],
    ["user,item,timestamp,category\nu,a,1,X\nu,,2,X\n", /:3: empty item/],
    ["user,item,timestamp,category\nu,a,1,X\nu,b,2,\n", /:3: item "b" has no category/],
    ["user,item,timestamp,category\nu,a,1,X\nu,a,2,Y\n", /:3: item "a" has category "Y", but "X" on line 2/],
    ["user,item,timestamp,category\nu,a,1,X\nu,b,2\n", /:3: expected 4 fields/],
    ["user,item,timestamp,category\n", /no actions after the header/],
    ["", /:1: empty file/],
  ];
  for (const [text, re] of bad) t.throws(() => rf.loadSeqCsv(write(text)), { instanceOf: RangeError, message: re }, JSON.stringify(text));
});

test("loadMovielensSeq on hand-made files: Latin-1 titles, genre string or first genre, errors", (t) => {
  const d = fs.mkdtempSync(path.join(dir, "ml-"));
  fs.writeFileSync(path.join(d, "movies.dat"), Buffer.from("1::Am\xe9lie (2001)::Comedy|Romance\n2::Heat (1995)::Action|Crime|Thriller\n3::Toy Story (1995)::Animation|Children's|Comedy\n", "latin1"));
  fs.writeFileSync(path.join(d, "ratings.partial_users_1-2.dat"), "1::1::5::100\n1::2::3::100\n2::3::4::50\n1::3::4::90\n");
  const ds = rf.loadMovielensSeq({ dir: d, minHistory: 1 });
  t.deepEqual(userSeq(ds, 0), ["3", "1", "2"]); // (time, line): 90, then 100 line 1, 100 line 2
  t.deepEqual(ds.categoryNames, ["", "Action|Crime|Thriller", "Animation|Children's|Comedy", "Comedy|Romance"]);
  const fg = rf.loadMovielensSeq({ dir: d, category: "first-genre", minHistory: 1 });
  t.deepEqual(fg.categoryNames, ["", "Action", "Animation", "Comedy"]);
  t.true(ds.name.includes("ratings.partial_users_1-2.dat"));
  // a rated movie missing from movies.dat, a malformed movies line, a bad timestamp
  fs.appendFileSync(path.join(d, "ratings.partial_users_1-2.dat"), "2::4::1::60\n");
  t.throws(() => rf.loadMovielensSeq({ dir: d }), { message: /ratings\.partial_users_1-2\.dat:5: item "4" has no category/ });
  fs.writeFileSync(path.join(d, "ratings.partial_users_1-2.dat"), "1::1::5::100\n1::2::3::soon\n");
  t.throws(() => rf.loadMovielensSeq({ dir: d }), { message: /:2: timestamp "soon" is not a number/ });
  fs.writeFileSync(path.join(d, "movies.dat"), "1::Heat::Action\n2::No genre::\n");
  t.throws(() => rf.loadMovielensSeq({ dir: d }), { message: /movies\.dat:2: movie 2 has no genre/ });
  t.throws(() => rf.loadMovielensSeq({ dir: path.join(d, "nope") }), { message: /MovieLens-1M not found/ });
});

// A random data set for the batching helpers.
function randomCsv(seed, users = 9, maxLen = 40, nItems = 30, nCats = 4) {
  const r = prng(seed);
  const cat = Array.from({ length: nItems }, () => `c${Math.floor(r() * nCats)}`);
  let text = "user,item,timestamp,category\n";
  for (let u = 0; u < users; u++) {
    const len = 2 + Math.floor(r() * maxLen);
    for (let k = 0; k < len; k++) {
      const i = Math.floor(r() * nItems);
      text += `u${u},i${i},${Math.floor(r() * 50)},${cat[i]}\n`;
    }
  }
  return rf.loadSeqCsv(write(text), { minHistory: 1 });
}

test("shortWindows: the W actions before each target, right or left padded, vs a naive reference", (t) => {
  const ds = randomCsv(3);
  const positions = Int32Array.from([...ds.split.train, ...ds.split.valid, ...ds.split.test]);
  for (const W of [1, 5, 30])
    for (const pad of ["right", "left"]) {
      const b = rf.shortWindows(ds, positions, W, pad);
      t.is(b.B, positions.length);
      positions.forEach((p, row) => {
        const u = ds.userOf[p];
        const hist = [];
        for (let q = Math.max(ds.offsets[u], p - W); q < p; q++) hist.push(q);
        const L = hist.length;
        const want = new Array(W).fill(0), wantC = new Array(W).fill(0), wantT = new Array(W).fill(0);
        hist.forEach((q, k) => {
          const at = pad === "left" ? W - L + k : k;
          want[at] = ds.items[q];
          wantC[at] = ds.categories[q];
          wantT[at] = ds.times[q];
        });
        t.deepEqual(Array.from(b.items.subarray(row * W, row * W + W)), want);
        t.deepEqual(Array.from(b.categories.subarray(row * W, row * W + W)), wantC);
        t.deepEqual(Array.from(b.times.subarray(row * W, row * W + W)), wantT);
        t.is(b.lengths[row], L);
        t.is(b.targetItems[row], ds.items[p]);
        t.is(b.targetCategories[row], ds.categories[p]);
        t.is(b.users[row], u);
      });
    }
  t.throws(() => rf.shortWindows(ds, [0]), { message: /position 0 \(row 0\) is its user's first action/ });
  t.throws(() => rf.shortWindows(ds, [ds.items.length]), { message: /out of range/ });
  t.throws(() => rf.shortWindows(ds, [1], 0), { message: /W must be an integer >= 1/ });
});

test("categorySubsequences: last M items of each requested category before the target, vs a naive scan", (t) => {
  const ds = randomCsv(4, 7, 60);
  const hist = new rf.CategoryHistory(ds);
  const positions = Int32Array.from([...ds.split.train, ...ds.split.test].slice(0, 80));
  const C = 3, M = 5;
  const r = prng(9);
  const cats = Int32Array.from({ length: positions.length * C }, () => Math.floor(r() * ds.numCategories)); // 0 = unused slot
  const s = rf.categorySubsequences(hist, positions, cats, C, M);
  t.is(s.rows, positions.length * C);
  positions.forEach((p, b) => {
    const u = ds.userOf[p];
    for (let j = 0; j < C; j++) {
      const c = cats[b * C + j];
      const want = [];
      if (c > 0) for (let q = p - 1; q >= ds.offsets[u] && want.length < M; q--) if (ds.categories[q] === c) want.unshift(ds.items[q]);
      const row = b * C + j;
      t.is(s.lengths[row], want.length);
      t.deepEqual(Array.from(s.items.subarray(row * M, row * M + M)), [...want, ...new Array(M - want.length).fill(0)]);
    }
    const seen = new Set();
    for (let q = ds.offsets[u]; q < p; q++) seen.add(ds.categories[q]);
    t.deepEqual(hist.categoriesBefore(p).sort(), [...seen].sort());
  });
  t.throws(() => rf.categorySubsequences(hist, positions.subarray(0, 1), [1], 2), { message: /1 categories for 1 targets × 2 slots/ });
  t.throws(() => rf.categorySubsequences(hist, positions.subarray(0, 1), [99], 1), { message: /category 99 \(row 0, slot 0\) is out of range/ });
});

test("user split: a seeded partition of the users' targets; batchesOf covers every target once", (t) => {
  const ds = randomCsv(5, 40, 12);
  const a = rf.splitTargets(ds, { kind: "user", seed: 1 });
  const b = rf.splitTargets(ds, { kind: "user", seed: 1 });
  const c = rf.splitTargets(ds, { kind: "user", seed: 2 });
  t.deepEqual(Array.from(a.test), Array.from(b.test));
  t.notDeepEqual(Array.from(a.test), Array.from(c.test));
  const part = new Map();
  for (const [name, list] of [["train", a.train], ["valid", a.valid], ["test", a.test]])
    for (const p of list) {
      const u = ds.userOf[p];
      t.true(!part.has(u) || part.get(u) === name, "a user's targets stay in one part");
      part.set(u, name);
    }
  const users = (name) => [...part.values()].filter((x) => x === name).length;
  t.is(users("train"), 32);
  t.is(users("valid") + users("test"), 8);
  t.is(a.train.length + a.valid.length + a.test.length, ds.items.length - 40); // every t >= 1
  t.throws(() => rf.splitTargets(ds, { kind: "user", fractions: [0.5, 0.1, 0.1] }), { message: /summing to 1/ });
  t.throws(() => rf.splitTargets(ds, { kind: "random" }), { message: /kind must be "time" or "user"/ });
  const batches = rf.batchesOf(a.train, 7, 3);
  t.true(batches.slice(0, -1).every((x) => x.length === 7));
  t.deepEqual(batches.flatMap((x) => Array.from(x)).sort((x, y) => x - y), Array.from(a.train));
  t.deepEqual(rf.batchesOf(a.train, 7).flatMap((x) => Array.from(x)), Array.from(a.train));
});

// ---- the real data ------------------------------------------------------------------------------
const mlDir = rf.movielensSeqDir();
const haveMl = fs.existsSync(path.join(mlDir, "movies.dat")) && rf.movielensRatingsFile(mlDir) !== null;

dataTest(haveMl, `MovieLens-1M at ${mlDir}`)("ml-1m: the spec's split and statistics (T_v, T_t, actions and users after each, 301 genre strings, 3,615 items)", (t) => {
  t.true(haveMl, `RECFORGE_REQUIRE_DATA=1 but ${mlDir} has no MovieLens-1M`);
  const ds = rf.loadMovielensSeq();
  const s = rf.seqStats(ds);
  t.is(s.actions, 487650);
  t.is(s.users, 2999);
  t.is(s.items, 3615);
  t.is(s.categories, 301);
  t.is(s.tValid, 976862649);
  t.is(Math.round(s.tTest), 980998148);
  t.deepEqual(s.afterValid, { actions: 97528, users: 907 });
  t.deepEqual(s.afterTest, { actions: 48765, users: 596 });
  t.true(Math.abs(s.categorySeenBefore - 0.67) < 0.005, `category seen before: ${s.categorySeenBefore}`);
  t.true(Math.abs(s.categoryInWindow - 0.54) < 0.005, `category within 30: ${s.categoryInWindow}`);
  // validation and test targets are apart and after their cuts; every target has t >= 5
  for (const p of ds.split.valid) if (!(ds.times[p] > s.tValid && ds.times[p] <= s.tTest)) t.fail(`valid target ${p}`);
  for (const p of ds.split.test) if (!(ds.times[p] > s.tTest)) t.fail(`test target ${p}`);
  for (const p of ds.split.train) if (!(ds.times[p] <= s.tValid && p - ds.offsets[ds.userOf[p]] >= 5)) t.fail(`train target ${p}`);
  const fg = rf.seqStats(rf.loadMovielensSeq({ category: "first-genre" }));
  t.is(fg.categories, 18);
  t.true(Math.abs(fg.categorySeenBefore - 0.96) < 0.005 && Math.abs(fg.categoryInWindow - 0.91) < 0.005);
  t.log(JSON.stringify(s));
});
