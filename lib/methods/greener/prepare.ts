// GREENer data preparation: reviews → sentences → attributes → candidate pools, cached on disk.
//
//  1. Load the reviews (lib/data/reviews.ts) and split each user's reviews by time
//     (last → test, second last → validation, rest → train).
//  2. Split every review into sentences; keep sentences with at least `minWords` word tokens.
//  3. Extract the attribute lexicon from the TRAINING sentences only (lib/text/attributes.ts),
//     then find the attributes of every sentence by token matching.
//  4. Profiles: a user's / item's attributes with counts, from their training sentences.
//  5. Candidate pool of each (user, item) pair (= each review, any split): the sentences of the
//     item's training reviews that mention at least one attribute — a pair's own review is
//     among them exactly when it is a training review — optionally plus the user's training
//     sentences that mention one of the item's attributes. Capped at `poolCap`: the pair's own
//     sentences first, then the most recent reviews' sentences (time descending, then id).
// The result is cached (lib/data/cache.ts) under a stamp of GREENER_DATA_VERSION, the tagger
// version, the options and the source file's SHA-256.
import path from "node:path";
import { loadAmazonReviews, splitByUserTime, type Split } from "../../data/reviews.js";
import { cacheFile, readCache, stampFor, writeCache } from "../../data/cache.js";
import { splitSentences, tokenize } from "../../text/tokenize.js";
import { extractAttributes, findAttributes, type AttributeLexicon, type AttributeOptions } from "../../text/attributes.js";
import { loadWinkTagger, winkVersion } from "../../text/pos.js";

/** Bump when the prepared data would change for the same input and options. */
export const GREENER_DATA_VERSION = "greener-data-1";

export interface GreenerPrepOptions {
  /** drop sentences with fewer word tokens (default 4) */
  minWords?: number;
  /** candidate pool cap per pair (default 500) */
  poolCap?: number;
  /** also take candidates from the user's training reviews (default false: item's only) */
  includeUserSentences?: boolean;
  attributes?: AttributeOptions;
}

const SPLIT_CODE: Record<Split, number> = { train: 0, validation: 1, test: 2 };
const SPLIT_NAME: Split[] = ["train", "validation", "test"];

/** Serializable form (what the cache stores). Ragged lists are CSR: offsets (length n+1) + values. */
export interface GreenerDataJson {
  users: string[];
  items: string[];
  review: { user: number[]; item: number[]; rating: number[]; time: number[]; split: number[] };
  /** sentences of review r: sentence ids reviewSentOffsets[r] .. reviewSentOffsets[r+1]−1 */
  reviewSentOffsets: number[];
  sentences: string[];
  sentAttrOffsets: number[];
  sentAttrIds: number[];
  attributes: AttributeLexicon;
  /** profiles: CSR of attribute ids with parallel counts */
  userAttrOffsets: number[];
  userAttrIds: number[];
  userAttrCounts: number[];
  itemAttrOffsets: number[];
  itemAttrIds: number[];
  itemAttrCounts: number[];
  /** candidate pool of review r (= its (user, item) pair): sentence ids */
  poolOffsets: number[];
  poolIds: number[];
}

/** Prepared data with typed accessors. */
export class GreenerData {
  readonly users: string[];
  readonly items: string[];
  readonly reviewUser: Int32Array;
  readonly reviewItem: Int32Array;
  readonly reviewRating: Float64Array;
  readonly reviewTime: Float64Array;
  readonly reviewSplit: Uint8Array;
  readonly sentences: string[];
  readonly attributes: AttributeLexicon;
  private readonly rs: Int32Array;
  private readonly sao: Int32Array;
  private readonly sai: Int32Array;
  private readonly po: Int32Array;
  private readonly pi: Int32Array;
  private readonly uao: Int32Array;
  private readonly uai: Int32Array;
  private readonly uac: Int32Array;
  private readonly iao: Int32Array;
  private readonly iai: Int32Array;
  private readonly iac: Int32Array;
  private readonly tokenCache: (string[] | undefined)[];
  readonly sentenceReview: Int32Array;

  constructor(readonly json: GreenerDataJson) {
    this.users = json.users;
    this.items = json.items;
    this.reviewUser = Int32Array.from(json.review.user);
    this.reviewItem = Int32Array.from(json.review.item);
    this.reviewRating = Float64Array.from(json.review.rating);
    this.reviewTime = Float64Array.from(json.review.time);
    this.reviewSplit = Uint8Array.from(json.review.split);
    this.sentences = json.sentences;
    this.attributes = json.attributes;
    this.rs = Int32Array.from(json.reviewSentOffsets);
    this.sao = Int32Array.from(json.sentAttrOffsets);
    this.sai = Int32Array.from(json.sentAttrIds);
    this.po = Int32Array.from(json.poolOffsets);
    this.pi = Int32Array.from(json.poolIds);
    this.uao = Int32Array.from(json.userAttrOffsets);
    this.uai = Int32Array.from(json.userAttrIds);
    this.uac = Int32Array.from(json.userAttrCounts);
    this.iao = Int32Array.from(json.itemAttrOffsets);
    this.iai = Int32Array.from(json.itemAttrIds);
    this.iac = Int32Array.from(json.itemAttrCounts);
    this.tokenCache = new Array(this.sentences.length);
    this.sentenceReview = new Int32Array(this.sentences.length);
    for (let r = 0; r + 1 < this.rs.length; r++) this.sentenceReview.fill(r, this.rs[r], this.rs[r + 1]);
  }

