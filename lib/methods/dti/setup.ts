// Defaults of trainCtr: the prompt vocabulary of a dataset and the model factory.
//
// Vocabulary: the word-level tokenizer of tokenizer.ts, built from the data's item texts and
// the instruction prefix (lower-cased words and punctuation runs; special tokens [PAD] [UNK]
// [SUM] [SEP] and the label words "liked" / "disliked" first, so their ids are fixed). The
// same data gives the same vocabulary, so a resumed run rebuilds it identically. A tokenizer
// saved as tokenizer.json (Tokenizer.save / loadTokenizer) can be passed instead.
import type { CtrDataset } from "./data/dataset.js";
import type { PromptVocab } from "./prompts.js";
import type { CtrModel } from "./evaluate.js";
import { DTIModel } from "./model.js";
import { buildWordTokenizer } from "../../text/word_tokenizer.js";
import type { Tokenizer } from "../../text/hf_tokenizer.js";

export interface ModelShape {
  dim: number;
  layers: number;
  heads: number;
  /** SwiGLU hidden size (default: the model's, 8/3·dim rounded up to a multiple of 8). */
  ffn?: number;
}

export type CtrVocab = PromptVocab & { size: number; tokenizer: Tokenizer };

/**
 * The prompt vocabulary of `data`: item token ids, label words (positive, negative; default
 * "liked", "disliked"), [SUM] and the prefix's tokens.
 */
export function defaultVocab(data: CtrDataset, prefix = "", tokenizer?: Tokenizer, labelWords: readonly [string, string] = ["liked", "disliked"]): CtrVocab {
  const tok = tokenizer ?? buildWordTokenizer([...data.itemText, prefix], { labelWords });
  const id = (t: string) => {
    const v = tok.tokenToId(t);
    if (v === undefined) throw new RangeError(`recforge: the tokenizer has no token ${JSON.stringify(t)} (DTI prompts need [SUM] and the two label words)`);
    return v;
  };
  const word = (w: string) => {
    const ids = tok.encode(w, { addSpecialTokens: false });
    if (ids.length === 0) throw new RangeError(`recforge: label word ${JSON.stringify(w)} encodes to no tokens`);
    return Int32Array.from(ids);
  };
  return {
    itemTokens: data.itemText.map((t) => Int32Array.from(tok.encode(t, { addSpecialTokens: false }))),
    liked: word(labelWords[0]),
    disliked: word(labelWords[1]),
    sum: id("[SUM]"),
    prefix: Int32Array.from(tok.encode(prefix, { addSpecialTokens: false })),
    size: tok.vocabSize,
    tokenizer: tok,
  };
}

/** The DTI transformer (model.ts) of a given shape, initialised from `seed` alone. */
export function defaultModelFactory(shape: ModelShape, vocabSize: number, positionEncoding: "rope" | "alibi", seed: number): CtrModel & DTIModel {
  return new DTIModel({ vocabSize, dim: shape.dim, layers: shape.layers, heads: shape.heads, ffnHidden: shape.ffn, positionEncoding, seed });
}
