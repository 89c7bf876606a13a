// CompExp's examples on GREENer's split: hand-made data with the expected lists worked out below,
// the vocabulary, and the shared Amazon file (skipped without RECFORGE_DATA's file unless
// RECFORGE_REQUIRE_DATA=1).
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildExamples, deltaDistribution, fitVocabAndIdf, sentenceTokens, MAX_SENTENCE_TOKENS } from "../../dist/methods/compexp/data.js";
import { Vocab, PAD, UNK, SOS, EOS } from "../../dist/methods/compexp/vocab.js";
import { prepareGreenerData } from "../../dist/methods/greener/prepare.js";
import { musicalInstrumentsPath } from "../../dist/data/reviews.js";
import { compexpTinyData } from "./fixtures.js";

const pick = (e) => ({ review: e.review, target: e.target, refs: e.refs, refDelta: e.refDelta, refReviews: e.refReviews, candidates: e.candidates });

test("buildExamples: references with Δ, other users' candidates, skips counted by reason", (t) => {
  const data = compexpTinyData();
  // test split:
  //  r2 (u0, i2, 4): refs r0 (s0 s1, Δ 4−5 = −1), r1 (s2, Δ 4−3 = 1); candidates: i2's training
  //     reviews by others: r3 (s4), r6 (no text) → [s4]
  //  r5 (u1, i1, 5): refs r3 (s4, Δ 5−2 = 3), r4 (s5, Δ 5−4 = 1); candidates r1 (s2)
  //  r7 (u2, i0, 1): u2's other training review r6 has no text → no references
  const test_ = buildExamples(data, "test");
  t.deepEqual(test_.examples.map(pick), [
    { review: 2, target: [3], refs: [0, 1, 2], refDelta: [-1, -1, 1], refReviews: [0, 1], candidates: [4] },
    { review: 5, target: [6], refs: [4, 5], refDelta: [3, 1], refReviews: [3, 4], candidates: [2] },
  ]);
  t.deepEqual(test_.skipped, { noText: 0, noReferences: 1, noCandidates: 0 });
  // train split:
  //  r0 (u0, i0, 5): refs r1 (s2, Δ 2); candidates r4 (s5)
  //  r1 (u0, i1, 3): i1's other training reviews: none (r5 is a test review) → no candidates
  //  r3 (u1, i2, 2): candidates only r6, which has no text → no candidates
  //  r4 (u1, i0, 4): refs r3 (s4, Δ 2); candidates r0 (s0 s1) — u2's r7 is a test review
  //  r6: no text
  const train = buildExamples(data, "train");
  t.deepEqual(train.examples.map(pick), [
    { review: 0, target: [0, 1], refs: [2], refDelta: [2], refReviews: [1], candidates: [5] },
    { review: 4, target: [5], refs: [4], refDelta: [2], refReviews: [3], candidates: [0, 1] },
  ]);
  t.deepEqual(train.skipped, { noText: 1, noReferences: 0, noCandidates: 2 });
  // the test reviews' user and item never feed their own candidates
  for (const e of [...test_.examples, ...train.examples]) for (const s of e.candidates) t.not(data.reviewUser[data.sentenceReview[s]], e.user);
});

test("deltaDistribution: over review pairs, reference sentences and ratings", (t) => {
  const data = compexpTinyData();
  const d = deltaDistribution(data, buildExamples(data, "test").examples);
  // pairs: r2 → −1, 1; r5 → 3, 1     sentences: −1, −1, 1; 3, 1     ratings: 4, 5
  t.deepEqual(d.reviewPairs.rows, [{ value: -1, count: 1, share: 0.25 }, { value: 1, count: 2, share: 0.5 }, { value: 3, count: 1, share: 0.25 }]);
  t.is(d.reviewPairs.total, 4);
  t.deepEqual(d.referenceSentences.rows.map((r) => [r.value, r.count]), [[-1, 2], [1, 2], [3, 1]]);
  t.deepEqual(d.ratings.rows.map((r) => [r.value, r.count]), [[4, 1], [5, 1]]);
  t.deepEqual(deltaDistribution(data, []).reviewPairs, { rows: [], total: 0 });
});

