export {
  buildSeqDataset,
  splitTargets,
  seqStats,
  loadMovielensSeq,
  loadSeqCsv,
  movielensSeqDir,
  movielensRatingsFile,
  parseMoviesDat,
  parseRatingsDat,
  type RawAction,
  type SeqDataset,
  type SeqSplitInfo,
  type SeqSplitName,
  type SeqSplitOptions,
  type SeqBuildOptions,
  type SeqStats,
  type MovielensSeqOptions,
  type MovielensCategory,
  type SeqCsvOptions,
} from "./data.js";
export {
  shortWindows,
  CategoryHistory,
  categorySubsequences,
  batchesOf,
  type ShortWindowBatch,
  type CategorySubsequences,
} from "./batch.js";
export { SeqRecModel, seqInputs, type SeqInputs, type EpochContext, type EpochReport } from "./model.js";
export { Pop, trainItemCounts } from "./pop.js";
export { Gru4Rec, type Gru4RecConfig } from "./gru4rec.js";
export { SasRec, packWindows, type SasRecConfig, type PackedWindows, type SequenceBatch } from "./sasrec.js";
export { userTrainingRanges, sampleSequenceBatch, trainSasRecSequences, type SasRecSequenceOptions, type SasRecSequenceResult, type SequenceEvalLog } from "./sasrec_sequences.js";
export { GatedLongRec, phaseAfterEpoch, onePercent, frequencyOrder, type GatedLongRecConfig, type PhaseState } from "./gatedlongrec.js";
export { mixtureLogProbs, mixtureTargetLogProbs } from "./mixture.js";
export { rankTargets, evaluateRanking, categoryBaselineRanks, categoryMetrics, type EvaluateOptions as SeqEvaluateOptions } from "./evaluate.js";
export { trainSeqRec, type TrainSeqRecOptions, type TrainSeqRecResult, type SeqProgress, type SeqEpochLog, type SeqOptimizerName } from "./train.js";
export { createSeqModel, defaultOptimizer, SEQ_MODELS, type SeqModelName, type SeqModelOptions } from "./models.js";
export { Cta, TIME_UNITS, type CtaConfig, type TimeUnit } from "./cta.js";
export { TemporalKernels, temporalWeights, parseKernelSpec, kernelSpecString, KERNEL_TYPES, type KernelSpec, type KernelType } from "./cta_kernels.js";
export { top1Loss, bprLoss, softplus, inBatchScores, seqLoss, SEQ_LOSSES, type SeqLossName } from "./inbatch_loss.js";
export { restrictToTrainingVocabulary } from "./vocab.js";
export { TiSasRec, userTimeScales, intervalMatrix, type TiSasRecConfig } from "./tisasrec.js";
export { leaveOneOutTargets, sampleUnratedNegatives, sampledRanks, hitRateNdcg, type LeaveOneOut } from "./sampled_eval.js";
