export * from "./types.js";
export * from "./model.js";
