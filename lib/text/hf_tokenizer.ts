// Hugging Face tokenizer.json, read and run in TypeScript (no dependencies):
//   added tokens → normalizer → pre-tokenizer → model → post-processor;  decode: decoder.
// Supported: models WordLevel and BPE (byte-level BPE as GPT-2 / LLaMA-3, and sentencepiece-style
// BPE with "▁" and byte fallback as LLaMA-2); normalizers Sequence, Lowercase, NFC/NFD/NFKC/NFKD,
// StripAccents, Strip, Replace, Prepend, BertNormalizer (Precompiled is approximated by NFKC);
// pre-tokenizers Sequence, Whitespace, WhitespaceSplit, ByteLevel, Split, Punctuation, Digits,
// Metaspace, BertPreTokenizer; decoders Sequence, ByteLevel, Metaspace, Replace, ByteFallback,
// Fuse, Strip, WordPiece; post-processors TemplateProcessing (single sequence), BertProcessing,
// RobertaProcessing, ByteLevel, Sequence. Anything else is an Error naming the component.
//
// Differences from the Rust library, by design: added tokens marked "normalized" are matched on
// the raw text like the others; BPE dropout is ignored (inference behaviour); offsets, truncation
// and padding are not produced.
import fs from "node:fs";

type Json = Record<string, any>;

interface AddedToken {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

function fail(msg: string): never {
  throw new Error(`recforge: tokenizer.json: ${msg}`);
}

// ---- regex helpers -----------------------------------------------------------------------

/** Rust-regex/Oniguruma pattern → JS RegExp source: rewrites inline case-insensitive groups (?i:...). */
function jsRegexSource(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith("(?i:", i)) {
      // find the matching ')' and make ASCII letters in it match both cases
      let depth = 1, j = i + 4, inClass = false;
      let body = "";
      for (; j < src.length && depth > 0; j++) {
        const c = src[j];
        if (c === "\\") {
          body += c + src[j + 1];
          j++;
          continue;
        }
        if (inClass) {
          if (c === "]") inClass = false;
          body += /[a-zA-Z]/.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
          continue;
        }
        if (c === "[") inClass = true;
        else if (c === "(") depth++;
        else if (c === ")" && --depth === 0) break;
        body += /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
      }
      out += `(?:${body})`;
      i = j;
    } else out += src[i];
  }
  return out;
}

