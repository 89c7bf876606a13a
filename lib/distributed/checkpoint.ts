// Checkpoints of a data-parallel run are written by rank 0 only: the replicas are identical
// after every synchronised step, so one file describes them all, and W writers of one path
// would race. Every rank reads the same file when resuming.
import type { ProcessGroup } from "./process_group.js";

/** True on the rank that writes checkpoints and result files (rank 0; every rank without a group). */
export function isCheckpointWriter(pg: ProcessGroup | null | undefined): boolean {
  return !pg || pg.rank === 0;
}
