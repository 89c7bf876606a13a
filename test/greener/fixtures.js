// The hand-made GREENer data set shared by evaluate.test.js and quality.test.js (their expected
// values are worked out by hand from it).
import { GreenerData } from "../../dist/methods/greener/prepare.js";

// One item, three users. Reviews 0 and 1 are training reviews, review 2 is the held-out one.
//   s0 "the strings sound great"        (review 0)  attrs [string]
//   s1 "the price is very good"         (review 0)  attrs [price]
//   s2 "cheap strings but great tone"   (review 1)  attrs [string, tone]
//   s3 "the strings sound great"        (review 1)  attrs [string]   (a duplicate of s0)
//   s4 "great strings and a good price" (review 2)  attrs [string, price] ← ground truth
export function tinyData() {
  return new GreenerData({
    users: ["u0", "u1", "u2"],
    items: ["i0"],
    review: { user: [0, 1, 2], item: [0, 0, 0], rating: [5, 4, 5], time: [1, 2, 3], split: [0, 0, 2] },
    reviewSentOffsets: [0, 2, 4, 5],
    sentences: ["the strings sound great", "the price is very good", "cheap strings but great tone", "the strings sound great", "great strings and a good price"],
    sentAttrOffsets: [0, 1, 2, 4, 5, 7],
    sentAttrIds: [0, 1, 0, 2, 0, 0, 1],
    attributes: { names: ["string", "price", "tone"], surface: { string: 0, strings: 0, price: 1, tone: 2 }, counts: [[3, 3], [1, 1], [1, 1]] },
    userAttrOffsets: [0, 2, 4, 4], userAttrIds: [0, 1, 0, 2], userAttrCounts: [1, 1, 2, 1],
    itemAttrOffsets: [0, 3], itemAttrIds: [0, 1, 2], itemAttrCounts: [3, 1, 1],
    poolOffsets: [0, 4, 8, 12],
    poolIds: [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3],
  });
}
