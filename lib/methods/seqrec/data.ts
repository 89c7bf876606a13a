// Next-item recommendation data, shared by GatedLongRec, GRU4Rec, SASRec and CTA
// (shared/reference/gatedlongrec.md "Data", cta.md "Data"): each user's actions (item,
// category, time) in time order, ids remapped densely with 0 = padding, and a split of the
// TARGET positions. History is never split: a target at position t sees every earlier action
// of its user, whatever split those belong to.
//
// Sources:
//   - MovieLens-1M (loadMovielensSeq): ratings `UserID::MovieID::Rating::Timestamp` (every
//     rating is an action), movies.dat `MovieID::Title::Genres` (Latin-1). Category: the whole
//     genre string ("Animation|Children's|Comedy", the spec's choice) or the first genre.
//   - any `user,item,timestamp[,category]` CSV/TSV with a header (loadSeqCsv).
// Order within a user: (timestamp, line number) — ML-1M rates in bursts (53% of consecutive
// gaps are 0 s), so same-second order is the file's.
//
// Splits (targets are positions t >= minHistory, 5 by default: the first 5 actions are history):
//   "time" (GatedLongRec's code): T_v, T_t = the validQuantile / testQuantile (0.8 / 0.9)
//     quantiles of ALL timestamps; a target with time <= T_v trains, T_v < time <= T_t
//     validates, later tests. Quantile: linear interpolation between the sorted timestamps
//     at q·(n − 1) (numpy's default); on ml-1m T_v = 976,862,649 and T_t = 980,998,147.8,
//     the spec's 980,998,148 rounded (no timestamp lies between them, so the split is the same).
//     Items first seen after T_v stay in the vocabulary (they rank, and count as misses).
//   "user" (CTA's protocol): users shuffled with a seed and cut 80/10/10; every target of a
//     user belongs to that user's part. (CTA's "<unk> for items of non-training users" is
//     applied on top by vocab.ts, restrictToTrainingVocabulary.)
import fs from "node:fs";
import path from "node:path";
import { dataRoot } from "../../data/paths.js";
import { mulberry32 } from "../../prng.js";

/** One parsed action before id remapping; `line` (1-based) orders ties and names errors. */
export interface RawAction {
  user: string;
  item: string;
  time: number;
  line: number;
}

export type SeqSplitName = "train" | "valid" | "test";

export type SeqSplitOptions =
  | { kind: "time"; validQuantile?: number; testQuantile?: number }
  | { kind: "user"; fractions?: [number, number, number]; seed?: number };

export interface SeqBuildOptions {
  /** How targets are split (default { kind: "time", validQuantile: 0.8, testQuantile: 0.9 }). */
  split?: SeqSplitOptions;
  /** Targets need at least this many earlier actions of their user (default 5). */
  minHistory?: number;
  /**
   * Progress of the (seconds-long) loading: `stage` "reading" counts lines read, "building" its
   * four steps (checks, ids, time order, split). Called synchronously; the CLI draws a bar.
   */
  onProgress?: (stage: "reading" | "building", done: number, total: number) => void;
}

/** Lines read between two progress reports of the readers. */
const READ_REPORT = 50_000;

/**
 * Users' time-ordered actions with dense ids (0 = padding for items and categories), in CSR
 * form: user u's actions are positions offsets[u] .. offsets[u + 1] − 1 of items / categories /
 * times. `position` below always means such a flat index.
 */
export interface SeqDataset {
  name: string;
  /** Item ids are 1 .. numItems − 1 (0 is padding); itemNames[id] is the source id ("" for 0). */
  numItems: number;
  itemNames: string[];
  /** Category ids are 1 .. numCategories − 1 (0 is padding); categoryNames[0] = "". */
  numCategories: number;
  categoryNames: string[];
  /** Category of every item id (0 for the padding item). */
  itemCategory: Int32Array;
  /** Source user ids, in the order of first appearance in the file. */
  userNames: string[];
  offsets: Int32Array;
  items: Int32Array;
  categories: Int32Array;
  /** Timestamps as given (seconds for ml-1m). */
  times: Float64Array;
  /** User of every position. */
  userOf: Int32Array;
  minHistory: number;
  split: SeqSplitInfo;
  /** CTA's protocol (vocab.ts): the id standing for items outside the training users' vocabulary; a miss as a target. */
  unkItem?: number;
}

