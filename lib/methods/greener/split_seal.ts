// The test split sealed while design choices are made (bench greener-fair, fair.ts).
//
// `sealTestSplit(data)` returns a VIEW of the prepared data whose accessors throw on anything of
// the test split: the list of test reviews, a test review's sentences or candidate pool, and the
// tokens of a test sentence. Every selection step (training, features, labels, epochs, α and the
// length weight, for GREENer and the baselines) runs on the view, so a step that reads the test
// split fails loudly instead of leaking. `unseal(record)` hands out the full data only after the
// selection record is frozen (Object.freeze), and only once: the final run is the one test read.
import { GreenerData } from "./prepare.js";

export class SealedSplitError extends Error {
  constructor(what: string) {
    super(`the test split is sealed until the selection on the validation split is final (tried to read ${what})`);
    this.name = "SealedSplitError";
  }
}

export interface TestSeal<T> {
  /** the data with the test split sealed */
  readonly view: GreenerData;
  /** true once unseal() ran */
  readonly unsealed: boolean;
  /** freezes the selection record and returns the full data (throws on a second call) */
  unseal(record: T): GreenerData;
}

export function sealTestSplit<T extends object>(data: GreenerData): TestSeal<T> {
  const TEST = 2;
  const sentenceSplit = new Uint8Array(data.sentences.length);
  for (let r = 0; r < data.numReviews; r++) for (const s of data.sentencesOf(r)) sentenceSplit[s] = data.reviewSplit[r];
  const checkReview = (r: number, what: string) => {
    if (data.reviewSplit[r] === TEST) throw new SealedSplitError(`${what} of test review ${r}`);
  };
  const view = Object.create(data) as GreenerData;
  Object.defineProperties(view, {
    reviewsOf: { value: (split: Parameters<GreenerData["reviewsOf"]>[0]) => {
      if (split === "test") throw new SealedSplitError("the test reviews");
      return data.reviewsOf(split);
    } },
    sentencesOf: { value: (r: number) => (checkReview(r, "the sentences"), data.sentencesOf(r)) },
    pool: { value: (r: number) => (checkReview(r, "the candidate pool"), data.pool(r)) },
    tokens: { value: (s: number) => {
      if (sentenceSplit[s] === TEST) throw new SealedSplitError(`the tokens of test sentence ${s}`);
      return data.tokens(s);
    } },
  });
  let unsealed = false;
  return {
    view,
    get unsealed() {
      return unsealed;
    },
    unseal(record: T): GreenerData {
      if (unsealed) throw new Error("sealTestSplit: the test split was already unsealed once (the final run reads it once)");
      Object.freeze(record);
      unsealed = true;
      return data;
    },
  };
}

/** Whether sentence s belongs to a test review (for encoders that must skip those rows under the seal). */
export function testSentenceMask(data: GreenerData): Uint8Array {
  const mask = new Uint8Array(data.sentences.length);
  for (let r = 0; r < data.numReviews; r++) {
    if (data.reviewSplit[r] !== 2) continue;
    // the class's own accessor (ids only, never text), so this works on a sealed view too
    for (const s of GreenerData.prototype.sentencesOf.call(data, r)) mask[s] = 1;
  }
  return mask;
}
