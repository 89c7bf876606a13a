import test from "ava";
import { dtiKernelLayout, visiblePairs } from "../../dist/bench/dti_kernel.js";
import { visible } from "./helpers.js";

test("bench dti kernel layout: packed DTI prompts of the cost-model sizes; visible pairs counted exactly", (t) => {
  const lay = dtiKernelLayout(3, 4, 100, 2); // items of 2 tokens: c = 3, t + 1 = 3
  t.is(lay.tokens.length, lay.prompts * ((3 + 4 - 1) * 3 + 4 * 3));
  t.true(lay.tokens.length >= 100);
  t.is(lay.sumIndex.length, lay.prompts * 4);
  let brute = 0;
  for (let i = 0; i < lay.tokens.length; i++) brute += visible(lay, i).length;
  t.is(visiblePairs(lay.intervals, lay.tokens.length), brute);
  const big = dtiKernelLayout(40, 40, 4096);
  t.is(big.tokens.length, big.prompts * (79 * 13 + 40 * 13));
});
