export { auc, logLoss, normalizedEntropy, meanSquaredError, meanStd, type Numbers } from "./classification.js";
