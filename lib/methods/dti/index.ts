export * from "./types.js";
export * from "./model.js";
export * from "./llama.js";
export * from "./hf-tokenizer.js";
export * from "./tokenizer.js";
