export * from "./multitask.js";
export { loadCensus, censusAvailable, censusDir, CENSUS_COLUMNS, CENSUS_TASKS, type CensusOptions } from "./census.js";
export { syntheticMultiTask, INDUSTRIAL_VOCABS, type SyntheticOptions, type SyntheticData } from "./synthetic_multitask.js";
export { dataRoot } from "./paths.js";
