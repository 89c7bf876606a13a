// lib/data/reviews.ts, lib/data/cache.ts and GREENer's cached preparation, on fixtures written here.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import {
  loadAmazonReviews, parseReviewLine, parseReviewTime, splitByUserTime, isGzipFile,
} from "../../dist/data/reviews.js";
import { dataRoot } from "../../dist/data/paths.js";
import { cacheDir, cacheFile, readCache, writeCache, stampFor } from "../../dist/data/cache.js";
import { prepareGreenerData } from "../../dist/methods/greener/prepare.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-greener-data-"));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const L2014 = [
  { reviewerID: "U1", asin: "I1", reviewerName: "Ann", helpful: [3, 5], reviewText: "Great strings. They sound bright.", overall: 5.0, summary: "good", unixReviewTime: 1393545600, reviewTime: "02 28, 2014" },
  { reviewerID: "U2", asin: "I1", helpful: [0, 0], reviewText: "Cheap strings.", overall: 3, summary: "ok", unixReviewTime: 1363392000, reviewTime: "03 16, 2013" },
];
const L2018 = [
  { overall: 4.0, vote: "1,234", verified: true, reviewTime: "04 6, 2017", reviewerID: "U3", asin: "I2", style: { "Format:": " Hardcover" }, reviewerName: "Bo", reviewText: "Very helpful book.", summary: "Four Stars", unixReviewTime: 1491436800 },
  { overall: 2.0, verified: false, reviewTime: "03 14, 2017", reviewerID: "U3", asin: "I3", image: ["https://example.invalid/a.jpg"], summary: "no text", unixReviewTime: 1489449600 },
];
const toLines = (objs) => objs.map((o) => JSON.stringify(o)).join("\n") + "\n";

function write(name, text, gzip) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, gzip ? zlib.gzipSync(text) : text);
  return p;
}

for (const gzip of [false, true]) {
  test(`loadAmazonReviews: 2014 and 2018 field names, ${gzip ? "gzipped" : "plain"}`, async (t) => {
    // the name lies on purpose: gzip is detected from the bytes
    const file = write(`mixed-${gzip}.json`, toLines([...L2014, ...L2018]) + "\n", gzip);
    t.is(isGzipFile(file), gzip);
    const { reviews, stats } = await loadAmazonReviews(file);
    t.is(stats.gzip, gzip);
    t.deepEqual(stats.generations, { 2014: 2, 2018: 2, unknown: 0 });
    t.is(stats.lines, 4);
    t.is(reviews.length, 4);
    t.deepEqual(reviews[0], {
      userId: "U1", itemId: "I1", rating: 5, time: 1393545600, text: "Great strings. They sound bright.", summary: "good", reviewerName: "Ann", helpfulVotes: 3, totalVotes: 5,
    });
    t.deepEqual(reviews[2], {
      userId: "U3", itemId: "I2", rating: 4, time: 1491436800, text: "Very helpful book.", summary: "Four Stars", reviewerName: "Bo", helpfulVotes: 1234, verified: true, style: { Format: "Hardcover" },
    });
    // reviewText missing (2018): empty text, images kept
    t.is(reviews[3].text, "");
    t.deepEqual(reviews[3].images, ["https://example.invalid/a.jpg"]);
    t.is(reviews[3].verified, false);
  });
}

test("loadAmazonReviews: bad lines name the line; onInvalid skip counts them", async (t) => {
  const file = write("bad.json", toLines([L2014[0]]) + "{'reviewerID': 'x'}\n" + JSON.stringify({ asin: "I", overall: 1, unixReviewTime: 1 }) + "\n", false);
  await t.throwsAsync(() => loadAmazonReviews(file), { message: /bad\.json:2: not a JSON object/ });
  const { reviews, stats } = await loadAmazonReviews(file, { onInvalid: "skip" });
  t.is(reviews.length, 1);
  t.is(stats.skipped, 2);
  t.throws(() => parseReviewLine(JSON.stringify({ asin: "I", overall: 1, unixReviewTime: 1 })), { message: /missing reviewerID/ });
  t.throws(() => parseReviewLine(JSON.stringify({ reviewerID: "U", asin: "I", overall: "x", unixReviewTime: 1 })), { message: /invalid overall/ });
  await t.throwsAsync(() => loadAmazonReviews(path.join(tmp, "nope.json")), { message: /not found.*RECFORGE_DATA/ });
});

