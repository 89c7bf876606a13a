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

test("roundRobin interleaves runs in blocks of steps and lets the others finish when one ends", async (t) => {
  const { roundRobin } = await import("../../dist/bench/pace.js");
  const pace = roundRobin(3, 2);
  const order = [];
  const run = async (i, steps) => {
    for (let s = 0; s < steps; s++) {
      await pace[i](s);
      order.push(i);
      await new Promise((r) => setImmediate(r));
    }
    await pace[i](null);
  };
  await Promise.all([run(0, 5), run(1, 3), run(2, 5)]);
  t.deepEqual(order, [0, 0, 1, 1, 2, 2, 0, 0, 1, 2, 2, 0, 2]);
});
