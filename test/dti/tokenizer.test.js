// Tokenizers from hand-made Hugging Face tokenizer.json files: WordLevel, byte-level BPE (GPT-2,
// LLaMA-3 style Split + ByteLevel with ignore_merges and a BOS template), sentencepiece-style BPE
// with byte fallback (LLaMA-2), added/special tokens; and DTI's word-level tokenizer built from
// data, saved as tokenizer.json and read back by the same loader.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as rf from "../../dist/index.js";

// ---- GPT-2 style byte-level BPE ----------------------------------------------------------------
function byteAlphabet() {
  const bs = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const enc = new Array(256);
  bs.forEach((b, i) => (enc[b] = String.fromCodePoint(cs[i])));
  return enc;
}
const ENC = byteAlphabet();

function byteLevelJson({ merges, preTokenizer, extra = {}, added = [], post = null }) {
  const vocab = {};
  for (let b = 0; b < 256; b++) vocab[ENC[b]] = b;
  let id = 256;
  for (const m of merges) {
    const [a, b] = Array.isArray(m) ? m : m.split(" ");
    if (!(a + b in vocab)) vocab[a + b] = id++;
  }
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: added.map((content, i) => ({ id: id + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: post,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges, ...extra },
  };
}

const GPT2_MERGES = ["Ġ w", "o r", "Ġw or", "l d", "Ġwor ld", "h e", "l l", "he ll", "hell o"];

test("byte-level BPE (GPT-2 style): merges by rank, byte alphabet, round trips any text", (t) => {
  const tok = rf.Tokenizer.fromJSON(byteLevelJson({
    merges: GPT2_MERGES,
    preTokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    added: ["<|endoftext|>"],
  }));
  t.is(tok.vocabSize, 256 + 9 + 1);
  // "hello" → h e l l o → he l l o → he ll o → hell o → hello; " world" → Ġworld
  t.deepEqual(tok.encode("hello world"), [tok.tokenToId("hello"), tok.tokenToId("Ġworld")]);
  t.deepEqual(tok.tokenize("hello world"), ["hello", "Ġworld"]);
  t.deepEqual(tok.tokenize("hello<|endoftext|> world!"), ["hello", "<|endoftext|>", "Ġworld", "!"]);
  t.deepEqual(tok.tokenize("yellow"), ["y", "e", "ll", "o", "w"]);
  for (const s of ["hello world", "  leading and trailing  ", "Größe: 12.5€ — ok?\nnew line\t tab", "emoji 😀👍🏽 mixed 日本語", "it's 'quoted' they'll", ""])
    t.is(tok.decode(tok.encode(s)), s, JSON.stringify(s));
  t.is(tok.decode(tok.encode("a<|endoftext|>b"), { skipSpecialTokens: true }), "ab");
  // merges given as pairs (tokenizers >= 0.20) are the same
  const pairs = rf.Tokenizer.fromJSON(byteLevelJson({ merges: GPT2_MERGES.map((m) => m.split(" ")), preTokenizer: { type: "ByteLevel", add_prefix_space: false } }));
  t.deepEqual(pairs.encode("hello world"), tok.encode("hello world"));
  // add_prefix_space: a leading "Ġ"
  const prefixed = rf.Tokenizer.fromJSON(byteLevelJson({ merges: GPT2_MERGES, preTokenizer: { type: "ByteLevel", add_prefix_space: true, use_regex: true } }));
  t.deepEqual(prefixed.tokenize("world"), ["Ġworld"]);
});

test("LLaMA-3 style: Split regex with (?i:...), ByteLevel without regex, ignore_merges, BOS template", (t) => {
  const pattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  const json = byteLevelJson({
    merges: GPT2_MERGES,
    extra: { ignore_merges: true },
    preTokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    added: ["<|begin_of_text|>", "<|end_of_text|>"],
    post: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [],
      special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [265], tokens: ["<|begin_of_text|>"] } },
    },
  });
  // a whole word in the vocabulary is taken as is (ignore_merges): add "Ġyellow" directly
  json.model.vocab["Ġyellow"] = 300;
  json.added_tokens[0].id = 265;
  json.added_tokens[1].id = 266;
  const tok = rf.Tokenizer.fromJSON(json);
  t.deepEqual(tok.encode("hello world"), [265, tok.tokenToId("hello"), tok.tokenToId("Ġworld")]);
  t.deepEqual(tok.encode("hello world", { addSpecialTokens: false }), [tok.tokenToId("hello"), tok.tokenToId("Ġworld")]);
  t.deepEqual(tok.tokenize(" yellow", { addSpecialTokens: false }), ["Ġyellow"]);
  // (?i:'m): upper-case contractions split like lower-case ones; digits in runs of at most 3
  t.deepEqual(tok.tokenize("I'M", { addSpecialTokens: false }), ["I", "'", "M"]);
  t.deepEqual(tok.tokenize("1234567", { addSpecialTokens: false }).join("|"), "1|2|3|4|5|6|7");
  t.is(tok.decode(tok.encode("I'M 1234567 ok")), "<|begin_of_text|>I'M 1234567 ok");
  t.is(tok.decode(tok.encode("Ünïcödé 😀 text\n\nmore"), { skipSpecialTokens: true }), "Ünïcödé 😀 text\n\nmore");
  // the Split pieces on their own: (?i:'s) must match "'S"
  const split = rf.Tokenizer.fromJSON({ ...json, model: { type: "WordLevel", vocab: { "I": 0, "'S": 1, "top": 2, "[UNK]": 3 }, unk_token: "[UNK]" }, pre_tokenizer: json.pre_tokenizer.pretokenizers[0], post_processor: null, decoder: null, added_tokens: [] });
  t.deepEqual(split.tokenize("I'Stop"), ["I", "'S", "top"]); // case-insensitive 's wins over '?\p{L}+
});