test("parseReviewTime: 'MM DD, YYYY' → UTC seconds; used when unixReviewTime is missing", (t) => {
  t.is(parseReviewTime("02 28, 2014"), 1393545600);
  t.is(parseReviewTime("04 6, 2017"), 1491436800);
  t.true(Number.isNaN(parseReviewTime("yesterday")));
  t.is(parseReviewLine(JSON.stringify({ reviewerID: "U", asin: "I", overall: 1, reviewTime: "02 28, 2014" })).time, 1393545600);
});

test("splitByUserTime: last → test, second last → validation, ties by item id", (t) => {
  const r = [
    { userId: "A", itemId: "x", time: 30 }, // 0
    { userId: "A", itemId: "y", time: 10 }, // 1
    { userId: "A", itemId: "b", time: 20 }, // 2: same day as 3, "b" < "c" → earlier
    { userId: "A", itemId: "c", time: 20 }, // 3
    { userId: "B", itemId: "x", time: 5 },  // 4: B has 2 reviews → train + test
    { userId: "B", itemId: "y", time: 1 },  // 5
    { userId: "C", itemId: "x", time: 9 },  // 6: single review → train
  ];
  // A: order 1(10), 2(20,b), 3(20,c), 0(30) → 0 test, 3 validation, 1 and 2 train
  t.deepEqual(splitByUserTime(r), ["test", "train", "train", "validation", "test", "train", "train"]);
});

test.serial("dataRoot: RECFORGE_DATA overrides <repo>/../shared/data", (t) => {
  const old = process.env.RECFORGE_DATA;
  try {
    delete process.env.RECFORGE_DATA;
    t.true(dataRoot().endsWith(path.join("shared", "data")));
    process.env.RECFORGE_DATA = tmp;
    t.is(dataRoot(), tmp);
  } finally {
    if (old === undefined) delete process.env.RECFORGE_DATA;
    else process.env.RECFORGE_DATA = old;
  }
});

test.serial("cache: stamp must match exactly (version, options, source bytes)", (t) => {
  const old = process.env.RECFORGE_CACHE;
  process.env.RECFORGE_CACHE = path.join(tmp, "cache-a");
  try {
    t.is(cacheDir(), path.join(tmp, "cache-a"));
    const src = write("src.txt", "one", false);
    const stamp = stampFor("v1", src, { k: 1 });
    const file = cacheFile("thing", stamp);
    t.is(readCache(file, stamp), null);
    writeCache(file, stamp, { hello: [1, 2] });
    t.deepEqual(readCache(file, stamp), { hello: [1, 2] });
    t.is(readCache(file, stampFor("v2", src, { k: 1 })), null); // version bump
    t.is(readCache(file, stampFor("v1", src, { k: 2 })), null); // other options
    fs.writeFileSync(src, "two");
    t.is(readCache(file, stampFor("v1", src, { k: 1 })), null); // source changed
    fs.writeFileSync(file, "{truncated");
    t.is(readCache(file, stamp), null); // unreadable entry
  } finally {
    if (old === undefined) delete process.env.RECFORGE_CACHE;
    else process.env.RECFORGE_CACHE = old;
  }
});

