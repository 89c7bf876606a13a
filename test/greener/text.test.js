// lib/text: tokens, sentences, BLEU, ROUGE, TF-IDF, attributes — against values worked out by hand.
import test from "ava";
import {
  tokenize, splitSentences, wordCount, sentenceBleu, corpusBleu, bleu23, relevanceLevel, rougeN, rougeL, lcsLength,
  Tfidf, cosine, cosineMatrix, sumNormalized, extractAttributes, findAttributes, loadWinkTagger,
} from "../../dist/text/index.js";

const close = (t, a, b, tol = 1e-12, msg = "") => t.true(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

test("tokenize: lower-case words, inner apostrophes kept, punctuation splits", (t) => {
  t.deepEqual(tokenize("Don\u2019t  STOP—the 3.5mm jack!! :)"), ["don't", "stop", "the", "3", "5mm", "jack"]);
  t.deepEqual(tokenize(""), []);
  t.is(wordCount("It is a pop filter."), 5);
});

test("splitSentences: boundaries, missing spaces, abbreviations, decimals, line breaks", (t) => {
  t.deepEqual(splitSentences("It works. the price is fine!Great value? Yes"), ["It works.", "the price is fine!", "Great value?", "Yes"]);
  // The data's "affordable.I did" case: no space after the full stop.
  t.deepEqual(splitSentences("It is quite affordable.I did not realize"), ["It is quite affordable.", "I did not realize"]);
  t.deepEqual(splitSentences("Mr. Smith uses e.g. Fender strings. They sound great."), ["Mr. Smith uses e.g. Fender strings.", "They sound great."]);
  t.deepEqual(splitSentences("It costs 3.50 dollars. Cheap"), ["It costs 3.50 dollars.", "Cheap"]);
  t.deepEqual(splitSentences("Made in the U.S.A. and it shows"), ["Made in the U.S.A. and it shows"]);
  t.deepEqual(splitSentences("Wow!!! Really good...\nline two  "), ["Wow!!!", "Really good...", "line two"]);
  t.deepEqual(splitSentences("He said \"great.\" Then left"), ["He said \"great.\"", "Then left"]);
  t.deepEqual(splitSentences("  "), []);
});

// ref = "the cat is on the mat" (6 tokens), hyp = "the cat the mat" (4 tokens)
//  unigrams: the×2 (ref has 2) + cat + mat → 4/4 = 1
//  bigrams:  "the cat" ✓, "cat the" ✗, "the mat" ✓ → 2/3
//  trigrams: "the cat the", "cat the mat" → 0/2 → method1: 0.1/2 = 0.05
//  BP = exp(1 − 6/4) = exp(−0.5) = 0.6065306597126334
//  BLEU-1 = BP = 0.6065306597126334
//  BLEU-2 = BP·sqrt(2/3) = 0.49523020988320327
//  BLEU-3 = BP·(1·2/3·0.05)^(1/3) = 0.19519963779679905
const REF = "the cat is on the mat".split(" ");
const HYP = "the cat the mat".split(" ");

test("sentenceBleu: hand-computed BLEU-1/2/3 with method1 smoothing", (t) => {
  close(t, sentenceBleu([REF], HYP, 1), 0.6065306597126334);
  close(t, sentenceBleu([REF], HYP, 2), 0.49523020988320327);
  close(t, sentenceBleu([REF], HYP, 3), 0.19519963779679905);
  // without smoothing a zero trigram count makes BLEU-3 zero
  t.is(sentenceBleu([REF], HYP, 3, { smoothing: "none" }), 0);
  // BLEU-2 + BLEU-3 and its bucket (< 0.5 → 0, < 1.25 → 1, < 2 → 2, else 3)
  close(t, bleu23([REF], HYP), 0.49523020988320327 + 0.19519963779679905);
  t.is(relevanceLevel(bleu23([REF], HYP)), 1);
  t.is(relevanceLevel(bleu23([REF], REF)), 3); // identical: 1 + 1 = 2
  t.is(relevanceLevel(0.49), 0);
  t.is(relevanceLevel(1.3), 2);
});

test("sentenceBleu: clipping by the max count over references, closest reference length", (t) => {
  // hyp "the the the" vs refs ["the cat"], ["the the dog x"]: unigram clip = max(1, 2) = 2 → 2/3
  // closest ref length to 3: |2−3| = |4−3| = 1 → tie → shorter (2) → c = 3 > r = 2 → BP = 1
  close(t, sentenceBleu([["the", "cat"], ["the", "the", "dog", "x"]], ["the", "the", "the"], 1), 2 / 3);
  // no unigram match at all → 0 even with smoothing
  t.is(sentenceBleu([["a", "b"]], ["c", "d"], 2), 0);
  // empty hypothesis → 0
  t.is(sentenceBleu([["a", "b"]], [], 1), 0);
  t.throws(() => sentenceBleu([], ["a"], 2), { message: /at least one reference/ });
  t.throws(() => sentenceBleu([["a"]], ["a"], 0), { message: /order/ });
});

// corpus: segment 1 = (REF, HYP) above; segment 2 = ref "a b c", hyp "a b c".
//  unigrams 4+3 / 4+3 = 1; bigrams 2+2 / 3+2 = 4/5; trigrams 0+1 / 2+1 = 1/3;
//  4-grams 0+0 / (1 + max(1, 0) = 1) = 0/2 → method1 0.1/2 = 0.05
//  c = 4+3 = 7, r = 6+3 = 9 → BP = exp(1 − 9/7)
//  BLEU-2 = BP·sqrt(4/5) = 0.6721417243455484
//  BLEU-3 = BP·(4/5·1/3)^(1/3) = 0.4836955661575748
//  BLEU-4 = BP·(4/5·1/3·0.05)^(1/4) = 0.2553586339865718
test("corpusBleu: sums counts over segments before dividing", (t) => {
  const refs = [[REF], [["a", "b", "c"]]], hyps = [HYP, ["a", "b", "c"]];
  close(t, corpusBleu(refs, hyps, 2), 0.6721417243455484);
  close(t, corpusBleu(refs, hyps, 3), 0.4836955661575748);
  close(t, corpusBleu(refs, hyps, 4), 0.2553586339865718);
  t.is(corpusBleu(refs, hyps, 4, { smoothing: "none" }), 0);
  t.throws(() => corpusBleu(refs, [HYP], 2), { message: /2 reference lists for 1 hypotheses/ });
});

// ref "the cat sat on the mat" (6), hyp "the cat on the mat" (5)
//  ROUGE-1: overlap the:2 + cat + on + mat = 5 → P = 5/5, R = 5/6, F = 2·(5/6)/(11/6) = 10/11
//  ROUGE-2: hyp {the cat, cat on, on the, the mat}, ref {the cat, cat sat, sat on, on the, the mat}
//           overlap 3 → P = 3/4, R = 3/5, F = 0.9/1.35 = 2/3
//  ROUGE-L: LCS "the cat on the mat" = 5 → same as ROUGE-1 here: 10/11
test("ROUGE-1/2/L: hand-computed", (t) => {
  const ref = "the cat sat on the mat".split(" "), hyp = "the cat on the mat".split(" ");
  const r1 = rougeN(ref, hyp, 1);
  close(t, r1.precision, 1);
  close(t, r1.recall, 5 / 6);
  close(t, r1.f1, 10 / 11);
  const r2 = rougeN(ref, hyp, 2);
  close(t, r2.precision, 3 / 4);
  close(t, r2.recall, 3 / 5);
  close(t, r2.f1, 2 / 3);
  close(t, rougeL(ref, hyp).f1, 10 / 11);
  t.is(lcsLength(["a", "b", "c", "d"], ["b", "d", "a"]), 2);
  t.is(rougeN(ref, [], 1).f1, 0);
  t.is(rougeL([], hyp).f1, 0);
});

// docs ["a b", "a c"]: N = 2; idf(a) = ln(3/3) + 1 = 1; idf(b) = idf(c) = ln(3/2) + 1 = 1.4054651081081644
//  v("a b") = (1, 1.40546...)/sqrt(1 + 1.40546²) = (0.5797386715376657, 0.8148024746671689)
//  cos(v("a b"), v("a c")) = 1·1 / (1 + 1.40546²) = 0.33609692727625745
test("TF-IDF: smoothed idf, L2 norm, cosine", (t) => {
  const tf = Tfidf.fit([["a", "b"], ["a", "c"]]);
  close(t, tf.idf[tf.vocab.get("a")], 1);
  close(t, tf.idf[tf.vocab.get("b")], 1.4054651081081644);
  const ab = tf.transform(["a", "b"]), ac = tf.transform(["a", "c"]);
  close(t, ab.val[0], 0.5797386715376657);
  close(t, ab.val[1], 0.8148024746671689);
  close(t, cosine(ab, ac), 0.33609692727625745);
  t.is(tf.transform(["zzz"]).idx.length, 0); // unseen terms are ignored
  t.is(cosine(tf.transform([]), ab), 0);
  const m = cosineMatrix([ab, ac]);
  close(t, m[0], 1);
  close(t, m[1], 0.33609692727625745);
  close(t, m[2], m[1]);
  // profile = normalised sum: (ab + ac)/|ab + ac|; its cosine with ab = (1 + c)/sqrt(2 + 2c), c = 0.336...
  const c = 0.33609692727625745;
  close(t, cosine(sumNormalized([ab, ac]), ab), (1 + c) / Math.sqrt(2 + 2 * c));
});

// A table-driven tagger so the extraction logic is checked independently of wink's model.
function fakeTagger(table) {
  return (sentence) => sentence.split(" ").map((w) => {
    const [surface, pos, lemma] = w.split("/");
    return { surface, pos, lemma: lemma ?? surface };
  });
}

test("extractAttributes: opinionated nouns by lemma, compounds, generic nouns and thresholds", (t) => {
  const sents = [
    "the/DET strings/NOUN/string are/AUX great/ADJ",         // string: opinionated
    "cheap/ADJ string/NOUN",                                 // string: opinionated
    "the/DET price/NOUN is/AUX low/ADJ",                     // price: opinionated
    "i/PRON bought/VERB a/DET price/NOUN tag/NOUN today/NOUN", // price (not near ADJ), "price tag" compound
    "great/ADJ thing/NOUN",                                  // generic → never an attribute
    "other/ADJ box/NOUN",                                    // "other" is not an opinion
    "nice/ADJ gig/NOUN bags/NOUN/bag",                       // compound "gig bag", gig and bag
  ];
  const lex = extractAttributes(sents, fakeTagger(), { minOpinionCount: 1, minOpinionShare: 0.4 });
  // counts [occurrences, opinionated]: string [2,2]; price [2,1] (share 0.5); gig/bag/gig bag [1,1];
  // price tag [1,0] (dropped: no opinion); box [1,0]; thing (generic)
  // ranking: opinionated count desc, then name: string(2), bag, gig, gig bag, price (1 each)
  t.deepEqual(lex.names, ["string", "bag", "gig", "gig bag", "price"]);
  t.deepEqual(lex.counts[0], [2, 2]);
  t.is(lex.surface.strings, 0);
  t.is(lex.surface.string, 0);
  t.is(lex.surface["gig bags"], 3);
  // share threshold: price has 1/2 = 0.5 ≥ 0.4 kept; with 0.6 it is dropped
  const strict = extractAttributes(sents, fakeTagger(), { minOpinionCount: 1, minOpinionShare: 0.6 });
  t.false(strict.names.includes("price"));
  t.deepEqual(extractAttributes(sents, fakeTagger(), { minOpinionCount: 2 }).names, ["string"]);
  t.deepEqual(extractAttributes(sents, fakeTagger(), { minOpinionCount: 1, maxAttributes: 2 }).names, ["string", "bag"]);
  // matching prefers the two-word attribute, reports each attribute once, in order of mention
  t.deepEqual(findAttributes(lex, tokenize("My gig bags and strings, more strings, a bag and the price")), [3, 0, 1, 4]);
  t.deepEqual(findAttributes(lex, []), []);
});

test("wink tagger: loads, tags nouns with lemmas, deterministic", async (t) => {
  const tag = await loadWinkTagger();
  const out = tag("The strings are cheap but the knobs feel great.");
  const nouns = out.filter((x) => x.pos === "NOUN").map((x) => x.lemma);
  t.true(nouns.includes("string"), JSON.stringify(out));
  t.true(nouns.includes("knob"), JSON.stringify(out));
  t.deepEqual(tag("The strings are cheap but the knobs feel great."), out);
});