test("sentencepiece-style BPE (LLaMA-2): ▁ normalizer, byte fallback, <s> template, decoder chain", (t) => {
  const vocab = { "<unk>": 0, "<s>": 1, "</s>": 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`] = 3 + b;
  let id = 259;
  for (const ch of ["▁", "h", "e", "l", "o", "w", "r", "d", "a", "é"]) vocab[ch] = id++;
  const merges = ["▁ h", "e l", "▁h el", "l o", "▁hel lo", "▁ w", "o r", "▁w or", "l d", "▁wor ld"];
  for (const m of merges) vocab[m.replace(" ", "")] = id++;
  const json = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [0, 1, 2].map((i) => ({ id: i, content: ["<unk>", "<s>", "</s>"][i], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [], special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: { type: "Sequence", decoders: [
      { type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 },
    ] },
    model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges },
  };
  const tok = rf.Tokenizer.fromJSON(json);
  t.deepEqual(tok.tokenize("hello world"), ["<s>", "▁hello", "▁world"]);
  // "z" and "😀" are not in the vocabulary: their UTF-8 bytes
  t.deepEqual(tok.tokenize("hez", { addSpecialTokens: false }), ["▁h", "e", "<0x7A>"]);
  t.deepEqual(tok.tokenize("😀", { addSpecialTokens: false }), ["▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"]);
  for (const s of ["hello world", "héllo wörld 😀 zzz", "a  b", "world</s>"])
    t.is(tok.decode(tok.encode(s), { skipSpecialTokens: true }), s.replace("</s>", ""), JSON.stringify(s));
  t.deepEqual(tok.encode("hi</s>").slice(-1), [2]);
  // the Metaspace pre-tokenizer form of the same (newer LLaMA-2 exports)
  const meta = rf.Tokenizer.fromJSON({ ...json, normalizer: null, pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false },
    decoder: { type: "Sequence", decoders: [{ type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false }, { type: "ByteFallback" }, { type: "Fuse" }] } });
  t.deepEqual(meta.tokenize("hello world"), ["<s>", "▁hello", "▁world"]);
  t.is(meta.decode(meta.encode("hello wörld"), { skipSpecialTokens: true }), "hello wörld");
});

test("WordLevel tokenizer.json with normalizer, pre-tokenizer and special tokens", (t) => {
  const json = {
    version: "1.0",
    added_tokens: [{ id: 0, content: "[UNK]", special: true }, { id: 1, content: "[SUM]", special: true }, { id: 5, content: "[SEP]", special: true, lstrip: true, rstrip: true }],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    pre_tokenizer: { type: "Whitespace" },
    post_processor: null, decoder: null,
    model: { type: "WordLevel", vocab: { "[UNK]": 0, "[SUM]": 1, "the": 2, "matrix": 3, "(": 4, "[SEP]": 5, "1999": 6, ")": 7, "liked": 8 }, unk_token: "[UNK]" },
  };
  const tok = rf.Tokenizer.fromJSON(JSON.stringify(json));
  t.deepEqual(tok.encode("The Mätrix (1999) liked [SUM]"), [2, 3, 4, 6, 7, 8, 1]);
  t.deepEqual(tok.tokenize("The  Matrix[SEP]  Reloaded"), ["the", "matrix", "[SEP]", "[UNK]"]);
  t.is(tok.decode([2, 3, 1]), "the matrix [SUM]");
  t.is(tok.decode([2, 3, 1], { skipSpecialTokens: true }), "the matrix");
  t.is(tok.vocabSize, 9);
  t.is(tok.idToToken(3), "matrix");
  t.throws(() => tok.decode([9]), { instanceOf: RangeError });
  t.throws(() => rf.Tokenizer.fromJSON({ ...json, model: { type: "Unigram", vocab: [] } }), { message: /Unigram/ });
  t.throws(() => rf.Tokenizer.fromJSON({ ...json, pre_tokenizer: { type: "Mystery" } }), { message: /Mystery/ });
  t.throws(() => rf.Tokenizer.fromJSON("{not json"), { message: /not valid JSON/ });
});

test("DTI word-level tokenizer: built from data, fixed special ids, min frequency, saved and read back", (t) => {
  const texts = ["Toy Story (1995) Animation|Children's|Comedy", "Jumanji (1995) Adventure|Children's|Fantasy", "Heat (1995) Action|Crime|Thriller", "toy soldiers"];
  const tok = rf.buildWordTokenizer(texts, { minFrequency: 2 });
  t.deepEqual(["[PAD]", "[UNK]", "[SUM]", "[SEP]", "liked", "disliked"].map((w) => tok.tokenToId(w)), [0, 1, 2, 3, 4, 5]);
  // counts: "(" ")" "1995" "|" 3 each... words seen once map to [UNK]
  t.true(tok.tokenToId("1995") !== undefined && tok.tokenToId("toy") !== undefined && tok.tokenToId("children") !== undefined);
  t.is(tok.tokenToId("jumanji"), undefined);
  t.deepEqual(tok.tokenize("Toy Story liked [SUM]"), ["toy", "[UNK]", "liked", "[SUM]"]);
  // deterministic: ties broken by code point; count order first
  const again = rf.buildWordTokenizer(texts, { minFrequency: 2 });
  t.deepEqual(again.toJSON(), tok.toJSON());
  const all = rf.buildWordTokenizer(texts, { maxVocab: 10 });
  t.is(all.vocabSize, 10);
  // save as tokenizer.json, read back with the generic loader
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "recforge-tok-")), "tokenizer.json");
  tok.save(file);
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  t.is(json.model.type, "WordLevel");
  t.is(json.pre_tokenizer.type, "Whitespace");
  t.deepEqual(json.added_tokens.map((a) => [a.id, a.content, a.special]), [[0, "[PAD]", true], [1, "[UNK]", true], [2, "[SUM]", true], [3, "[SEP]", true]]);
  const back = rf.loadTokenizer(file);
  for (const s of [...texts, "Heat [SEP] toy liked [SUM] disliked", "unseen words here!"]) t.deepEqual(back.encode(s), tok.encode(s), s);
  t.is(back.decode(back.encode("Toy (1995) liked Heat")), "toy ( 1995 ) liked [UNK]");
  t.deepEqual(rf.wordPieces("Children's, Comedy!!"), ["children", "'", "s", ",", "comedy", "!!"]);
  t.throws(() => rf.buildWordTokenizer(texts, { minFrequency: 0 }), { instanceOf: RangeError });
  t.throws(() => rf.buildWordTokenizer(texts, { specialTokens: ["[PAD]"] }), { instanceOf: RangeError });
  t.throws(() => rf.buildWordTokenizer(texts, { labelWords: ["two words"] }), { instanceOf: RangeError });
  t.throws(() => rf.buildWordTokenizer(texts, { maxVocab: 3 }), { instanceOf: RangeError });
});