export interface SeqSplitInfo {
  kind: "time" | "user";
  /** "time": T_v and T_t; null for "user". */
  tValid: number | null;
  tTest: number | null;
  /** Target positions (t >= minHistory within their user), ascending. */
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

export interface SeqStats {
  users: number;
  items: number; // without padding
  categories: number; // without padding
  actions: number;
  tValid: number | null;
  tTest: number | null;
  /** Actions (and their users) with time > T_v and > T_t (time split only). */
  afterValid: { actions: number; users: number } | null;
  afterTest: { actions: number; users: number } | null;
  targets: { train: number; valid: number; test: number };
  /** Over all targets: share whose category occurs earlier in the user's history / within the last `window` actions. */
  categorySeenBefore: number;
  categoryInWindow: number;
  window: number;
}

// ---- building from parsed actions ------------------------------------------------------------

function compareIds(a: string, b: string): number {
  const na = Number(a), nb = Number(b);
  const numeric = a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb);
  if (numeric && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `q` quantile of ascending values, linear between the order statistics at q·(n − 1) (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("recforge: quantile of no values");
  const x = q * (sorted.length - 1), lo = Math.floor(x), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (x - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Builds a SeqDataset: `categoryOf` gives each source item's category name (every item of
 * `actions` must have one). Users keep their order of first appearance; items and categories
 * get ids 1.. in the order of their source ids (numeric when both are numbers).
 */
export function buildSeqDataset(name: string, actions: RawAction[], categoryOf: Map<string, string>, opts: SeqBuildOptions = {},
  where = name): SeqDataset {
  const minHistory = opts.minHistory ?? 5;
  if (!Number.isInteger(minHistory) || minHistory < 1) throw new RangeError(`recforge: seqrec data: minHistory must be an integer >= 1, got ${String(minHistory)}`);
  if (actions.length === 0) throw new RangeError(`recforge: ${where}: no actions`);
  const report = (done: number) => opts.onProgress?.("building", done, 4);
  report(0);
  for (const a of actions)
    if (typeof a.time !== "number" || !Number.isFinite(a.time))
      throw new RangeError(`recforge: ${where}:${a.line}: user ${JSON.stringify(a.user)}, item ${JSON.stringify(a.item)}: timestamp ${String(a.time)} is missing or not a finite number`);

  const itemNames = ["", ...[...new Set(actions.map((a) => a.item))].sort(compareIds)];
  const itemId = new Map(itemNames.map((n, i) => [n, i]));
  for (const a of actions)
    if (!categoryOf.has(a.item)) throw new RangeError(`recforge: ${where}:${a.line}: item ${JSON.stringify(a.item)} has no category`);
  const categoryNames = ["", ...[...new Set(itemNames.slice(1).map((i) => categoryOf.get(i)!))].sort()];
  const catId = new Map(categoryNames.map((n, i) => [n, i]));
  const itemCategory = new Int32Array(itemNames.length);
  for (let i = 1; i < itemNames.length; i++) itemCategory[i] = catId.get(categoryOf.get(itemNames[i])!)!;

  report(1);
  const userIx = new Map<string, number>();
  const userNames: string[] = [];
  for (const a of actions)
    if (!userIx.has(a.user)) {
      userIx.set(a.user, userNames.length);
      userNames.push(a.user);
    }
  const order = actions.map((_, i) => i);
  order.sort((x, y) => {
    const a = actions[x], b = actions[y];
    return userIx.get(a.user)! - userIx.get(b.user)! || a.time - b.time || a.line - b.line;
  });
  report(2);
  const n = actions.length, U = userNames.length;
  const offsets = new Int32Array(U + 1);
  const items = new Int32Array(n), categories = new Int32Array(n), userOf = new Int32Array(n);
  const times = new Float64Array(n);
  order.forEach((src, p) => {
    const a = actions[src];
    const u = userIx.get(a.user)!;
    userOf[p] = u;
    offsets[u + 1] = p + 1;
    items[p] = itemId.get(a.item)!;
    categories[p] = itemCategory[items[p]];
    times[p] = a.time;
  });
  const ds: SeqDataset = {
    name, numItems: itemNames.length, itemNames, numCategories: categoryNames.length, categoryNames, itemCategory,
    userNames, offsets, items, categories, times, userOf, minHistory,
    split: { kind: "time", tValid: null, tTest: null, train: new Int32Array(0), valid: new Int32Array(0), test: new Int32Array(0) },
  };
  report(3);
  ds.split = splitTargets(ds, opts.split ?? { kind: "time" });
  report(4);
  return ds;
}

/** Target positions of each part for a split (see the file header). */
export function splitTargets(ds: SeqDataset, split: SeqSplitOptions): SeqSplitInfo {
  const parts: number[][] = [[], [], []];
  const U = ds.userNames.length;
  if (split.kind === "time") {
    const qv = split.validQuantile ?? 0.8, qt = split.testQuantile ?? 0.9;
    if (!(qv > 0 && qv <= qt && qt < 1)) throw new RangeError(`recforge: seqrec split: need 0 < validQuantile <= testQuantile < 1, got ${qv}, ${qt}`);
    const sorted = Float64Array.from(ds.times).sort();
    const tValid = quantile(sorted, qv), tTest = quantile(sorted, qt);
    for (let u = 0; u < U; u++)
      for (let p = ds.offsets[u] + ds.minHistory; p < ds.offsets[u + 1]; p++) {
        const t = ds.times[p];
        parts[t <= tValid ? 0 : t <= tTest ? 1 : 2].push(p);
      }
    return { kind: "time", tValid, tTest, train: Int32Array.from(parts[0]), valid: Int32Array.from(parts[1]), test: Int32Array.from(parts[2]) };
  }
  if (split.kind === "user") {
    const f = split.fractions ?? [0.8, 0.1, 0.1];
    if (f.length !== 3 || f.some((x) => !(x >= 0)) || Math.abs(f[0] + f[1] + f[2] - 1) > 1e-9)
      throw new RangeError(`recforge: seqrec split: user fractions must be 3 numbers >= 0 summing to 1, got ${JSON.stringify(f)}`);
    const r = mulberry32(split.seed ?? 0);
    const perm = Array.from({ length: U }, (_, i) => i);
    for (let i = U - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const nTrain = Math.round(f[0] * U), nValid = Math.round(f[1] * U);
    const partOf = new Int32Array(U);
    perm.forEach((u, k) => (partOf[u] = k < nTrain ? 0 : k < nTrain + nValid ? 1 : 2));
    for (let u = 0; u < U; u++)
      for (let p = ds.offsets[u] + ds.minHistory; p < ds.offsets[u + 1]; p++) parts[partOf[u]].push(p);
    return { kind: "user", tValid: null, tTest: null, train: Int32Array.from(parts[0]), valid: Int32Array.from(parts[1]), test: Int32Array.from(parts[2]) };
  }
  throw new TypeError(`recforge: seqrec split: kind must be "time" or "user", got ${JSON.stringify((split as { kind?: unknown }).kind)}`);
}

/** Split sizes and the category statistics the spec quotes (for checking a loaded data set). */
export function seqStats(ds: SeqDataset, window = 30): SeqStats {
  const n = ds.items.length;
  const after = (T: number | null) => {
    if (T === null) return null;
    const users = new Set<number>();
    let actions = 0;
    for (let p = 0; p < n; p++)
      if (ds.times[p] > T) {
        actions++;
        users.add(ds.userOf[p]);
      }
    return { actions, users: users.size };
  };
  let targets = 0, seen = 0, inWindow = 0;
  const lastPos = new Int32Array(ds.numCategories);
  for (let u = 0; u < ds.userNames.length; u++) {
    lastPos.fill(-1);
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) {
      const c = ds.categories[p];
      if (p - ds.offsets[u] >= ds.minHistory) {
        targets++;
        if (lastPos[c] >= 0) {
          seen++;
          if (p - lastPos[c] <= window) inWindow++;
        }
      }
      lastPos[c] = p;
    }
  }
  return {
    users: ds.userNames.length, items: ds.numItems - 1, categories: ds.numCategories - 1, actions: n,
    tValid: ds.split.tValid, tTest: ds.split.tTest, afterValid: after(ds.split.tValid), afterTest: after(ds.split.tTest),
    targets: { train: ds.split.train.length, valid: ds.split.valid.length, test: ds.split.test.length },
    categorySeenBefore: targets ? seen / targets : NaN, categoryInWindow: targets ? inWindow / targets : NaN, window,
  };
}

// ---- MovieLens-1M --------------------------------------------------------------------------------

export type MovielensCategory = "genres" | "first-genre";

export interface MovielensSeqOptions extends SeqBuildOptions {
  /** Folder with movies.dat and a ratings file (default $RECFORGE_DATA/ml-1m). */
  dir?: string;
  /** "genres" (default): the whole genre string; "first-genre": its first genre. */
  category?: MovielensCategory;
}

/** $RECFORGE_DATA/ml-1m (default <repo>/../shared/data/ml-1m). */
export function movielensSeqDir(): string {
  return path.join(dataRoot(), "ml-1m");
}

/** ratings.dat, else the first ratings.partial*.dat of `dir`; null when neither exists. */
export function movielensRatingsFile(dir: string): string | null {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  if (fs.existsSync(path.join(dir, "ratings.dat"))) return path.join(dir, "ratings.dat");
  const partial = fs.readdirSync(dir).filter((f) => /^ratings\.partial.*\.dat$/.test(f)).sort();
  return partial.length ? path.join(dir, partial[0]) : null;
}

function lines(file: string, encoding: BufferEncoding): string[] {
  const out = fs.readFileSync(file, encoding).split("\n");
  if (out.length && out[out.length - 1] === "") out.pop();
  return out.map((l) => l.replace(/\r$/, ""));
}

/** Parses movies.dat: MovieID -> category (whole genre string or first genre). */
export function parseMoviesDat(file: string, category: MovielensCategory = "genres"): Map<string, string> {
  if (category !== "genres" && category !== "first-genre") throw new TypeError(`recforge: MovieLens: category must be "genres" or "first-genre", got ${JSON.stringify(category)}`);
  const out = new Map<string, string>();
  lines(file, "latin1").forEach((line, i) => {
    if (!line.trim()) return;
    const f = line.split("::");
    if (f.length !== 3 || !/^\d+$/.test(f[0])) throw new RangeError(`recforge: ${file}:${i + 1}: expected MovieID::Title::Genres, got ${JSON.stringify(line.slice(0, 80))}`);
    const g = f[2].trim();
    if (!g) throw new RangeError(`recforge: ${file}:${i + 1}: movie ${f[0]} has no genre (its category)`);
    if (out.has(f[0])) throw new RangeError(`recforge: ${file}:${i + 1}: movie ${f[0]} is listed twice`);
    out.set(f[0], category === "genres" ? g : g.split("|")[0]);
  });
  return out;
}

/** Parses UserID::MovieID::Rating::Timestamp lines; every rating is an action. */
export function parseRatingsDat(file: string, onProgress?: SeqBuildOptions["onProgress"]): RawAction[] {
  const out: RawAction[] = [];
  const all = lines(file, "latin1");
  all.forEach((line, i) => {
    if ((i + 1) % READ_REPORT === 0) onProgress?.("reading", i + 1, all.length);
    if (!line.trim()) return;
    const f = line.split("::");
    const time = Number(f[3]);
    if (f.length !== 4 || !/^\d+$/.test(f[0]) || !/^\d+$/.test(f[1]))
      throw new RangeError(`recforge: ${file}:${i + 1}: expected UserID::MovieID::Rating::Timestamp, got ${JSON.stringify(line.slice(0, 80))}`);
    if (f[3].trim() === "" || !Number.isFinite(time)) throw new RangeError(`recforge: ${file}:${i + 1}: timestamp ${JSON.stringify(f[3])} is not a number`);
    out.push({ user: f[0], item: f[1], time, line: i + 1 });
  });
  onProgress?.("reading", all.length, all.length);
  return out;
}

/** MovieLens-1M as next-item data (see the file header). */
export function loadMovielensSeq(opts: MovielensSeqOptions = {}): SeqDataset {
  const dir = opts.dir ?? movielensSeqDir();
  const movies = path.join(dir, "movies.dat");
  const ratings = movielensRatingsFile(dir);
  if (!fs.existsSync(movies) || !ratings)
    throw new Error(`recforge: MovieLens-1M not found in ${dir} (needs movies.dat and ratings.dat or ratings.partial*.dat; set RECFORGE_DATA to the folder holding ml-1m/)`);
  const cat = parseMoviesDat(movies, opts.category ?? "genres");
  const name = `ml-1m (${path.basename(ratings)}, category ${opts.category ?? "genres"})`;
  return buildSeqDataset(name, parseRatingsDat(ratings, opts.onProgress), cat, opts, ratings);
}

// ---- generic user,item,timestamp[,category] files ---------------------------------------------------

export interface SeqCsvOptions extends SeqBuildOptions {
  /** Field separator (default: tab for .tsv files or when the header holds a tab, else comma). */
  delimiter?: string;
  /** Category for every item when the file has no category column (default: an error if absent). */
  defaultCategory?: string;
}

const CSV_COLUMNS = ["user", "item", "timestamp", "category"] as const;

/**
 * Loads a delimited file whose FIRST LINE IS A HEADER naming the columns user, item,
 * timestamp and optionally category (any order, case-insensitive; no other columns). Fields are
 * split on the delimiter with no quoting. Timestamps must be numbers (any unit; the time split
 * compares them). An item must keep one category throughout. Errors name the file and line.
 */
export function loadSeqCsv(file: string, opts: SeqCsvOptions = {}): SeqDataset {
  const all = lines(file, "utf8");
  if (!all.length || !all[0].trim()) throw new RangeError(`recforge: ${file}:1: empty file (expected a header: user,item,timestamp[,category])`);
  const delim = opts.delimiter ?? (file.endsWith(".tsv") || all[0].includes("\t") ? "\t" : ",");
  const header = all[0].split(delim).map((h) => h.trim().toLowerCase());
  const col: Partial<Record<(typeof CSV_COLUMNS)[number], number>> = {};
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h))
      throw new RangeError(`recforge: ${file}:1: unknown column ${JSON.stringify(h)} (the header must name user, item, timestamp and optionally category)`);
    const k = h as (typeof CSV_COLUMNS)[number];
    if (col[k] !== undefined) throw new RangeError(`recforge: ${file}:1: column ${JSON.stringify(h)} appears twice`);
    col[k] = i;
  });
  for (const need of ["user", "item", "timestamp"] as const)
    if (col[need] === undefined) throw new RangeError(`recforge: ${file}:1: the header has no ${JSON.stringify(need)} column (got ${JSON.stringify(all[0])}; a header line is required)`);
  if (col.category === undefined && opts.defaultCategory === undefined)
    throw new RangeError(`recforge: ${file}:1: no "category" column (add one, or pass defaultCategory)`);
  const actions: RawAction[] = [];
  const categoryOf = new Map<string, string>();
  const categoryLine = new Map<string, number>();
  for (let i = 1; i < all.length; i++) {
    const line = all[i], ln = i + 1;
    if (i % READ_REPORT === 0) opts.onProgress?.("reading", i, all.length - 1);
    if (!line.trim()) continue;
    const f = line.split(delim).map((x) => x.trim());
    if (f.length !== header.length) throw new RangeError(`recforge: ${file}:${ln}: expected ${header.length} fields (${header.join(delim)}), got ${f.length}`);
    const user = f[col.user!], item = f[col.item!], ts = f[col.timestamp!];
    if (!user) throw new RangeError(`recforge: ${file}:${ln}: empty user`);
    if (!item) throw new RangeError(`recforge: ${file}:${ln}: empty item`);
    const time = Number(ts);
    if (ts === "" || !Number.isFinite(time)) throw new RangeError(`recforge: ${file}:${ln}: timestamp ${JSON.stringify(ts)} is not a number`);
    const c = col.category === undefined ? opts.defaultCategory! : f[col.category];
    if (!c) throw new RangeError(`recforge: ${file}:${ln}: item ${JSON.stringify(item)} has no category`);
    const prev = categoryOf.get(item);
    if (prev === undefined) {
      categoryOf.set(item, c);
      categoryLine.set(item, ln);
    } else if (prev !== c)
      throw new RangeError(`recforge: ${file}:${ln}: item ${JSON.stringify(item)} has category ${JSON.stringify(c)}, but ${JSON.stringify(prev)} on line ${categoryLine.get(item)}`);
    actions.push({ user, item, time, line: ln });
  }
  if (!actions.length) throw new RangeError(`recforge: ${file}: no actions after the header`);
  opts.onProgress?.("reading", all.length - 1, all.length - 1);
  return buildSeqDataset(path.basename(file), actions, categoryOf, opts, file);
}