function patternOf(p: Json | undefined, what: string): RegExp {
  if (!p || typeof p !== "object") fail(`${what}: missing pattern`);
  if (typeof p.String === "string") return new RegExp(p.String.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu");
  if (typeof p.Regex === "string") {
    try {
      return new RegExp(jsRegexSource(p.Regex), "gu");
    } catch (e) {
      fail(`${what}: cannot use regex ${JSON.stringify(p.Regex)} (${(e as Error).message})`);
    }
  }
  fail(`${what}: pattern must be {String} or {Regex}, got ${JSON.stringify(p)}`);
}

type Behavior = "Removed" | "Isolated" | "MergedWithPrevious" | "MergedWithNext" | "Contiguous";

/** Splits s at the matches of re according to an HF SplitDelimiterBehavior. */
function splitBy(s: string, re: RegExp, behavior: Behavior, invert = false): string[] {
  const parts: [string, boolean][] = []; // [text, isDelimiter]
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (m.index > last) parts.push([s.slice(last, m.index), invert]);
    parts.push([m[0], !invert]);
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push([s.slice(last), invert]);
  const out: string[] = [];
  switch (behavior) {
    case "Removed":
      for (const [t, d] of parts) if (!d) out.push(t);
      break;
    case "Isolated":
      for (const [t] of parts) out.push(t);
      break;
    case "Contiguous": {
      let prevDelim = false;
      for (const [t, d] of parts) {
        if (d && prevDelim && out.length) out[out.length - 1] += t;
        else out.push(t);
        prevDelim = d;
      }
      break;
    }
    case "MergedWithPrevious": {
      let prevGap = false;
      for (const [t, d] of parts) {
        if (d && prevGap && out.length) out[out.length - 1] += t;
        else out.push(t);
        prevGap = !d;
      }
      break;
    }
    case "MergedWithNext": {
      let pending = "";
      for (const [t, d] of parts) {
        if (d) pending += t;
        else {
          out.push(pending + t);
          pending = "";
        }
      }
      if (pending) out.push(pending);
      break;
    }
    default:
      fail(`unknown split behavior ${JSON.stringify(behavior)}`);
  }
  return out.filter((t) => t.length > 0);
}

// ---- byte-level alphabet (GPT-2) ---------------------------------------------------------

let byteTables: { enc: string[]; dec: Map<string, number> } | null = null;
function bytesToUnicode(): { enc: string[]; dec: Map<string, number> } {
  if (byteTables) return byteTables;
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  const enc: string[] = new Array(256);
  const dec = new Map<string, number>();
  bs.forEach((b, i) => {
    enc[b] = String.fromCodePoint(cs[i]);
    dec.set(enc[b], b);
  });
  return (byteTables = { enc, dec });
}

const utf8 = new TextEncoder();
const utf8Dec = new TextDecoder("utf-8", { fatal: false });

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
// Rust regex's Unicode \w.
const WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const WHITESPACE_PATTERN = new RegExp(`[${WORD}]+|[^${WORD}\\s]+`, "gu");
const PUNCT = /[\p{P}!-/:-@[-`{-~]/u;

// ---- normalizers -------------------------------------------------------------------------

type Normalizer = (s: string) => string;

function buildNormalizer(j: Json | null): Normalizer {
  if (!j) return (s) => s;
  switch (j.type) {
    case "Sequence": {
      const parts = (j.normalizers ?? []).map(buildNormalizer);
      return (s) => parts.reduce((acc: string, f: Normalizer) => f(acc), s);
    }
    case "Lowercase":
      return (s) => s.toLowerCase();
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD":
      return (s) => s.normalize(j.type);
    case "Precompiled": // sentencepiece's charsmap: NFKC is what it approximates for most text
      return (s) => s.normalize("NFKC");
    case "StripAccents":
      return (s) => s.replace(/\p{Mn}/gu, "");
    case "Strip":
      return (s) => {
        if (j.strip_left ?? true) s = s.replace(/^\s+/u, "");
        if (j.strip_right ?? true) s = s.replace(/\s+$/u, "");
        return s;
      };
    case "Replace": {
      const re = patternOf(j.pattern, "Replace normalizer");
      const content = String(j.content ?? "");
      return (s) => s.replace(re, () => content);
    }
    case "Prepend": {
      const p = String(j.prepend ?? "");
      return (s) => (s.length ? p + s : s);
    }
    case "BertNormalizer": {
      const lower = j.lowercase ?? true;
      const strip = j.strip_accents ?? lower;
      return (s) => {
        if (j.clean_text ?? true) s = s.replace(/[\u0000\ufffd\p{Cc}]/gu, (c) => (/\s/u.test(c) ? " " : ""));
        if (j.handle_chinese_chars ?? true) s = s.replace(/[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]/gu, (c) => ` ${c} `);
        if (strip) s = s.normalize("NFD").replace(/\p{Mn}/gu, "");
        if (lower) s = s.toLowerCase();
        return s;
      };
    }
    default:
      fail(`normalizer type ${JSON.stringify(j.type)} is not supported`);
  }
}

// ---- pre-tokenizers ----------------------------------------------------------------------

/** Maps a piece to pieces; `first` is true for the first piece of the input. */
type PreTokenizer = (pieces: string[], first: boolean) => string[];

function metaspaceOpts(j: Json): { rep: string; scheme: string; split: boolean } {
  const rep = j.replacement ?? "▁";
  const scheme = j.prepend_scheme ?? (j.add_prefix_space === false ? "never" : "always");
  return { rep, scheme, split: j.split ?? true };
}

function buildPreTokenizer(j: Json | null): PreTokenizer {
  if (!j) return (p) => p;
  const each = (f: (s: string) => string[]): PreTokenizer => (pieces) => pieces.flatMap(f);
  switch (j.type) {
    case "Sequence": {
      const parts: PreTokenizer[] = (j.pretokenizers ?? []).map(buildPreTokenizer);
      return (pieces, first) => parts.reduce((acc, f) => f(acc, first), pieces);
    }
    case "Whitespace":
      return each((s) => s.match(WHITESPACE_PATTERN) ?? []);
    case "WhitespaceSplit":
      return each((s) => s.split(/\s+/u).filter((t) => t.length));
    case "BertPreTokenizer":
      return each((s) => s.split(/\s+/u).flatMap((w) => splitBy(w, new RegExp(PUNCT.source, "gu"), "Isolated")));
    case "Punctuation":
      return each((s) => splitBy(s, new RegExp(PUNCT.source, "gu"), j.behavior ?? "Isolated"));
    case "Digits":
      return each((s) => splitBy(s, j.individual_digits ? /\p{Nd}/gu : /\p{Nd}+/gu, "Isolated"));
    case "Split": {
      const re = patternOf(j.pattern, "Split pre-tokenizer");
      return each((s) => splitBy(s, re, j.behavior ?? "Isolated", j.invert ?? false));
    }
    case "ByteLevel": {
      const { enc } = bytesToUnicode();
      const prefix = j.add_prefix_space ?? true;
      const useRegex = j.use_regex ?? true;
      // like the Rust library: every split that does not start with a space gets one
      return (pieces) =>
        pieces.flatMap((s) => {
          if (prefix && !s.startsWith(" ")) s = " " + s;
          const words = useRegex ? s.match(GPT2_PATTERN) ?? [] : [s];
          return words.map((w) => Array.from(utf8.encode(w), (b) => enc[b]).join(""));
        });
    }
    case "Metaspace": {
      const { rep, scheme, split } = metaspaceOpts(j);
      return (pieces, first) =>
        pieces.flatMap((s, i) => {
          s = s.replace(/ /g, rep);
          if ((scheme === "always" || (scheme === "first" && first && i === 0)) && !s.startsWith(rep)) s = rep + s;
          return split ? splitBy(s, new RegExp(rep, "gu"), "MergedWithNext") : [s];
        });
    }
    default:
      fail(`pre_tokenizer type ${JSON.stringify(j.type)} is not supported`);
  }
}

// ---- models ------------------------------------------------------------------------------

interface Model {
  vocab: Map<string, number>;
  tokenize(piece: string): number[];
}

function vocabMap(v: unknown, what: string): Map<string, number> {
  if (!v || typeof v !== "object") fail(`${what}: vocab must be an object of token → id`);
  const m = new Map<string, number>();
  for (const [tok, id] of Object.entries(v as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`${what}: id of ${JSON.stringify(tok)} must be a non-negative integer, got ${JSON.stringify(id)}`);
    m.set(tok, id as number);
  }
  return m;
}

function wordLevel(j: Json): Model {
  const vocab = vocabMap(j.vocab, "WordLevel");
  const unk = j.unk_token != null ? vocab.get(j.unk_token) : undefined;
  return {
    vocab,
    tokenize(piece) {
      const id = vocab.get(piece);
      if (id !== undefined) return [id];
      if (unk === undefined) fail(`WordLevel: ${JSON.stringify(piece)} is not in the vocabulary and there is no unk_token`);
      return [unk];
    },
  };
}

function bpe(j: Json): Model {
  const vocab = vocabMap(j.vocab, "BPE");
  const prefix: string = j.continuing_subword_prefix ?? "";
  const suffix: string = j.end_of_word_suffix ?? "";
  const unkId = j.unk_token != null ? vocab.get(j.unk_token) : undefined;
  const fuseUnk = !!j.fuse_unk;
  const byteFallback = !!j.byte_fallback;
  const ignoreMerges = !!j.ignore_merges;
  // rank of each pair "a\u0000b" and the merged token
  const ranks = new Map<string, [number, string]>();
  (j.merges ?? []).forEach((m: string | [string, string], rank: number) => {
    let a: string, b: string;
    if (Array.isArray(m)) [a, b] = m;
    else {
      const sp = m.indexOf(" ", 1); // a merge "a b"; the first token may itself start with a space char
      if (sp < 0) fail(`BPE: merge ${JSON.stringify(m)} is not "a b"`);
      a = m.slice(0, sp);
      b = m.slice(sp + 1);
    }
    const merged = a + (prefix && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    if (!ranks.has(a + "\u0000" + b)) ranks.set(a + "\u0000" + b, [rank, merged]);
  });
  const cache = new Map<string, number[]>();

  const symbolsToIds = (syms: string[]): number[] => {
    const ids: number[] = [];
    let prevUnk = false;
    for (const s of syms) {
      const id = vocab.get(s);
      if (id !== undefined) {
        ids.push(id);
        prevUnk = false;
        continue;
      }
      if (byteFallback) {
        const bytes = Array.from(utf8.encode(s), (b) => vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`));
        if (bytes.every((x) => x !== undefined)) {
          ids.push(...(bytes as number[]));
          prevUnk = false;
          continue;
        }
      }
      if (unkId === undefined) fail(`BPE: symbol ${JSON.stringify(s)} is not in the vocabulary and there is no unk_token`);
      if (!(fuseUnk && prevUnk)) ids.push(unkId);
      prevUnk = true;
    }
    return ids;
  };

  return {
    vocab,
    tokenize(word) {
      const hit = cache.get(word);
      if (hit) return hit;
      let result: number[];
      if (ignoreMerges && vocab.has(word)) result = [vocab.get(word)!];
      else {
        const chars = Array.from(word);
        let syms = chars.map((c, i) => (i > 0 ? prefix : "") + c + (i === chars.length - 1 ? suffix : ""));
        // Merge the lowest-ranked adjacent pair until none is mergeable.
        while (syms.length > 1) {
          let best = -1, bestRank = Infinity;
          for (let i = 0; i + 1 < syms.length; i++) {
            const r = ranks.get(syms[i] + "\u0000" + syms[i + 1]);
            if (r && r[0] < bestRank) {
              bestRank = r[0];
              best = i;
            }
          }
          if (best < 0) break;
          const [a, b] = [syms[best], syms[best + 1]];
          const merged = ranks.get(a + "\u0000" + b)![1];
          const next: string[] = [];
          for (let i = 0; i < syms.length; i++) {
            if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
              next.push(merged);
              i++;
            } else next.push(syms[i]);
          }
          syms = next;
        }
        result = symbolsToIds(syms);
      }
      if (cache.size < 100_000) cache.set(word, result);
      return result;
    },
  };
}

