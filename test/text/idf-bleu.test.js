// CompExp's IDF-BLEU, ExtRecall, diversity and self-BLEU (lib/text) against values worked out by
// hand below (the arithmetic is in the comments; the code only evaluates the closed forms).
import test from "ava";
import { idfBleu, extRecall, brevityPenalty, idfDensity, WordIdf, diversity, selfBleu, sentenceBleu } from "../../dist/text/index.js";

const close = (t, a, b, tol = 1e-12, msg = "") => t.true(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);
const T = (s) => (s === "" ? [] : s.split(" "));

// IDF weights of the examples; every other word ("x", "good", "bad") weighs 1.
const IDF = new Map([["great", 3], ["strings", 2], ["the", 1], ["sound", 2], ["tone", 3]]);
// References (the true review's sentences): R1 = "the strings sound great" (4), R2 = "great tone" (2).
//  mean length = (4 + 2) / 2 = 3
//  IDF density R1 = (1 + 2 + 2 + 3) / 4 = 2; R2 = (3 + 3) / 2 = 3; mean = 2.5
const REFS = [T("the strings sound great"), T("great tone")];

test("brevityPenalty and idfDensity", (t) => {
  t.is(brevityPenalty(3, 4), 1);
  t.is(brevityPenalty(3, 3), 1); // exp(1 − 3/3) = 1 (hyp = ref is not "longer" but the value is 1)
  t.is(brevityPenalty(3, 0), 0);
  close(t, brevityPenalty(3, 2), Math.exp(-0.5));
  close(t, idfDensity(T("the strings sound great"), IDF), 2);
  // a word counts once in the numerator, every occurrence in the length: (3 + 2) / 3
  close(t, idfDensity(T("great great strings"), IDF), 5 / 3);
  t.is(idfDensity([], IDF), 0);
});

// h = "great great strings sound" (4 tokens)
//  unigrams: great×2 (ref max 1 → 1·3), strings (1·2), sound (1·2): num = 7; den = 2·3 + 2 + 2 = 10 → p1 = 0.7
//  bigrams: "great great" (ω 3, ✗), "great strings" (ω 3, ✗), "strings sound" (ω 2, ✓ R1): p2 = 2 / 8 = 0.25
//  trigrams: "great great strings" (ω 3), "great strings sound" (ω 3): none in R1 → ε: p3 = 0.1 / 6
//  4-gram: "great great strings sound" (ω 3) ✗ → p4 = 0.1 / 3
//  length BP: hyp 4 > mean ref 3 → 1
//  IDF BP: hyp density = (3 + 2 + 2) / 4 = 1.75 < 2.5 → exp(1 − 2.5 / 1.75) = exp(−3/7)
const H = T("great great strings sound");

test("idfBleu: clipped IDF-weighted precisions, both brevity penalties, ε smoothing", (t) => {
  const idfBp = Math.exp(-3 / 7);
  close(t, idfBleu(REFS, H, IDF, { weights: [1] }), idfBp * 0.7);
  close(t, idfBleu(REFS, H, IDF, { weights: [0.5, 0.5] }), idfBp * Math.sqrt(0.7 * 0.25));
  close(t, idfBleu(REFS, H, IDF), idfBp * (0.7 * 0.25 * (0.1 / 6) * (0.1 / 3)) ** 0.25);
  // the reward of end-to-end training: (β1, β2) = (10, 0.5), weights (0.8, 0.2); length BP = 1
  close(t, idfBleu(REFS, H, IDF, { weights: [0.8, 0.2], bpExponents: [10, 0.5] }), Math.exp(-30 / 7) * 0.7 ** 0.8 * 0.25 ** 0.2);
  // a WordIdf and a function give the same numbers as the map
  const fn = (w) => IDF.get(w) ?? 1;
  close(t, idfBleu(REFS, H, fn, { weights: [0.5, 0.5] }), idfBp * Math.sqrt(0.175));
  close(t, idfBleu(REFS, H, WordIdf.fromEntries(IDF), { weights: [0.5, 0.5] }), idfBp * Math.sqrt(0.175));
});

