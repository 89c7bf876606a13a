// The global seed contract of data-parallel training: every rank builds the SAME global order
// of examples (same data, same seed, same epoch) and the same global batches, then keeps its own
// shard of each global batch. So a run on W ranks sees, step by step, exactly the global batches
// a single process would see, and with the gradients summed (or averaged over equal shards) it
// takes the same optimiser steps. The shard of a batch is a contiguous block: rank r of W keeps
// items [floor(r·n/W), floor((r+1)·n/W)) — sizes differ by at most one, and a rank may get none
// when n < W (it still calls DistributedDataParallel.synchronize()).

/** [start, end) of rank's block of n items over `size` ranks. */
export function shardRange(n: number, rank: number, size: number): [number, number] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`recforge.distributed: shardRange: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`recforge.distributed: shardRange: size must be an integer >= 1, got ${size}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new RangeError(`recforge.distributed: shardRange: rank must be in [0, ${size}), got ${rank}`);
  return [Math.floor((rank * n) / size), Math.floor(((rank + 1) * n) / size)];
}

/** Rank's contiguous block of a global batch (arrays and typed arrays). */
export function shardOf<T extends { slice(start: number, end: number): T; length: number }>(items: T, rank: number, size: number): T {
  const [s, e] = shardRange(items.length, rank, size);
  return items.slice(s, e);
}
