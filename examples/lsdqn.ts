// LS-DQN: a Q-network for Max-Cut local search trained by N-step double DQN on generated graphs.
import { trainLsdqn } from "recforge";

const events = new EventTarget(); // progress as DOM-style events, beside (or instead of) onProgress
events.addEventListener("progress", (ev) => {
  const e = (ev as CustomEvent).detail;
  if (e.phase === "train" && e.step % 100 === 0) console.log(`lsdqn step ${e.step}/${e.steps} epsilon ${e.metrics?.epsilon.toFixed(2)}`);
});
const result = await trainLsdqn({ problem: "maxcut", n: 12, steps: 300, hidden: 16, events });
console.log(`greedy cut on validation graphs: ${result.validation.before.toFixed(3)} → ${result.validation.after.toFixed(3)}`);
result.model.dispose();
