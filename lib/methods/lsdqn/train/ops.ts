// The ops and scopes the trainer uses, from the layers' faces.
export { concat, gather, mse, reshape, tensor, unsqueeze } from "../../../ops/index.js";
export { tidy } from "../../../tensor/scope.js";
export { noGrad as noGradOps } from "../../../autograd/engine.js";
