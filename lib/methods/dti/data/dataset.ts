// The CTR data every DTI loader produces: per user, a time-ordered list of (item, label)
// interactions, split per user by time (shared/reference/dti.md, "Experimental protocol"):
// the last 10% of each user's interactions (at least one) are test targets, the 10% before
// them validation, the rest training. A target's context is always the n interactions that
// precede it, whatever their split: the past is known at prediction time.

export interface UserHistory {
  /** The user's id in the source data. */
  user: string;
  /** Dense item index (into CtrDataset.itemText) of each interaction, in time order. */
  items: Int32Array;
  /** Label of each interaction (1 = positive, e.g. rating >= 4). */
  labels: Uint8Array;
  /** Timestamp of each interaction (non-decreasing). */
  times: Float64Array;
  /** Interactions [0, trainEnd) are training targets. */
  trainEnd: number;
  /** [trainEnd, valEnd) are validation targets, [valEnd, length) test targets. */
  valEnd: number;
}

export interface CtrDataset {
  name: string;
  /** Text of each item (dense index), e.g. title + genres. */
  itemText: string[];
  /** The item's id in the source data, by dense index. */
  itemKeys: string[];
  users: UserHistory[];
  /**
   * offsets[u] is the flat number of user u's first interaction; interaction j of user u is
   * target id offsets[u] + j (PackedBatch.targetIds). Length users.length + 1.
   */
  offsets: Int32Array;
}

export type Split = "train" | "val" | "test";

export interface RawInteraction {
  user: string;
  item: string;
  time: number;
  label: 0 | 1;
}

/** Test and validation sizes of a user with m interactions (10% each, test at least one). */
export function splitSizes(m: number): { test: number; val: number } {
  if (m <= 0) return { test: 0, val: 0 };
  const test = Math.min(m, Math.max(1, Math.round(0.1 * m)));
  const val = Math.min(m - test, Math.round(0.1 * m));
  return { test, val };
}

/**
 * Builds a dataset from raw interactions (any order) and an item-text table. Interactions
 * are grouped by user in order of first appearance and sorted by time; ties keep their input
 * order (MovieLens users often rate many films in the same second). Interactions with an item
 * missing from `itemText` throw: a prompt needs the item's text.
 */
export function buildDataset(name: string, itemText: Map<string, string>, interactions: Iterable<RawInteraction>): CtrDataset {
  const itemIndex = new Map<string, number>();
  const itemKeys: string[] = [];
  const texts: string[] = [];
  const byUser = new Map<string, { item: number; time: number; label: number; order: number }[]>();
  let order = 0;
  for (const r of interactions) {
    let ix = itemIndex.get(r.item);
    if (ix === undefined) {
      const text = itemText.get(r.item);
      if (text === undefined) throw new RangeError(`recforge: ${name}: item ${JSON.stringify(r.item)} (user ${JSON.stringify(r.user)}) has no text in the item table`);
      ix = itemKeys.length;
      itemIndex.set(r.item, ix);
      itemKeys.push(r.item);
      texts.push(text);
    }
    if (!Number.isFinite(r.time)) throw new RangeError(`recforge: ${name}: interaction of user ${JSON.stringify(r.user)} has a non-numeric time`);
    let list = byUser.get(r.user);
    if (!list) byUser.set(r.user, (list = []));
    list.push({ item: ix, time: r.time, label: r.label, order: order++ });
  }
  const users: UserHistory[] = [];
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.time - b.time || a.order - b.order);
    users.push(makeHistory(user, list.map((x) => x.item), list.map((x) => x.label), list.map((x) => x.time)));
  }
  return { name, itemText: texts, itemKeys, users, offsets: offsetsOf(users) };
}

function makeHistory(user: string, items: ArrayLike<number>, labels: ArrayLike<number>, times: ArrayLike<number>): UserHistory {
  const m = items.length;
  const { test, val } = splitSizes(m);
  return {
    user,
    items: Int32Array.from(items),
    labels: Uint8Array.from(labels),
    times: Float64Array.from(times),
    trainEnd: m - test - val,
    valEnd: m - test,
  };
}

export function offsetsOf(users: UserHistory[]): Int32Array {
  const off = new Int32Array(users.length + 1);
  for (let u = 0; u < users.length; u++) off[u + 1] = off[u] + users[u].items.length;
  if (off[users.length] !== users.reduce((s, h) => s + h.items.length, 0)) throw new RangeError("recforge: dataset too large for int32 target ids");
  return off;
}

export interface SubsetOptions {
  /** Keep the first maxUsers users (in dataset order). */
  maxUsers?: number;
  /**
   * Keep only each user's most recent maxPerUser interactions (the split is recomputed on
   * what is kept). Bounds the cost of heavy users.
   */
  maxPerUser?: number;
}

/** A documented subset of a dataset (same item table; splits recomputed per kept user). */
export function subsetDataset(ds: CtrDataset, opts: SubsetOptions): CtrDataset {
  const maxUsers = opts.maxUsers ?? ds.users.length;
  const maxPer = opts.maxPerUser ?? Infinity;
  if (!(maxUsers >= 0) || !(maxPer >= 1)) throw new RangeError(`recforge: subsetDataset: maxUsers must be >= 0 and maxPerUser >= 1, got ${maxUsers}, ${maxPer}`);
  const users = ds.users.slice(0, maxUsers).map((h) => {
    const m = h.items.length;
    const from = Math.max(0, m - maxPer);
    if (from === 0) return h;
    return makeHistory(h.user, h.items.subarray(from), h.labels.subarray(from), h.times.subarray(from));
  });
  const parts: string[] = [];
  if (opts.maxUsers !== undefined) parts.push(`${users.length} users`);
  if (opts.maxPerUser !== undefined) parts.push(`last ${maxPer} per user`);
  return { ...ds, name: parts.length ? `${ds.name} (${parts.join(", ")})` : ds.name, users, offsets: offsetsOf(users) };
}

/** Target positions [lo, hi) of one split in a user's history. */
export function splitRange(h: UserHistory, split: Split): [number, number] {
  if (split === "train") return [0, h.trainEnd];
  if (split === "val") return [h.trainEnd, h.valEnd];
  return [h.valEnd, h.items.length];
}

export interface DatasetStats {
  users: number;
  items: number;
  interactions: number;
  train: number;
  val: number;
  test: number;
  positiveRate: number;
}

export function datasetStats(ds: CtrDataset): DatasetStats {
  let train = 0, val = 0, test = 0, pos = 0, all = 0;
  for (const h of ds.users) {
    train += h.trainEnd;
    val += h.valEnd - h.trainEnd;
    test += h.items.length - h.valEnd;
    all += h.items.length;
    for (let i = 0; i < h.labels.length; i++) pos += h.labels[i];
  }
  return { users: ds.users.length, items: ds.itemText.length, interactions: all, train, val, test, positiveRate: all ? pos / all : NaN };
}