test("Vocab: specials first, count ≥ minCount, ties by word, encode/decode, empty vocabulary is an error", (t) => {
  const v = Vocab.build([["b", "a", "c"], ["a", "b"], ["a", "d"]], 2);
  // a ×3, b ×2 kept; c, d ×1 dropped
  t.deepEqual(v.words, ["<pad>", "<unk>", "<sos>", "<eos>", "a", "b"]);
  t.deepEqual([PAD, UNK, SOS, EOS], [0, 1, 2, 3]);
  t.deepEqual([...v.encode(["a", "zz", "b"])], [4, UNK, 5]);
  t.deepEqual(v.decode([SOS, 4, PAD, 5, EOS, 4]), ["a", "b"]);
  t.true(v.has("a"));
  t.false(v.has("<eos>"));
  t.throws(() => Vocab.build([["a"], ["b"]], 3), { instanceOf: RangeError, message: /empty vocabulary/ });
  t.throws(() => v.decode([99]), { instanceOf: RangeError, message: /99/ });
  t.throws(() => new Vocab(["a"]), { instanceOf: RangeError, message: /<pad>/ });
});

test("fitVocabAndIdf: training sentences only, IDF over vocabulary words", (t) => {
  const data = compexpTinyData();
  // training sentences: s0 s1 (r0), s2 (r1), s4 (r3), s5 (r4) → 5 sentences; "the" in s0 s1 s2 s4 (4)
  // count ≥ 2: the ×5 (s1 has one), great 2 (s0, s5), strings 2, very 2 (s1, s2), is 2, tuner 1 ...
  const { vocab, idf } = fitVocabAndIdf(data, 2);
  t.true(vocab.has("the"));
  t.false(vocab.has("tuner")); // once in train (s2); s6 is a test sentence
  t.is(idf.sentenceCount, 5);
  t.true(Math.abs(idf.get("the") - (Math.log10(5 / 4) + 1)) < 1e-12);
  t.true(Math.abs(idf.get("great") - (Math.log10(5 / 2) + 1)) < 1e-12);
  t.is(idf.get("tuner"), 1); // not a vocabulary word
});

test("sentenceTokens: cut at 25 tokens", (t) => {
  const data = compexpTinyData();
  data.sentences.push(Array.from({ length: 30 }, (_, i) => `w${i}`).join(" "));
  t.is(sentenceTokens(data, data.sentences.length - 1).length, MAX_SENTENCE_TOKENS);
});

test("any review file with the same fields: a JSON-lines file written here", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rows = [];
  // 3 users × 3 items, every review two sentences of ≥ 4 words
  for (let u = 0; u < 3; u++) for (let i = 0; i < 3; i++) {
    rows.push({ reviewerID: `U${u}`, asin: `I${i}`, overall: 1 + ((u + i) % 5), unixReviewTime: 1000 * (i + 1), reviewText: `The strings of item ${i} sound great. User ${u} likes the price a lot.` });
  }
  const file = path.join(dir, "reviews.json");
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  const { data } = await prepareGreenerData(file, {}, { cache: false });
  const train = buildExamples(data, "train"), test_ = buildExamples(data, "test");
  // per user: I0 train, I1 validation, I2 test. A training review (I0) has no other training
  // review of its user → no references; a test review (I2) has its user's I0 review as reference,
  // but the other users' I2 reviews are test reviews too → no candidates
  t.is(train.examples.length, 0);
  t.is(train.skipped.noReferences, 3);
  t.is(test_.examples.length, 0);
  t.is(test_.skipped.noCandidates, 3);
});

dataTest(musicalInstrumentsPath(), musicalInstrumentsPath())("shared musical-instruments reviews: examples and the Δ distribution", async (t) => {
  const file = musicalInstrumentsPath();
  const { data } = await prepareGreenerData(file);
  const tr = buildExamples(data, "train"), te = buildExamples(data, "test");
  t.log(`train ${tr.examples.length} (skipped ${JSON.stringify(tr.skipped)}), test ${te.examples.length} (skipped ${JSON.stringify(te.skipped)})`);
  t.true(tr.examples.length > 1000);
  t.true(te.examples.length > 500);
  const d = deltaDistribution(data, te.examples);
  t.log(`test Δ over review pairs: ${d.reviewPairs.rows.map((r) => `${r.value}: ${(100 * r.share).toFixed(1)}%`).join(", ")}`);
  // Δ on a 1..5 scale lies in [−4, 4]; the shares sum to 1
  for (const r of d.reviewPairs.rows) t.true(Math.abs(r.value) <= 4 && Number.isInteger(r.value));
  t.true(Math.abs(d.reviewPairs.rows.reduce((a, r) => a + r.share, 0) - 1) < 1e-9);
  t.true((d.reviewPairs.rows.find((r) => r.value === 0)?.share ?? 0) > 0.3, "Δ = 0 is common (67.6% of ratings are 5 stars)");
});
