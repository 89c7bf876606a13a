// Amazon product reviews (McAuley et al.), one JSON object per line, gzipped or plain: the review
// reader shared by the methods that learn from review text (GREENer; CompExp will reuse it).
//
// Both releases are read into one record type:
//  - 2014 (jmcauley.ucsd.edu/data/amazon): reviewerID, asin, reviewerName, helpful: [up, total],
//    reviewText, overall, summary, unixReviewTime, reviewTime ("02 28, 2014");
//  - 2018 (nijianmo.github.io/amazon): overall, verified, reviewTime, reviewerID, asin,
//    reviewerName, reviewText (may be missing), summary, unixReviewTime, and optionally
//    vote ("2", "1,234": a string with thousands separators), style ({"Format:": " Hardcover"}),
//    image (list of URLs).
// Required: reviewerID, asin, overall, and a time (unixReviewTime, else reviewTime). A line
// missing one is an error naming the line (or skipped and counted with onInvalid: "skip").
// The files are read as a stream (zlib for gzip, detected by its magic bytes, not the name).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import readline from "node:readline";
import { dataRoot } from "./paths.js";

export interface AmazonReview {
  userId: string;
  itemId: string;
  /** star rating 1..5 ("overall") */
  rating: number;
  /** seconds since the epoch (day resolution in these files) */
  time: number;
  /** review body; "" when the file has none */
  text: string;
  summary?: string;
  reviewerName?: string;
  /** 2014 "helpful"[0], 2018 "vote" */
  helpfulVotes?: number;
  /** 2014 "helpful"[1] (2018 has no total) */
  totalVotes?: number;
  /** 2018 only */
  verified?: boolean;
  /** 2018 only, keys without the trailing ":" and values trimmed ({Format: "Hardcover"}) */
  style?: Record<string, string>;
  /** 2018 only */
  images?: string[];
}

export interface LoadStats {
  lines: number;
  reviews: number;
  skipped: number;
  /** which field-name generation the lines looked like */
  generations: { "2014": number; "2018": number; unknown: number };
  gzip: boolean;
}

export interface LoadOptions {
  /** "throw" (default): a bad line is an error; "skip": count it in stats.skipped */
  onInvalid?: "throw" | "skip";
}

/** The Musical Instruments 5-core file of the shared data folder. */
export function musicalInstrumentsPath(): string {
  return path.join(dataRoot(), "amazon-musical-instruments-5core", "reviews_Musical_Instruments_5.json.gz");
}

/** True when the first two bytes are the gzip magic number. */
export function isGzipFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    const n = fs.readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads every review of a JSON-lines file (gzipped or plain). */
export async function loadAmazonReviews(file: string, opts: LoadOptions = {}): Promise<{ reviews: AmazonReview[]; stats: LoadStats }> {
  const onInvalid = opts.onInvalid ?? "throw";
  if (!fs.existsSync(file)) throw new Error(`Amazon reviews file not found: ${file} (set RECFORGE_DATA to the shared data folder)`);
  const gzip = isGzipFile(file);
  const raw = fs.createReadStream(file);
  const input = gzip ? raw.pipe(zlib.createGunzip()) : raw;
  const stats: LoadStats = { lines: 0, reviews: 0, skipped: 0, generations: { "2014": 0, "2018": 0, unknown: 0 }, gzip };
  const reviews: AmazonReview[] = [];
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (line.trim() === "") continue;
      stats.lines++;
      let r: AmazonReview;
      try {
        r = parseReviewLine(line, stats.generations);
      } catch (e) {
        if (onInvalid === "skip") { stats.skipped++; continue; }
        throw new Error(`${file}:${lineNo}: ${(e as Error).message}`);
      }
      reviews.push(r);
    }
  } finally {
    rl.close();
    raw.destroy();
  }
  stats.reviews = reviews.length;
  return { reviews, stats };
}