function buildModel(j: Json): Model {
  if (!j || typeof j !== "object") fail("missing model");
  const type = j.type ?? (j.merges ? "BPE" : "WordLevel");
  if (type === "WordLevel") return wordLevel(j);
  if (type === "BPE") return bpe(j);
  fail(`model type ${JSON.stringify(type)} is not supported (WordLevel and BPE are)`);
}

// ---- decoders ----------------------------------------------------------------------------

type Decoder = (tokens: string[]) => string[];

function bytesToString(bytes: number[]): string {
  return utf8Dec.decode(Uint8Array.from(bytes));
}

function buildDecoder(j: Json | null): Decoder | null {
  if (!j) return null;
  switch (j.type) {
    case "Sequence": {
      const parts = (j.decoders ?? []).map(buildDecoder).filter(Boolean) as Decoder[];
      return (toks) => parts.reduce((acc, f) => f(acc), toks);
    }
    case "ByteLevel": {
      const { dec } = bytesToUnicode();
      return (toks) => {
        // bytes of consecutive tokens decoded together (a character may span tokens)
        const bytes: number[] = [];
        let out = "";
        for (const t of toks)
          for (const ch of t) {
            const b = dec.get(ch);
            if (b !== undefined) bytes.push(b);
            else {
              out += bytesToString(bytes.splice(0)) + ch;
            }
          }
        return [out + bytesToString(bytes)];
      };
    }
    case "Metaspace": {
      const { rep, scheme } = metaspaceOpts(j);
      return (toks) =>
        toks.map((t, i) => {
          let s = t.split(rep).join(" ");
          if (i === 0 && scheme !== "never" && s.startsWith(" ")) s = s.slice(1);
          return s;
        });
    }
    case "Replace": {
      const re = patternOf(j.pattern, "Replace decoder");
      const content = String(j.content ?? "");
      return (toks) => toks.map((t) => t.replace(re, () => content));
    }
    case "ByteFallback":
      return (toks) => {
        const out: string[] = [];
        let bytes: number[] = [];
        const flush = () => {
          if (bytes.length) out.push(bytesToString(bytes));
          bytes = [];
        };
        for (const t of toks) {
          const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
          if (m) bytes.push(parseInt(m[1], 16));
          else {
            flush();
            out.push(t);
          }
        }
        flush();
        return out;
      };
    case "Fuse":
      return (toks) => [toks.join("")];
    case "Strip": {
      const c = String(j.content ?? " ");
      const start = j.start ?? 0, stop = j.stop ?? 0;
      return (toks) =>
        toks.map((t) => {
          let a = 0, b = t.length;
          for (let n = 0; n < start && t.startsWith(c, a); n++) a += c.length;
          for (let n = 0; n < stop && b - c.length >= a && t.slice(b - c.length, b) === c; n++) b -= c.length;
          return t.slice(a, b);
        });
    }
    case "WordPiece": {
      const prefix = j.prefix ?? "##";
      return (toks) => toks.map((t, i) => (t.startsWith(prefix) ? t.slice(prefix.length) : i > 0 ? " " + t : t));
    }
    default:
      fail(`decoder type ${JSON.stringify(j.type)} is not supported`);
  }
}

