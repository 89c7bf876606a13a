// The gain features LS-DQN's Q-network can take (model/gain_features.ts): on random instances and
// random episodes, after every move they must equal the environment's own incrementally maintained
// gains (CopEnv.moveGains: Max-Cut aux gain(v), TSP 2-opt gain), and those are also checked against a
// from-scratch recomputation of the objective (objective before − objective after the move).
// The network's use of them (x_v column, w_g · gain in W2 H_a) is checked against the float64
// reference and by finite differences in qnet.test.js.
import test from "ava";
import * as rf from "../../dist/index.js";
import { Rng } from "../../dist/prng.js";

const { lsdqn } = rf;

function cutInside(w, n, s) {
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (s[i] === s[j]) o += w[i * n + j];
  return o;
}
function tourLen(d, n, t) {
  let o = 0;
  for (let p = 0; p < n; p++) o += d[t[p] * n + t[(p + 1) % n]];
  return o;
}

test("Max-Cut: flipGains equal the environment's gains and the recomputed objective change, after every random move", (t) => {
  const rng = new Rng(21);
  for (const [B, n, gen] of [[3, 13, (r) => lsdqn.erdosRenyi(13, r)], [2, 9, (r) => lsdqn.uniformPoints(9, r)], [2, 17, (r) => lsdqn.barabasiAlbert(17, r)]]) {
    const insts = Array.from({ length: B }, (_, i) => gen(lsdqn.instanceRng(31 + n, i)));
    const m = new Float64Array(B * n * n);
    insts.forEach((x, b) => m.set(x.matrix, b * n * n));
    const env = new lsdqn.CopEnv({ problem: "maxcut", batch: B, n, matrix: m, limit: 1000 });
    const g = new lsdqn.CopGraphBatch(m, B, n, { dtype: "float64" });
    try {
      const start = new Int32Array(B * n);
      for (let b = 0; b < B; b++) start.set(lsdqn.randomSpins(n, rng), b * n);
      env.reset(start);
      for (let step = 0; step < 3 * n; step++) {
        const sol = env.readSolution();
        const envGain = env.moveGains();
        const { gain, scale } = lsdqn.flipGains(g, sol);
        const feat = lsdqn.flipGainFeatures(g, sol);
        for (let i = 0; i < B * n; i++) {
          t.true(Math.abs(gain[i] - envGain[i]) <= 1e-9 * (1 + Math.abs(envGain[i])), `step ${step} node ${i}: ${gain[i]} vs env ${envGain[i]}`);
          t.true(Math.abs(feat[i] * scale[Math.floor(i / n)] - gain[i]) <= 1e-9 * (1 + Math.abs(gain[i])));
        }
        // Scale: mean over nodes of Σ_u |w_uv|, recomputed from the matrix.
        for (let b = 0; b < B; b++) {
          let s = 0;
          for (let k = 0; k < n * n; k++) s += Math.abs(m[b * n * n + k]);
          t.true(Math.abs(scale[b] - s / n) <= 1e-9 * (1 + s / n));
        }
        // The gain is the objective decrease of the flip, from scratch.
        const b = step % B, v = Math.floor(rng.next() * n), sb = Array.from(sol.subarray(b * n, (b + 1) * n)), w = m.subarray(b * n * n, (b + 1) * n * n);
        const before = cutInside(w, n, sb);
        sb[v] = -sb[v];
        t.true(Math.abs(before - cutInside(w, n, sb) - gain[b * n + v]) <= 1e-9 * (1 + Math.abs(before)));
        const act = new Int32Array(B);
        for (let c = 0; c < B; c++) act[c] = Math.floor(rng.next() * n);
        env.step(act);
      }
    } finally {
      env.dispose();
      g.dispose();
    }
  }
});

test("TSP: twoOptGains equal the environment's 2-opt gains and the recomputed tour change, after every random move (odd and even n)", (t) => {
  const rng = new Rng(22);
  for (const [B, n] of [[3, 11], [2, 8], [1, 4]]) {
    const insts = Array.from({ length: B }, (_, i) => lsdqn.uniformPoints(n, lsdqn.instanceRng(41 + n, i)));
    const m = new Float64Array(B * n * n), coords = new Float64Array(B * n * 2);
    insts.forEach((x, b) => { m.set(x.matrix, b * n * n); coords.set(x.coords, b * n * 2); });
    const env = new lsdqn.CopEnv({ problem: "tsp", batch: B, n, matrix: m, limit: 1000 });
    try {
      const start = new Int32Array(B * n);
      for (let b = 0; b < B; b++) start.set(lsdqn.randomTour(n, rng), b * n);
      env.reset(start);
      for (let step = 0; step < 2 * n; step++) {
        const tours = env.readSolution();
        const envGain = env.moveGains();
        const gain = lsdqn.twoOptGains(coords, tours, B, n), feat = lsdqn.twoOptGainFeatures(coords, tours, B, n);
        let checked = 0;
        for (let b = 0; b < B; b++)
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) {
              const k = b * n * n + i * n + j;
              if (i >= j) { t.is(gain[k], 0); continue; }
              t.true(Math.abs(gain[k] - envGain[k]) <= 1e-9, `step ${step} b ${b} (${i}, ${j}): ${gain[k]} vs env ${envGain[k]}`);
              t.true(Math.abs(feat[k] - Math.sqrt(n) * gain[k]) <= 1e-9);
              checked++;
            }
        t.is(checked, (B * n * (n - 1)) / 2);
        // From scratch: reverse positions i..j of one tour and measure.
        const b = step % B, tb = Array.from(tours.subarray(b * n, (b + 1) * n)), d = m.subarray(b * n * n, (b + 1) * n * n);
        const i = Math.floor(rng.next() * (n - 1)), j = i + 1 + Math.floor(rng.next() * (n - 1 - i));
        const after = [...tb.slice(0, i), ...tb.slice(i, j + 1).reverse(), ...tb.slice(j + 1)];
        t.true(Math.abs(tourLen(d, n, tb) - tourLen(d, n, after) - gain[b * n * n + i * n + j]) <= 1e-9);
        const act = new Int32Array(B);
        for (let c = 0; c < B; c++) { const p = Math.floor(rng.next() * (n - 1)); act[c] = p * n + p + 1 + Math.floor(rng.next() * (n - 1 - p)); }
        env.step(act);
      }
    } finally {
      env.dispose();
    }
  }
});

test("gain features: bad shapes are RangeErrors naming the sizes; kcut refuses gains", (t) => {
  t.throws(() => lsdqn.twoOptGains(new Float64Array(5), new Int32Array(3), 1, 3), { instanceOf: RangeError, message: /B\*n\*2 = 6/ });
  t.throws(() => lsdqn.twoOptGains(new Float64Array(6), Int32Array.of(0, 1, 7), 1, 3), { instanceOf: RangeError, message: /city 7/ });
  const x = lsdqn.erdosRenyi(6, lsdqn.instanceRng(1, 1));
  const g = new lsdqn.CopGraphBatch(x.matrix, 1, 6);
  t.throws(() => lsdqn.flipGains(g, new Int32Array(5)), { instanceOf: RangeError, message: /B\*n = 6/ });
  g.dispose();
  t.throws(() => new lsdqn.LsdqnQNet({ problem: "kcut", k: 3, gains: true }), { instanceOf: RangeError, message: /kcut/ });
});
