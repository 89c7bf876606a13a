// Which moves exist in a state, and choosing among them: the Q-network scores every (u, v) pair,
// the environment accepts only real moves (k-cut: different clusters; TSP: i < j). Q index of the
// stop action is A (after the A move entries); the environment's is −1.
import type { CopProblem } from "../env/cop_env.js";
import type { Rng } from "../../../prng.js";

export function moveCount(problem: CopProblem, n: number): number {
  return problem === "maxcut" ? n : n * n;
}

export function isValidMove(problem: CopProblem, n: number, sol: ArrayLike<number>, a: number): boolean {
  if (problem === "maxcut") return true;
  const u = Math.floor(a / n), v = a % n;
  return problem === "kcut" ? sol[u] !== sol[v] : u < v;
}

/** argmax over valid moves and the stop action (index A) of one instance's Q row. */
export function greedyAction(problem: CopProblem, n: number, sol: ArrayLike<number>, q: ArrayLike<number>, stop: number, allowStop = true): number {
  const A = moveCount(problem, n);
  let best = allowStop ? A : -1, bv = allowStop ? stop : -Infinity;
  for (let a = 0; a < A; a++) if (q[a] > bv && isValidMove(problem, n, sol, a)) { bv = q[a]; best = a; }
  return best;
}

/** A uniformly random valid move (never the stop action). */
export function randomAction(problem: CopProblem, n: number, sol: ArrayLike<number>, rng: Rng): number {
  if (problem === "maxcut") return Math.floor(rng.next() * n);
  if (problem === "tsp") {
    for (;;) {
      const i = Math.floor(rng.next() * n), j = Math.floor(rng.next() * n);
      if (i !== j) return Math.min(i, j) * n + Math.max(i, j);
    }
  }
  for (;;) {
    const u = Math.floor(rng.next() * n), v = Math.floor(rng.next() * n);
    if (sol[u] !== sol[v]) return u * n + v;
  }
}

/** Q index → the environment's action (stop: −1). */
export const envAction = (a: number, A: number) => (a === A ? -1 : a);