// ---- post-processors ---------------------------------------------------------------------

type PostProcessor = (ids: number[]) => number[];

function buildPostProcessor(j: Json | null, idOf: (t: string) => number | undefined): PostProcessor | null {
  if (!j) return null;
  const need = (tok: string, what: string) => {
    const id = idOf(tok);
    if (id === undefined) fail(`${what}: token ${JSON.stringify(tok)} is not in the vocabulary`);
    return id;
  };
  switch (j.type) {
    case "Sequence": {
      const parts = (j.processors ?? []).map((p: Json) => buildPostProcessor(p, idOf)).filter(Boolean) as PostProcessor[];
      return (ids) => parts.reduce((acc, f) => f(acc), ids);
    }
    case "ByteLevel":
      return null;
    case "TemplateProcessing": {
      const special = j.special_tokens ?? {};
      const pieces: ((ids: number[]) => number[])[] = (j.single ?? []).map((p: Json) => {
        if (p.Sequence) return (ids: number[]) => ids;
        if (p.SpecialToken) {
          const name = p.SpecialToken.id;
          const fixed: number[] = special[name]?.ids ?? [need(name, "TemplateProcessing")];
          return () => fixed;
        }
        fail(`TemplateProcessing: bad piece ${JSON.stringify(p)}`);
      });
      return (ids) => pieces.flatMap((f) => f(ids));
    }
    case "BertProcessing":
    case "RobertaProcessing": {
      const cls = j.cls?.[1] ?? need(j.cls?.[0], j.type), sep = j.sep?.[1] ?? need(j.sep?.[0], j.type);
      return (ids) => [cls, ...ids, sep];
    }
    default:
      fail(`post_processor type ${JSON.stringify(j.type)} is not supported`);
  }
}