/** Parses one line of either generation (exported for tests and streaming callers). */
export function parseReviewLine(line: string, generations?: LoadStats["generations"]): AmazonReview {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line);
  } catch {
    throw new Error("not a JSON object (the 2014 'loose' files are Python literals: use the strict JSON files)");
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Error("not a JSON object");
  const userId = o.reviewerID, itemId = o.asin;
  if (typeof userId !== "string" || userId === "") throw new Error("missing reviewerID");
  if (typeof itemId !== "string" || itemId === "") throw new Error("missing asin");
  const rating = typeof o.overall === "string" ? Number(o.overall) : o.overall;
  if (typeof rating !== "number" || !Number.isFinite(rating)) throw new Error(`missing or invalid overall: ${JSON.stringify(o.overall)}`);
  let time = typeof o.unixReviewTime === "string" ? Number(o.unixReviewTime) : o.unixReviewTime;
  if ((typeof time !== "number" || !Number.isFinite(time)) && typeof o.reviewTime === "string") time = parseReviewTime(o.reviewTime);
  if (typeof time !== "number" || !Number.isFinite(time)) throw new Error("missing unixReviewTime and reviewTime");
  const r: AmazonReview = { userId, itemId, rating, time, text: typeof o.reviewText === "string" ? o.reviewText : "" };
  if (typeof o.summary === "string") r.summary = o.summary;
  if (typeof o.reviewerName === "string") r.reviewerName = o.reviewerName;
  let gen: "2014" | "2018" | "unknown" = "unknown";
  if (Array.isArray(o.helpful) && o.helpful.length === 2) {
    gen = "2014";
    const [up, total] = o.helpful.map(Number);
    if (Number.isFinite(up)) r.helpfulVotes = up;
    if (Number.isFinite(total)) r.totalVotes = total;
  }
  if ("vote" in o || "verified" in o || "style" in o || "image" in o) gen = "2018";
  if (o.vote !== undefined) {
    const v = Number(String(o.vote).replace(/,/g, ""));
    if (Number.isFinite(v)) r.helpfulVotes = v;
  }
  if (typeof o.verified === "boolean") r.verified = o.verified;
  if (o.style && typeof o.style === "object" && !Array.isArray(o.style)) {
    const style: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.style as Record<string, unknown>)) style[k.replace(/:\s*$/, "").trim()] = String(v).trim();
    r.style = style;
  }
  if (Array.isArray(o.image)) r.images = o.image.filter((x): x is string => typeof x === "string");
  if (generations) generations[gen]++;
  return r;
}

/** "MM DD, YYYY" (the files' reviewTime) → seconds since the epoch, UTC midnight. */
export function parseReviewTime(s: string): number {
  const m = /^\s*(\d{1,2})\s+(\d{1,2}),\s*(\d{4})\s*$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) / 1000;
}

export type Split = "train" | "validation" | "test";

/**
 * Per-user time split. Each user's reviews are ordered by (time, itemId, position in the
 * input) — time has day resolution, so same-day reviews need a tie-break that does not
 * depend on file order first. Then: the last review → test, the second last → validation,
 * the rest → train. Users with 2 reviews give train + test; users with 1 review give train
 * only (a held-out review needs some history to explain it from).
 * Returns one split per input review, in input order.
 */
export function splitByUserTime(reviews: readonly Pick<AmazonReview, "userId" | "itemId" | "time">[]): Split[] {
  const byUser = new Map<string, number[]>();
  reviews.forEach((r, i) => {
    let l = byUser.get(r.userId);
    if (!l) byUser.set(r.userId, (l = []));
    l.push(i);
  });
  const out: Split[] = new Array(reviews.length).fill("train");
  for (const idx of byUser.values()) {
    idx.sort((a, b) => reviews[a].time - reviews[b].time || cmp(reviews[a].itemId, reviews[b].itemId) || a - b);
    const n = idx.length;
    if (n >= 2) out[idx[n - 1]] = "test";
    if (n >= 3) out[idx[n - 2]] = "validation";
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
