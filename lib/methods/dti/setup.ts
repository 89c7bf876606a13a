// Defaults of trainCtr: the prompt vocabulary of a dataset and the model factory.
//
// Vocabulary: word level, built from the data's item texts (lower-cased, split on whitespace)
// plus the special tokens; ids are assigned in order of first appearance, so the same data
// gives the same ids. Reserved: 0 [PAD] (never emitted: prompts are packed without padding),
// 1 [SUM], 2 "liked", 3 "disliked".
import type { CtrDataset } from "./data/dataset.js";
import type { PromptVocab } from "./prompts.js";
import type { CtrModel } from "./evaluate.js";
import { DTIModel } from "./model.js";

export interface ModelShape {
  dim: number;
  layers: number;
  heads: number;
  /** SwiGLU hidden size (default: the model's, 8/3·dim rounded up to a multiple of 8). */
  ffn?: number;
}

export const SPECIAL_TOKENS = ["[PAD]", "[SUM]", "liked", "disliked"] as const;

export function defaultVocab(data: CtrDataset, prefix = ""): PromptVocab & { size: number; words: string[] } {
  const ids = new Map<string, number>(SPECIAL_TOKENS.map((w, i) => [w, i]));
  const encode = (s: string) =>
    Int32Array.from(s.toLowerCase().split(/\s+/).filter(Boolean), (w) => {
      let id = ids.get(w);
      if (id === undefined) ids.set(w, (id = ids.size));
      return id;
    });
  const itemTokens = data.itemText.map(encode);
  const prefixTokens = encode(prefix);
  return { itemTokens, liked: Int32Array.of(2), disliked: Int32Array.of(3), sum: 1, prefix: prefixTokens, size: ids.size, words: [...ids.keys()] };
}

/** The DTI transformer (model.ts) of a given shape, initialised from `seed` alone. */
export function defaultModelFactory(shape: ModelShape, vocabSize: number, positionEncoding: "rope" | "alibi", seed: number): CtrModel & DTIModel {
  return new DTIModel({ vocabSize, dim: shape.dim, layers: shape.layers, heads: shape.heads, ffnHidden: shape.ffn, positionEncoding, seed });
}