  get numReviews(): number {
    return this.reviewUser.length;
  }

  split(r: number): Split {
    return SPLIT_NAME[this.reviewSplit[r]];
  }

  /** Review indices of one split (each is one (user, item) pair). */
  reviewsOf(split: Split): number[] {
    const code = SPLIT_CODE[split], out: number[] = [];
    for (let r = 0; r < this.reviewSplit.length; r++) if (this.reviewSplit[r] === code) out.push(r);
    return out;
  }

  /** Sentence ids of review r (the ground truth when r is held out). */
  sentencesOf(r: number): number[] {
    const out: number[] = [];
    for (let s = this.rs[r]; s < this.rs[r + 1]; s++) out.push(s);
    return out;
  }

  /** Candidate sentence ids of review r's (user, item) pair. */
  pool(r: number): Int32Array {
    return this.pi.subarray(this.po[r], this.po[r + 1]);
  }

  /** Attribute ids mentioned in sentence s. */
  sentenceAttributes(s: number): Int32Array {
    return this.sai.subarray(this.sao[s], this.sao[s + 1]);
  }

  /** Word tokens of sentence s (memoised). */
  tokens(s: number): string[] {
    return (this.tokenCache[s] ??= tokenize(this.sentences[s]));
  }

  /** The user's training attributes: ids and counts. */
  userProfile(u: number): { ids: Int32Array; counts: Int32Array } {
    return { ids: this.uai.subarray(this.uao[u], this.uao[u + 1]), counts: this.uac.subarray(this.uao[u], this.uao[u + 1]) };
  }

  /** The item's training attributes: ids and counts. */
  itemProfile(i: number): { ids: Int32Array; counts: Int32Array } {
    return { ids: this.iai.subarray(this.iao[i], this.iao[i + 1]), counts: this.iac.subarray(this.iao[i], this.iao[i + 1]) };
  }

  /** Training sentence ids of a user / an item (for profiles). */
  trainingSentences(of: "user" | "item", id: number): number[] {
    const col = of === "user" ? this.reviewUser : this.reviewItem, out: number[] = [];
    for (let r = 0; r < col.length; r++) if (col[r] === id && this.reviewSplit[r] === 0) for (let s = this.rs[r]; s < this.rs[r + 1]; s++) out.push(s);
    return out;
  }
}

export interface PrepareResult {
  data: GreenerData;
  fromCache: boolean;
  cachePath: string | null;
  ms: number;
}

/** Prepares (or loads from the cache) GREENer data for one review file. */
export async function prepareGreenerData(
  file: string,
  opts: GreenerPrepOptions = {},
  run: { cache?: boolean; log?: (msg: string) => void } = {},
): Promise<PrepareResult> {
  const t0 = performance.now();
  const options = { minWords: opts.minWords ?? 4, poolCap: opts.poolCap ?? 500, includeUserSentences: opts.includeUserSentences ?? false, attributes: opts.attributes ?? {} };
  const useCache = run.cache ?? true;
  const log = run.log ?? (() => {});
  const stamp = stampFor(`${GREENER_DATA_VERSION}+${await winkVersion()}`, file, options);
  const cachePath = useCache ? cacheFile(`greener-${path.basename(file).replace(/\.json(\.gz)?$/, "")}`, stamp) : null;
  if (cachePath) {
    const hit = readCache<GreenerDataJson>(cachePath, stamp);
    if (hit) return { data: new GreenerData(hit), fromCache: true, cachePath, ms: performance.now() - t0 };
  }
  log(`greener: preparing ${file} (no valid cache entry)`);
  const json = await buildGreenerData(file, options);
  if (cachePath) writeCache(cachePath, stamp, json);
  return { data: new GreenerData(json), fromCache: false, cachePath, ms: performance.now() - t0 };
}

