// LS-DQN (../shared/reference/lsdqn.md): reinforcement-learned local search for Max-Cut, Max k-Cut
// and TSP. Exported from the package as the `lsdqn` namespace.
export { CopEnv, tspDistances, type CopProblem, type CopEnvSpec } from "./env/cop_env.js";
export { InstanceFormatError } from "./io/format_error.js";
export { parseRudy, readGset, denseWeights, cutValue, readBestKnown, type WeightedGraph } from "./io/gset.js";
export { parseNpy, type NpyArray, type NpyDType } from "./io/npy.js";
export { parseNpz, readNpz } from "./io/npz.js";
export { readEcoSet, denseCut, ECO_SETS, type EcoSet } from "./io/eco.js";
export { parseTsp, readTsp, parseTour, readTour, readSolutions, euc2dLength, unitSquare, TSPLIB_GROUPS, type TspInstance } from "./io/tsplib.js";
export {
  instanceRng, uniformPoints, gaussianClusters, erdosRenyi, barabasiAlbert, torusGrid, geometricKnn, torusShape, gsetLaw, gsetMix, randomSpins, randomEqualLabels, randomTour,
  type DenseInstance,
} from "./io/generators.js";
export { CopGraphBatch, type CopGraphOptions } from "./model/cop_graph.js";
export { flipGains, flipGainFeatures, twoOptGains, twoOptGainFeatures, immediateRewards, rewardUnit } from "./model/gain_features.js";
export { LsdqnQNet, type QNetOptions, type QValues } from "./model/qnet.js";
export { trainCop, greedyEpisodes, type CopTrainOptions, type CopTrainProgress, type CopTrainResult, type CopFamily } from "./train/dqn.js";
export { ReplayBuffer, NStep, type Transition } from "./train/replay.js";
