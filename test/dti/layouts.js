// Test-only packed-batch builders (the real prompt builders live in lib/methods/dti): one user's
// interactions as token lists, packed as sliding-window prompts or as one DTI chunk.
//   interaction p: ctx tokens (item text + label word), tgt tokens (item text), label
// SW prompt for target j:  ctx(j-n) … ctx(j-1) tgt(j) [SUM]                positions 0, 1, …
// DTI chunk for s..s+k-1:  ctx(s-n) … ctx(s+k-2) tgt(s) [SUM] … tgt(s+k-1) [SUM]
//   context interaction p sees the interactions [p - n, p) of the chunk (contextReach "window"),
//   target j sees ctx(j-n) … ctx(j-1) and its own span; window-relative positions.
export const SUM = 2;

export function randomUser(r, m, { c = 3, t = 2, vocab = 50 } = {}) {
  return Array.from({ length: m }, () => {
    const item = Array.from({ length: t }, () => r.int(10, vocab));
    const label = r.next() < 0.5 ? 1 : 0;
    const ctx = [...item, ...Array.from({ length: c - t - 1 }, () => r.int(10, vocab)), label ? 4 : 5].slice(0, c);
    return { ctx, tgt: item, label };
  });
}

function finish(tokens, positions, rows, sumIndex, labels, targetIds) {
  const L = tokens.length;
  const intervals = new Int32Array(5 * L);
  rows.forEach((r, i) => intervals.set(r, i * L));
  return {
    tokens: Int32Array.from(tokens), positions: Int32Array.from(positions), intervals,
    sumIndex: Int32Array.from(sumIndex), labels: Float32Array.from(labels), targetIds: Int32Array.from(targetIds),
  };
}

/** SW prompts for targets `targets` (each needs n interactions before it), packed back to back. */
export function swBatch(user, targets, n) {
  const tokens = [], positions = [], rows = [[], [], [], [], []], sumIndex = [], labels = [], ids = [];
  for (const j of targets) {
    const start = tokens.length;
    const seq = [...user.slice(j - n, j).flatMap((x) => x.ctx), ...user[j].tgt, SUM];
    seq.forEach((tok, o) => {
      tokens.push(tok);
      positions.push(o);
      [0, 0, 0, 0, start].forEach((v, r) => rows[r].push(v));
    });
    sumIndex.push(tokens.length - 1);
    labels.push(user[j].label);
    ids.push(j);
  }
  return finish(tokens, positions, rows, sumIndex, labels, ids);
}

/** One DTI chunk for targets s … s+k-1 (window n), window-relative positions, "window" context reach. */
export function dtiBatch(user, s, k, n) {
  const tokens = [], positions = [], rows = [[], [], [], [], []], sumIndex = [], labels = [], ids = [];
  const start = []; // token start of each context interaction in the chunk, by interaction index
  const first = s - n;
  for (let p = first; p <= s + k - 2; p++) {
    start[p] = tokens.length;
    const lo = Math.max(first, p - n);
    user[p].ctx.forEach((tok, o) => {
      tokens.push(tok);
      positions.push(start[p] - start[first] + o);
      [0, 0, start[lo], start[p], start[p]].forEach((v, r) => rows[r].push(v));
    });
  }
  const ctxEnd = tokens.length;
  const startOf = (p) => (p <= s + k - 2 ? start[p] : ctxEnd);
  for (let j = s; j < s + k; j++) {
    const self = tokens.length;
    const pos0 = startOf(j) - start[first]; // as if right after ctx(j-1)
    [...user[j].tgt, SUM].forEach((tok, o) => {
      tokens.push(tok);
      positions.push(pos0 + o);
      [0, 0, start[j - n], startOf(j), self].forEach((v, r) => rows[r].push(v));
    });
    sumIndex.push(tokens.length - 1);
    labels.push(user[j].label);
    ids.push(j);
  }
  return finish(tokens, positions, rows, sumIndex, labels, ids);
}
