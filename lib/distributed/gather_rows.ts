// All-gather of row blocks: rank r holds the rows [offset_r, offset_r + rows_r) of each of T
// matrices of the global batch; every rank gets the whole [B, d] matrices, in rank order.
// Built on the all-reduce: each rank writes its block into a zero buffer and the buffers are
// summed — exact, since every element is a single value plus zeros. Used where a method needs
// the global batch's per-row values (MultiBalance balances the global per-task gradients at the
// shared representation, as one process with the global batch would).
import { tidy, keep } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { tensor } from "../ops/internal.js";
import type { ProcessGroup } from "./process_group.js";

export interface GatheredRows {
  /** The global [B, ...] matrices, one per input (caller disposes). */
  global: Tensor[];
  /** This rank's first row in them, and its row count. */
  offset: number;
  rows: number;
  totalRows: number;
}

export function allGatherRows(pg: ProcessGroup, blocks: readonly Tensor[]): GatheredRows {
  if (!blocks.length) throw new RangeError("recforge.distributed: allGatherRows needs at least one tensor");
  const first = blocks[0];
  const rowShape = first.shape.slice(1);
  for (const b of blocks) {
    if (b.shape.length !== first.shape.length || b.shape.some((s, i) => s !== first.shape[i]) || b.dtype !== first.dtype)
      throw new RangeError(`recforge.distributed: allGatherRows: blocks must share shape and dtype, got [${b.shape}] ${b.dtype} and [${first.shape}] ${first.dtype}`);
  }
  const rows = first.shape[0] ?? 1;
  const counts = new Float64Array(pg.size);
  counts[pg.rank] = rows;
  const all = pg.allReduceNumbers(counts);
  let offset = 0;
  for (let r = 0; r < pg.rank; r++) offset += all[r];
  const totalRows = all.reduce((a, b) => a + b, 0);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const T = blocks.length;
  const Ctor = first.dtype === "float64" ? Float64Array : Float32Array;
  const buf = new Ctor(T * totalRows * rowSize);
  blocks.forEach((b, t) => buf.set(b.toTypedArray() as Float32Array | Float64Array, (t * totalRows + offset) * rowSize));
  const global = tidy(() => {
    const flat = tensor(buf, { dtype: first.dtype });
    pg.allReduce(flat, "sum");
    return blocks.map((_, t) => keep(flat.slice(0, t * totalRows * rowSize, (t + 1) * totalRows * rowSize).reshape([totalRows, ...rowShape]).contiguous()));
  });
  return { global, offset, rows, totalRows };
}