test("idfBleu: short hypotheses get both penalties; empty orders use max(1, ·); unseen words weigh 1", (t) => {
  // h = "strings sound": p1 = (2 + 2)/4 = 1, p2 = 2/2 = 1
  //  length BP = exp(1 − 3/2) = exp(−0.5); IDF density (2 + 2)/2 = 2 < 2.5 → exp(1 − 1.25) = exp(−0.25)
  close(t, idfBleu(REFS, T("strings sound"), IDF, { weights: [0.5, 0.5] }), Math.exp(-0.75));
  close(t, idfBleu(REFS, T("strings sound"), IDF, { weights: [0.5, 0.5], bpExponents: [10, 0.5] }), Math.exp(-2.5 - 0.25));
  // h = "great": p1 = 3/3 = 1; no bigram → den max(1, 0) = 1, num 0 → 0.1
  //  length BP = exp(1 − 3/1) = exp(−2); IDF density 3 > 2.5 → 1
  close(t, idfBleu(REFS, T("great"), IDF, { weights: [0.5, 0.5] }), Math.exp(-2) * Math.sqrt(0.1));
  // h = "x great": p1 = 3 / (1 + 3) = 0.75; "x great" ω = max(1, 3) = 3, ✗ → 0.1 / 3
  //  length BP = exp(1 − 3/2) = exp(−0.5); IDF density (1 + 3)/2 = 2 → exp(1 − 2.5/2) = exp(−0.25)
  close(t, idfBleu(REFS, T("x great"), IDF, { weights: [0.5, 0.5] }), Math.exp(-0.75) * Math.sqrt(0.75 * 0.1 / 3));
  // no unigram match → 0 (before smoothing); empty hypothesis → 0
  t.is(idfBleu(REFS, T("bad x"), IDF, { weights: [0.5, 0.5] }), 0);
  t.is(idfBleu(REFS, [], IDF, { weights: [0.5, 0.5] }), 0);
  // identical to the only reference → 1
  close(t, idfBleu([T("the strings sound great")], T("the strings sound great"), IDF), 1);
});

test("idfBleu / extRecall: bad input is a RangeError naming it", (t) => {
  t.throws(() => idfBleu([], H, IDF), { instanceOf: RangeError, message: /at least one reference/ });
  t.throws(() => idfBleu([T("a b"), []], H, IDF), { instanceOf: RangeError, message: /reference 1 is empty/ });
  t.throws(() => idfBleu(REFS, H, IDF, { weights: [] }), { instanceOf: RangeError, message: /weight/ });
  t.throws(() => idfBleu(REFS, H, IDF, { weights: [NaN] }), { instanceOf: RangeError, message: /finite/ });
  t.throws(() => extRecall([], H, H, IDF), { instanceOf: RangeError, message: /at least one reference/ });
  t.throws(() => WordIdf.fromEntries([["a", Infinity]]), { instanceOf: RangeError, message: /"a"/ });
});

// ExtRecall, extraction e = "great strings sound good":
//  e's unigrams clipped by the references: great 1 (ω 3), strings 1 (ω 2), sound 1 (ω 2), good 0 → den1 = 7
//  e's bigrams: "great strings" 0, "strings sound" 1 (ω 2), "sound good" 0 → den2 = 2
const E = T("great strings sound good");

test("extRecall: IDF-weighted share of the extraction's reference-matching n-grams kept", (t) => {
  // h = "the strings sound good": keeps strings, sound (2 + 2 = 4 of 7) and "strings sound" (2 of 2)
  //  weights (0.7, 0.3): (4/7)^0.7 · 1^0.3
  close(t, extRecall(REFS, T("the strings sound good"), E, IDF, { weights: [0.7, 0.3] }), (4 / 7) ** 0.7);
  // h = "sound strings": unigrams 4/7; bigram "sound strings" not kept → ε: 0.1 / 2
  close(t, extRecall(REFS, T("sound strings"), E, IDF, { weights: [0.7, 0.3] }), (4 / 7) ** 0.7 * 0.05 ** 0.3);
  // clipping twice: e = "great great tone" → kept great 1 (refs max 1), tone 1: den = 3 + 3 = 6;
  //  h = "great great" keeps min(2, 1)·3 = 3 → 0.5
  close(t, extRecall(REFS, T("great great"), T("great great tone"), IDF, { weights: [1] }), 0.5);
  // h keeps nothing of e → 0; e matches no reference → den max(1, 0), num 0 → 0
  t.is(extRecall(REFS, T("bad x"), E, IDF, { weights: [0.7, 0.3] }), 0);
  t.is(extRecall(REFS, T("great"), T("bad x"), IDF, { weights: [0.7, 0.3] }), 0);
});