// ---- the tokenizer -----------------------------------------------------------------------

export interface EncodeOptions {
  /** Apply the post-processor (e.g. LLaMA's <s>): default true, as Hugging Face. */
  addSpecialTokens?: boolean;
}
export interface DecodeOptions {
  /** Drop added tokens marked special (default false). */
  skipSpecialTokens?: boolean;
}

/** A tokenizer read from a Hugging Face tokenizer.json (see the file comment for what is supported). */
export class Tokenizer {
  private readonly json: Json;
  private readonly model: Model;
  private readonly normalizer: Normalizer;
  private readonly preTokenizer: PreTokenizer;
  private readonly decoder: Decoder | null;
  private readonly postProcessor: PostProcessor | null;
  private readonly added: AddedToken[];
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly addedRe: RegExp | null;
  private readonly idToTok: string[] = [];
  private readonly specialIds = new Set<number>();

  constructor(json: Json) {
    if (!json || typeof json !== "object") fail("expected a JSON object");
    this.json = json;
    this.model = buildModel(json.model);
    this.normalizer = buildNormalizer(json.normalizer ?? null);
    this.preTokenizer = buildPreTokenizer(json.pre_tokenizer ?? null);
    this.decoder = buildDecoder(json.decoder ?? null);
    this.added = (json.added_tokens ?? []).map((t: Json, i: number) => {
      if (!t || typeof t.content !== "string" || !t.content || !Number.isInteger(t.id) || t.id < 0)
        fail(`added_tokens[${i}] must have a non-empty content and a non-negative integer id`);
      return t as AddedToken;
    });
    for (const [tok, id] of this.model.vocab) this.idToTok[id] = tok;
    for (const t of this.added) {
      this.idToTok[t.id] = t.content;
      this.addedByContent.set(t.content, t);
      if (t.special) this.specialIds.add(t.id);
    }
    // Longest first, so "<|a|>x" wins over "<|a|>".
    const alts = [...this.addedByContent.keys()].sort((a, b) => b.length - a.length).map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.addedRe = alts.length ? new RegExp(alts.join("|"), "gu") : null;
    this.postProcessor = buildPostProcessor(json.post_processor ?? null, (t) => this.tokenToId(t));
  }