// A small corpus: 3 users × 3 items, 2014 field names. Every user has 3 reviews, so each
// user gives one test, one validation and one training review.
// (Tests that set RECFORGE_* variables are serial: concurrent tests would see each other's.)
function corpus(extra = "") {
  const texts = {
    I1: ["The strings sound bright and the price is great.", "These strings feel cheap but the tone is warm."],
    I2: ["The strap is comfortable and the leather is soft.", "Nice strap with a strong buckle on the end."],
    I3: ["The tuner is accurate and the display is bright.", "Small tuner, the clip is solid and the screen is clear."],
  };
  const lines = [];
  let t = 1000;
  const order = { U1: ["I1", "I2", "I3"], U2: ["I2", "I3", "I1"], U3: ["I3", "I1", "I2"] };
  for (const u of ["U1", "U2", "U3"]) {
    // rotated, so every item has one training review (each user's first)
    for (const i of order[u]) {
      t += 86400;
      const [a, b] = texts[i];
      lines.push({ reviewerID: u, asin: i, helpful: [0, 0], reviewText: `${u === "U2" ? b : a} ${u === "U3" ? a : b} Ok.` + extra, overall: 4, unixReviewTime: t });
    }
  }
  return toLines(lines);
}

test.serial("prepareGreenerData: splits, sentences ≥ 4 words, attributes, pools; cached and invalidated", async (t) => {
  const old = process.env.RECFORGE_CACHE;
  process.env.RECFORGE_CACHE = path.join(tmp, "cache-b");
  try {
    const file = write("small.json.gz", corpus(), true);
    const opts = { attributes: { minOpinionCount: 1 } };
    const a = await prepareGreenerData(file, opts);
    t.false(a.fromCache);
    t.true(fs.existsSync(a.cachePath));
    t.true(a.cachePath.startsWith(path.join(tmp, "cache-b")));
    const d = a.data;
    t.is(d.numReviews, 9);
    t.is(d.reviewsOf("test").length, 3);
    t.is(d.reviewsOf("validation").length, 3);
    t.is(d.reviewsOf("train").length, 3);
    // "Ok." has 1 word: dropped; each review keeps its two long sentences
    for (let r = 0; r < 9; r++) t.is(d.sentencesOf(r).length, 2);
    t.true(d.attributes.names.includes("string"), JSON.stringify(d.attributes.names));
    t.true(d.attributes.names.includes("strap"), JSON.stringify(d.attributes.names));
    // pools: candidates come from the item's TRAINING reviews only and mention an attribute
    for (let r = 0; r < 9; r++) {
      for (const s of d.pool(r)) {
        const src = d.sentenceReview[s];
        t.is(d.split(src), "train");
        t.is(d.reviewItem[src], d.reviewItem[r]);
        t.true(d.sentenceAttributes(s).length > 0);
      }
      // a training pair's own sentences are among its candidates (first)
      if (d.split(r) === "train") t.deepEqual(Array.from(d.pool(r)).slice(0, 2), d.sentencesOf(r).filter((s) => d.sentenceAttributes(s).length > 0));
      else t.false(Array.from(d.pool(r)).some((s) => d.sentenceReview[s] === r));
    }
    // profiles come from training sentences
    const u = d.reviewUser[d.reviewsOf("train")[0]];
    t.true(d.userProfile(u).ids.length > 0);

    const b = await prepareGreenerData(file, opts);
    t.true(b.fromCache);
    t.deepEqual(b.data.json, a.data.json);
    // other options → another entry; changed source → rebuilt
    t.false((await prepareGreenerData(file, { ...opts, minWords: 5 })).fromCache);
    write("small.json.gz", corpus(" Extra words here now."), true);
    const c = await prepareGreenerData(file, opts);
    t.false(c.fromCache);
    t.is(c.cachePath, a.cachePath);
    t.is(c.data.sentencesOf(0).length, 3);
    // without the cache
    t.is((await prepareGreenerData(file, opts, { cache: false })).cachePath, null);
  } finally {
    if (old === undefined) delete process.env.RECFORGE_CACHE;
    else process.env.RECFORGE_CACHE = old;
  }
});
