export {
  checkBatch,
  ArraySplit,
  Rng,
  hash2,
  type TaskType,
  type TaskSpec,
  type SparseField,
  type MultiTaskSchema,
  type MultiTaskBatch,
  type MultiTaskSplit,
  type MultiTaskData,
} from "./multitask.js";
export { loadCensus, censusAvailable, censusDir, CENSUS_COLUMNS, CENSUS_TASKS, type CensusOptions } from "./census.js";
export { syntheticMultiTask, INDUSTRIAL_VOCABS, type SyntheticOptions as SyntheticMultiTaskOptions, type SyntheticData } from "./synthetic_multitask.js";
