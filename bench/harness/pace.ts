// Interleaves several trainCtr runs in one process, in blocks of `block` optimiser steps each,
// round robin (trainCtr's `pace` hook). Why: this machine is shared, and load from other
// processes comes and goes on a scale of seconds to minutes; runs measured one after another
// see different loads. Interleaving spreads the load over all runs alike. Blocks (rather than
// single steps) keep each run's working set warm in cache for a while, so a short DTI step does
// not always start right after a long SW step has evicted it.
export function roundRobin(runs: number, block: number): ((step: number | null) => Promise<void>)[] {
  let turn = 0, used = 0;
  const done = new Array<boolean>(runs).fill(false);
  const wakers = new Array<(() => void) | null>(runs).fill(null);
  const pass = () => {
    used = 0;
    for (let i = 1; i <= runs; i++) {
      const next = (turn + i) % runs;
      if (!done[next]) {
        turn = next;
        const w = wakers[next];
        wakers[next] = null;
        w?.();
        return;
      }
    }
  };
  const waitTurn = async (i: number) => {
    while (turn !== i) await new Promise<void>((r) => (wakers[i] = r));
  };
  return Array.from({ length: runs }, (_, i) => async (step: number | null) => {
    if (step === null) {
      done[i] = true;
      if (turn === i) pass();
      return;
    }
    await waitTurn(i);
    if (used >= block) {
      pass();
      await waitTurn(i);
    }
    used++;
  });
}
