// recforge.distributed: data-parallel training over MPI ranks (docs/distributed.md).
export { ProcessGroup, initProcessGroup, currentProcessGroup, launchedByMpirun, type ProcessGroupOptions, type ReduceOp, type Work } from "./process_group.js";
export { DistributedDataParallel, type DdpOptions, type DdpStats } from "./ddp.js";
export { shardRange, shardOf } from "./shard.js";
export { isCheckpointWriter } from "./checkpoint.js";
export { allGatherRows, type GatheredRows } from "./gather_rows.js";