/** The preparation itself, without the cache. */
export async function buildGreenerData(file: string, options: Required<Omit<GreenerPrepOptions, "attributes">> & { attributes: AttributeOptions }): Promise<GreenerDataJson> {
  const { reviews } = await loadAmazonReviews(file);
  const splits = splitByUserTime(reviews);
  const userIndex = new Map<string, number>(), itemIndex = new Map<string, number>();
  const idOf = (m: Map<string, number>, k: string) => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = m.size));
    return v;
  };
  const R = reviews.length;
  const review = { user: new Array<number>(R), item: new Array<number>(R), rating: new Array<number>(R), time: new Array<number>(R), split: new Array<number>(R) };
  const sentences: string[] = [];
  const reviewSentOffsets = [0];
  for (let r = 0; r < R; r++) {
    const rv = reviews[r];
    review.user[r] = idOf(userIndex, rv.userId);
    review.item[r] = idOf(itemIndex, rv.itemId);
    review.rating[r] = rv.rating;
    review.time[r] = rv.time;
    review.split[r] = SPLIT_CODE[splits[r]];
    for (const s of splitSentences(rv.text)) if (tokenize(s).length >= options.minWords) sentences.push(s);
    reviewSentOffsets.push(sentences.length);
  }
  // Attributes from training sentences only.
  const trainSentences: string[] = [];
  for (let r = 0; r < R; r++) if (review.split[r] === 0) for (let s = reviewSentOffsets[r]; s < reviewSentOffsets[r + 1]; s++) trainSentences.push(sentences[s]);
  const tagger = await loadWinkTagger();
  const attributes = extractAttributes(trainSentences, tagger, options.attributes);
  const sentAttr: number[][] = sentences.map((s) => findAttributes(attributes, tokenize(s)));
  const sentAttrOffsets = [0], sentAttrIds: number[] = [];
  for (const l of sentAttr) { sentAttrIds.push(...l); sentAttrOffsets.push(sentAttrIds.length); }

  // Profiles.
  const U = userIndex.size, I = itemIndex.size;
  const userCounts: Map<number, number>[] = Array.from({ length: U }, () => new Map());
  const itemCounts: Map<number, number>[] = Array.from({ length: I }, () => new Map());
  for (let r = 0; r < R; r++) {
    if (review.split[r] !== 0) continue;
    for (let s = reviewSentOffsets[r]; s < reviewSentOffsets[r + 1]; s++) {
      for (const a of sentAttr[s]) {
        userCounts[review.user[r]].set(a, (userCounts[review.user[r]].get(a) ?? 0) + 1);
        itemCounts[review.item[r]].set(a, (itemCounts[review.item[r]].get(a) ?? 0) + 1);
      }
    }
  }
  const toCsr = (ms: Map<number, number>[]) => {
    const offsets = [0], ids: number[] = [], counts: number[] = [];
    for (const m of ms) {
      // most frequent first, ties by id: a stable, meaningful order
      for (const [a, c] of [...m.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0])) { ids.push(a); counts.push(c); }
      offsets.push(ids.length);
    }
    return { offsets, ids, counts };
  };
  const up = toCsr(userCounts), ip = toCsr(itemCounts);

  // Candidate pools.
  const byItem: number[][] = Array.from({ length: I }, () => []);
  const byUser: number[][] = Array.from({ length: U }, () => []);
  for (let r = 0; r < R; r++) if (review.split[r] === 0) { byItem[review.item[r]].push(r); byUser[review.user[r]].push(r); }
  const recentFirst = (a: number, b: number) => review.time[b] - review.time[a] || a - b;
  for (const l of byItem) l.sort(recentFirst);
  for (const l of byUser) l.sort(recentFirst);
  const itemCandidates = byItem.map((rs) => rs.flatMap((r) => range(reviewSentOffsets[r], reviewSentOffsets[r + 1]).filter((s) => sentAttr[s].length > 0)));
  const poolOffsets = [0], poolIds: number[] = [];
  for (let r = 0; r < R; r++) {
    const item = review.item[r], user = review.user[r];
    const seen = new Set<number>();
    const pool: number[] = [];
    const add = (s: number) => { if (pool.length < options.poolCap && !seen.has(s)) { seen.add(s); pool.push(s); } };
    if (review.split[r] === 0) for (let s = reviewSentOffsets[r]; s < reviewSentOffsets[r + 1]; s++) if (sentAttr[s].length > 0) add(s);
    for (const s of itemCandidates[item]) add(s);
    if (options.includeUserSentences) {
      const itemAttrs = new Set(ip.ids.slice(ip.offsets[item], ip.offsets[item + 1]));
      for (const ur of byUser[user]) {
        if (review.item[ur] === item) continue;
        for (let s = reviewSentOffsets[ur]; s < reviewSentOffsets[ur + 1]; s++) if (sentAttr[s].some((a) => itemAttrs.has(a))) add(s);
      }
    }
    poolIds.push(...pool);
    poolOffsets.push(poolIds.length);
  }
  return {
    users: [...userIndex.keys()],
    items: [...itemIndex.keys()],
    review,
    reviewSentOffsets,
    sentences,
    sentAttrOffsets,
    sentAttrIds,
    attributes,
    userAttrOffsets: up.offsets, userAttrIds: up.ids, userAttrCounts: up.counts,
    itemAttrOffsets: ip.offsets, itemAttrIds: ip.ids, itemAttrCounts: ip.counts,
    poolOffsets,
    poolIds,
  };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}
