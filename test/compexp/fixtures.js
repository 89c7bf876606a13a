// A hand-made data set for CompExp's example building (expected values worked out in data.test.js).
import { GreenerData } from "../../dist/methods/greener/prepare.js";

// reviews (user, item, rating, split, sentences):
//  r0 u0 i0 5 train  s0 s1      r3 u1 i2 2 train  s4        r6 u2 i2 5 train  (no text)
//  r1 u0 i1 3 train  s2         r4 u1 i0 4 train  s5        r7 u2 i0 1 test   s7
//  r2 u0 i2 4 test   s3         r5 u1 i1 5 test   s6
export const SENTENCES = [
  "the strings sound great and bright",
  "the price is very good here",
  "the tuner is not very accurate",
  "this cable is great for the price",
  "the cable broke after a week",
  "great tone from these strings",
  "the tuner works great on stage",
  "the strings broke in a day",
];

export function compexpTinyData() {
  const R = 8, S = SENTENCES.length;
  return new GreenerData({
    users: ["u0", "u1", "u2"],
    items: ["i0", "i1", "i2"],
    review: {
      user: [0, 0, 0, 1, 1, 1, 2, 2],
      item: [0, 1, 2, 2, 0, 1, 2, 0],
      rating: [5, 3, 4, 2, 4, 5, 5, 1],
      time: [1, 2, 3, 1, 2, 3, 1, 2],
      split: [0, 0, 2, 0, 0, 2, 0, 2],
    },
    reviewSentOffsets: [0, 2, 3, 4, 5, 6, 7, 7, 8],
    sentences: SENTENCES,
    sentAttrOffsets: new Array(S + 1).fill(0),
    sentAttrIds: [],
    attributes: { names: [], surface: {}, counts: [] },
    userAttrOffsets: [0, 0, 0, 0], userAttrIds: [], userAttrCounts: [],
    itemAttrOffsets: [0, 0, 0, 0], itemAttrIds: [], itemAttrCounts: [],
    poolOffsets: new Array(R + 1).fill(0),
    poolIds: [],
  });
}
