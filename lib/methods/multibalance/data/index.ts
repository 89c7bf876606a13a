// MultiBalance's data: the multi-task data shape, the Census-Income (KDD) loader and the synthetic
// industrial-scale generator.
export {
  checkBatch,
  ArraySplit,
  type TaskType,
  type TaskSpec,
  type SparseField,
  type MultiTaskSchema,
  type MultiTaskBatch,
  type MultiTaskSplit,
  type MultiTaskData,
} from "./multitask.js";
export { loadCensus, censusAvailable, censusDir, CENSUS_COLUMNS, CENSUS_TASKS, type CensusOptions } from "./census.js";
export { syntheticMultiTask, INDUSTRIAL_VOCABS, type SyntheticOptions as SyntheticMultiTaskOptions, type SyntheticData } from "./synthetic.js";
export { Rng, hash2 } from "../../../prng.js"; // public since the data lived in lib/data