test("WordIdf.fit: log10(N/df) + 1, a word once per sentence, vocabulary filter, unseen → 1", (t) => {
  // 100 sentences: "a" in all (idf 1), "b" in 10 (idf 2), "c" in 1 (twice there; idf 3)
  const sents = [];
  for (let i = 0; i < 100; i++) sents.push(["a", ...(i < 10 ? ["b"] : []), ...(i === 0 ? ["c", "c"] : [])]);
  const idf = WordIdf.fit(sents);
  t.is(idf.sentenceCount, 100);
  close(t, idf.get("a"), 1);
  close(t, idf.get("b"), 2);
  close(t, idf.get("c"), 3);
  t.is(idf.get("z"), 1);
  const kept = WordIdf.fit(sents, (w) => w !== "c");
  t.is(kept.get("c"), 1);
  close(t, kept.get("b"), 2);
});

test("diversity: mean length, mean IDF, rep/l, seq-rep-2, distinct tokens", (t) => {
  // o1 = "a b a b", o2 = "c d e", o3 = "" with idf a 2, c 3, others 1
  //  mean length = (4 + 3 + 0) / 3 = 7/3
  //  mean IDF = mean(o1: (2+1+2+1)/4 = 1.5, o2: (3+1+1)/3 = 5/3) = 19/12 (o3 has no tokens)
  //  rep/l: o1 repeats a and b → 2; tokens 4 + 3 = 7 → 2/7
  //  seq-rep-2: o1 bigrams ab, ba, ab → 1 − 2/3 = 1/3; o2 cd, de → 0; o3 none (left out) → 1/6
  //  distinct tokens: a b c d e → 5
  const d = diversity([T("a b a b"), T("c d e"), []], new Map([["a", 2], ["c", 3]]));
  close(t, d.meanLength, 7 / 3);
  close(t, d.meanIdf, 19 / 12);
  close(t, d.repPerLength, 2 / 7);
  close(t, d.seqRep2, 1 / 6);
  t.is(d.distinctTokens, 5);
  t.throws(() => diversity([], new Map()), { instanceOf: RangeError, message: /no outputs/ });
});

test("selfBleu: each output against all the others (sentence BLEU, method1)", (t) => {
  // A = "a b c", B = "a b d", C = "e f g"
  //  A vs {B, C}: unigrams a, b ✓ c ✗ → 2/3; bigrams "a b" ✓ "b c" ✗ → 1/2; closest length 3 → BP 1
  //    BLEU-2 = sqrt(1/3); trigram "a b c" ✗ → 0.1/1; no 4-gram → 0.1/max(1, 0)
  //    BLEU-4 = (2/3 · 1/2 · 0.1 · 0.1)^(1/4) = (1/300)^(1/4)
  //  B vs {A, C}: the same by symmetry; C vs {A, B}: no unigram match → 0
  const outs = [T("a b c"), T("a b d"), T("e f g")];
  close(t, selfBleu(outs, 2), (2 * Math.sqrt(1 / 3)) / 3);
  close(t, selfBleu(outs), (2 * (1 / 300) ** 0.25) / 3);
  // it is the mean of sentenceBleu against the others
  const direct = outs.map((o, i) => sentenceBleu(outs.filter((_, j) => j !== i), o, 4)).reduce((a, b) => a + b) / 3;
  close(t, selfBleu(outs), direct);
  close(t, selfBleu([T("w x y z"), T("w x y z")]), 1);
  t.throws(() => selfBleu([T("a")]), { instanceOf: RangeError, message: /at least 2/ });
});
