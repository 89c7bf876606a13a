export { auc, logLoss, normalizedEntropy, meanSquaredError, meanStd, type Numbers } from "./classification.js";
export {
  rankOfTargets,
  rankingMetrics,
  RankingAccumulator,
  type RankOptions,
  type RankingCutoffs,
  type RankingMetrics,
} from "./ranking.js";
