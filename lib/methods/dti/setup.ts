// PROVISIONAL (replaced when the dti-model branch is merged): vocabulary and model factory.
import type { CtrDataset } from "./data/dataset.js";
import type { PromptVocab } from "./prompts.js";
import type { CtrModel } from "./evaluate.js";
import type { Module } from "../../nn/module.js";

export interface ModelShape {
  dim: number;
  layers: number;
  heads: number;
  ffn: number;
}

export function defaultVocab(data: CtrDataset, prefix: string): PromptVocab & { size: number } {
  const ids = new Map<string, number>([["[PAD]", 0], ["[SUM]", 1], ["liked", 2], ["disliked", 3]]);
  const enc = (s: string) => Int32Array.from(s.toLowerCase().split(/\s+/).filter(Boolean), (w) => {
    let id = ids.get(w);
    if (id === undefined) ids.set(w, (id = ids.size));
    return id;
  });
  const itemTokens = data.itemText.map(enc);
  return { itemTokens, liked: Int32Array.of(2), disliked: Int32Array.of(3), sum: 1, prefix: enc(prefix), size: ids.size };
}

export function defaultModelFactory(_shape: ModelShape, _vocab: number, _enc: "rope" | "alibi", _seed: number): CtrModel & Module<any, any> {
  throw new Error("recforge: DTI model not merged yet");
}
