export { auc, logLoss, normalizedEntropy, meanSquaredError, meanStd, type Numbers } from "./classification.js";
export {
  rankOfTargets,
  rankingMetrics,
  RankingAccumulator,
  type RankOptions,
  type RankingCutoffs,
  type RankingMetrics,
} from "./ranking.js";
export {
  pairedBootstrap,
  weightedAuc,
  weightedNormalizedEntropy,
  bootstrapCounts,
  insideMargin,
  betterByInterval,
  tInterval95,
  type PairedMetric,
  type PairedDiffSummary,
  type PairedBootstrapOptions,
} from "./bootstrap.js";