  static fromJSON(json: string | Json): Tokenizer {
    if (typeof json === "string") {
      try {
        json = JSON.parse(json) as Json;
      } catch (e) {
        fail(`not valid JSON (${(e as Error).message})`);
      }
    }
    return new Tokenizer(json as Json);
  }

  static fromFile(path: string): Tokenizer {
    return Tokenizer.fromJSON(fs.readFileSync(path, "utf8"));
  }

  /** One more than the largest id (model vocabulary and added tokens). */
  get vocabSize(): number {
    return this.idToTok.length;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTok[id];
  }

  /** Splits text into [segment, addedToken | null] around added tokens (honouring lstrip/rstrip/single_word). */
  private splitAdded(text: string): [string, AddedToken | null][] {
    if (!this.addedRe) return [[text, null]];
    const out: [string, AddedToken | null][] = [];
    let last = 0;
    const re = this.addedRe;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const tok = this.addedByContent.get(m[0])!;
      let start = m.index, end = m.index + m[0].length;
      if (tok.single_word) {
        const before = text[start - 1], after = text[end];
        const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
        if (isWord(before) || isWord(after)) continue;
      }
      if (tok.lstrip) while (start > last && /\s/u.test(text[start - 1])) start--;
      if (tok.rstrip) while (end < text.length && /\s/u.test(text[end])) end++;
      if (start > last) out.push([text.slice(last, start), null]);
      out.push([m[0], tok]);
      last = end;
      re.lastIndex = end;
    }
    if (last < text.length) out.push([text.slice(last), null]);
    return out;
  }

  /** The model's pieces of a text (after added-token splitting, normalisation and pre-tokenisation), with their ids. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    if (typeof text !== "string") throw new TypeError(`recforge: Tokenizer.encode: text must be a string, got ${typeof text}`);
    const ids: number[] = [];
    let first = true;
    for (const [seg, tok] of this.splitAdded(text)) {
      if (tok) {
        ids.push(tok.id);
      } else {
        const pieces = this.preTokenizer([this.normalizer(seg)], first);
        for (const p of pieces) for (const id of this.model.tokenize(p)) ids.push(id);
      }
      first = false;
    }
    return opts.addSpecialTokens !== false && this.postProcessor ? this.postProcessor(ids) : ids;
  }

  /** Token strings of encode(text). */
  tokenize(text: string, opts: EncodeOptions = {}): string[] {
    return this.encode(text, opts).map((id) => this.idToTok[id]);
  }

  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const toks: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const t = this.idToTok[id];
      if (t === undefined) throw new RangeError(`recforge: Tokenizer.decode: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      if (opts.skipSpecialTokens && this.specialIds.has(id)) continue;
      toks.push(t);
    }
    return this.decoder ? this.decoder(toks).join("") : toks.join(" ");
  }

  /** The tokenizer.json object this tokenizer was built from. */
  toJSON(): Json {
    return this.json;
  }

  save(path: string): void {
    fs.writeFileSync(path, JSON.stringify(this.json, null, 2) + "\n");
  }
}

/** Reads a Hugging Face tokenizer.json file. */
export function loadTokenizer(path: string): Tokenizer {
  return Tokenizer.fromFile(path);
}
