export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from "./module.js";
export { uniformInit, normalInit, kaimingUniform, xavierUniform, type InitOptions } from "./init.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { LayerNorm, RMSNorm, type LayerNormOptions, type RMSNormOptions } from "./norm.js";
export { Dropout } from "./dropout.js";
export { Activation, activationFn, type ActivationName, type ActivationFn } from "./activation.js";
export { Sequential, ModuleList } from "./container.js";
export { MLP, type MLPOptions } from "./mlp.js";
export { GATConv, NodeTypeProjection, type GATConvOptions } from "./gat.js";
export { DCN, CrossLayer, type DCNOptions } from "./dcn.js";
export { GRU, GRUCell, type GRUOptions, type GRUForwardOptions } from "./gru.js";
export {
  TransformerEncoderLayer, MultiheadSelfAttention, sinusoidalPositionalEncoding, paddedSelfAttentionIntervals,
  type TransformerEncoderLayerOptions, type MultiheadSelfAttentionOptions,
} from "./transformer.js";
