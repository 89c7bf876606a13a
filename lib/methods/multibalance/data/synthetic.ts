// Synthetic multi-task data with an industrial shape (Criteo/DLRM-like): many sparse fields
// with power-law id frequencies and tables up to 10^6 rows, dense features, 3–8 tasks whose
// labels share a controllable amount of signal (correlation) or oppose it (conflict).
//
// Every value is a pure function of (seed, row index), computed on demand: any number of
// rows, no storage, identical on every machine.
//
// Teacher. Each (field f, id) has a hidden vector h_f(id) ∈ R^k (k = latentDim, entries
// uniform with unit variance, from a hash — no table is stored) and each row has dense
// features x ~ N(0, 1)^D. With the row's feature vector φ = [h_1(id_1), …, h_F(id_F), x]
// (length F·k + D), task t scores
//     s_t = signal · ( <u_t, φ> + 0.5 · <p_t, φ> · <q_t, φ> ) / sqrt(F·k + D)
// where u_t = c_t·sqrt(ρ)·a + sqrt(1-ρ)·o_t mixes a direction a shared by every task with a
// private one o_t (a, o_t, p_t, q_t ~ N(0, I), c_t = -1 for the `conflict` last binary tasks,
// +1 otherwise). So ρ = `correlation` sets how much of the linear signal is common and
// `conflict` flips its sign for some tasks (negative transfer). The product term makes the
// targets non-linear in the embeddings. Binary tasks: y ~ Bernoulli(sigmoid(s_t + b_t)) with
// b_t calibrated (bisection on 20k train rows) to the task's positive rate. Regression tasks
// (the last `regressionTasks`): y = s_t + N(0, 0.5²).
import { Rng, hash2, unit } from "../../../prng.js";
import type { MultiTaskBatch, MultiTaskData, MultiTaskSchema, MultiTaskSplit } from "./multitask.js";

/** 26 fields, 3 tables of 10^6 rows and a long tail of small ones (Criteo-like). */
export const INDUSTRIAL_VOCABS = [
  1_000_000, 1_000_000, 1_000_000, 500_000, 200_000, 100_000, 100_000, 50_000, 20_000, 10_000, 10_000, 5_000, 2_000,
  1_000, 1_000, 500, 300, 100, 100, 50, 30, 20, 10, 10, 5, 3,
];

export interface SyntheticOptions {
  /** 3–8 recommended (any >= 1 works; default 4). */
  numTasks?: number;
  /** Vocabulary size of each sparse field (default INDUSTRIAL_VOCABS). */
  vocabs?: number[];
  /** Dense features (default 13). */
  denseDim?: number;
  /** ρ in [0, 1]: share of the linear signal common to all tasks (default 0.5). */
  correlation?: number;
  /** How many tasks (the last binary ones) get the shared signal with the opposite sign (default 0). */
  conflict?: number;
  /** Positive rate per binary task (default spread from 2% to 40%). */
  positiveRates?: number[];
  /** The last this-many tasks are regression tasks (default 0). */
  regressionTasks?: number;
  /** Id skew: id = floor(V · u^skew), u uniform; 1 = uniform, larger = heavier head (default 3). */
  skew?: number;
  /** Hidden dimension k of the per-id teacher vectors (default 4). */
  latentDim?: number;
  /** Teacher logit scale (default 3). */
  signal?: number;
  trainRows?: number;
  validRows?: number;
  testRows?: number;
  seed?: number;
}

export interface SyntheticData extends MultiTaskData {
  options: Required<Omit<SyntheticOptions, "positiveRates">> & { positiveRates: number[] };
  /** Per-task biases b_t found by calibration (0 for regression tasks). */
  biases: number[];
  /** Pearson correlation of the task scores s_t over n train rows (diagnostics). */
  scoreCorrelation(n?: number): number[][];
}

function defaultRates(T: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < T; t++) out.push(T === 1 ? 0.1 : 0.02 * Math.pow(20, t / (T - 1)));
  return out;
}

export function syntheticMultiTask(opts: SyntheticOptions = {}): SyntheticData {
  const T = opts.numTasks ?? 4;
  const vocabs = (opts.vocabs ?? INDUSTRIAL_VOCABS).slice();
  const D = opts.denseDim ?? 13;
  const rho = opts.correlation ?? 0.5;
  const conflict = opts.conflict ?? 0;
  const nReg = opts.regressionTasks ?? 0;
  const skew = opts.skew ?? 3;
  const k = opts.latentDim ?? 4;
  const signal = opts.signal ?? 3;
  const seed = opts.seed ?? 1;
  const nTrain = opts.trainRows ?? 1_000_000, nValid = opts.validRows ?? 50_000, nTest = opts.testRows ?? 50_000;
  const nBin = T - nReg;
  const rates = opts.positiveRates ?? defaultRates(nBin);
  const F = vocabs.length;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`recforge: syntheticMultiTask: numTasks must be an integer >= 1, got ${T}`);
  if (!(rho >= 0 && rho <= 1)) throw new RangeError(`recforge: syntheticMultiTask: correlation must be in [0, 1], got ${rho}`);
  if (!Number.isInteger(nReg) || nReg < 0 || nReg > T) throw new RangeError(`recforge: syntheticMultiTask: regressionTasks must be in [0, ${T}], got ${nReg}`);
  if (!Number.isInteger(conflict) || conflict < 0 || conflict > nBin) throw new RangeError(`recforge: syntheticMultiTask: conflict must be in [0, ${nBin}] (binary tasks), got ${conflict}`);
  if (rates.length !== nBin || rates.some((r) => !(r > 0 && r < 1)))
    throw new RangeError(`recforge: syntheticMultiTask: positiveRates must list ${nBin} rates in (0, 1), got ${JSON.stringify(rates)}`);
  if (vocabs.some((v) => !Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1)) throw new RangeError(`recforge: syntheticMultiTask: vocabs must be positive integers`);
  if (!(skew >= 1)) throw new RangeError(`recforge: syntheticMultiTask: skew must be >= 1, got ${skew}`);
  for (const [v, w] of [[nTrain, "trainRows"], [nValid, "validRows"], [nTest, "testRows"], [D, "denseDim"], [k, "latentDim"]] as const)
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`recforge: syntheticMultiTask: ${w} must be a non-negative integer, got ${v}`);

  // Teacher directions over φ (length P = F·k + D).
  const P = F * k + D;
  const rng = new Rng(seed * 7919 + 17);
  const randVec = () => Float64Array.from({ length: P }, () => rng.normal());
  const shared = randVec();
  const U: Float64Array[] = [], Pv: Float64Array[] = [], Qv: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const o = randVec();
    const sign = t < nBin && t >= nBin - conflict ? -1 : 1;
    U.push(Float64Array.from(o, (v, i) => sign * Math.sqrt(rho) * shared[i] + Math.sqrt(1 - rho) * v));
    Pv.push(randVec());
    Qv.push(randVec());
  }
  const scale = signal / Math.sqrt(P);
  const fieldSeeds = vocabs.map((_, f) => hash2(seed, 1000 + f));
  const denseSeed = hash2(seed, 77), labelSeed = hash2(seed, 99);
  const SQ3 = Math.sqrt(3);

  const phi = new Float64Array(P);
  const ids = new Int32Array(F);
  // Fills ids/phi for a global row index.
  const features = (row: number, dense: Float32Array | null, dOff: number) => {
    for (let f = 0; f < F; f++) {
      const u = unit(hash2(fieldSeeds[f], row));
      const id = Math.min(Math.floor(vocabs[f] * Math.pow(u, skew)), vocabs[f] - 1);
      ids[f] = id;
      for (let j = 0; j < k; j++) phi[f * k + j] = (2 * unit(hash2(fieldSeeds[f] ^ 0x51ed27, id * k + j)) - 1) * SQ3;
    }
    for (let d = 0; d < D; d++) {
      const h = hash2(denseSeed, row * D + d);
      const u1 = 1 - unit(h), u2 = unit(hash2(h, 3));
      const x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      phi[F * k + d] = x;
      if (dense) dense[dOff + d] = x;
    }
  };
  const score = (t: number): number => {
    const u = U[t], p = Pv[t], q = Qv[t];
    let a = 0, b = 0, c = 0;
    for (let i = 0; i < P; i++) {
      const v = phi[i];
      a += u[i] * v;
      b += p[i] * v;
      c += q[i] * v;
    }
    return scale * (a + (0.5 * b * c) / Math.sqrt(P));
  };

  // Calibrate binary biases on 20k train rows.
  const calN = Math.min(20_000, Math.max(nTrain, 1));
  const calScores: Float64Array[] = Array.from({ length: T }, () => new Float64Array(calN));
  for (let r = 0; r < calN; r++) {
    features(r, null, 0);
    for (let t = 0; t < T; t++) calScores[t][r] = score(t);
  }
  const biases = new Array<number>(T).fill(0);
  for (let t = 0; t < nBin; t++) {
    let lo = -30, hi = 30;
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      let s = 0;
      for (let r = 0; r < calN; r++) s += 1 / (1 + Math.exp(-(calScores[t][r] + mid)));
      if (s / calN > rates[t]) hi = mid;
      else lo = mid;
    }
    biases[t] = (lo + hi) / 2;
  }

  const tasks = Array.from({ length: T }, (_, t) =>
    t < nBin ? { name: `task${t}`, type: "binary" as const } : { name: `task${t}`, type: "regression" as const },
  );
  const schema: MultiTaskSchema = { fields: vocabs.map((v, f) => ({ name: `C${f + 1}`, vocabSize: v })), denseDim: D, tasks };

  const makeSplit = (offset: number, size: number): MultiTaskSplit => ({
    size,
    gather(positions: ArrayLike<number>): MultiTaskBatch {
      const n = positions.length;
      const sparse = vocabs.map(() => new Int32Array(n));
      const dense = new Float32Array(n * D);
      const labels = tasks.map(() => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        const pos = positions[i];
        if (!(pos >= 0 && pos < size)) throw new RangeError(`recforge: synthetic: row position ${pos} is outside the split (size ${size})`);
        const row = offset + pos;
        features(row, dense, i * D);
        for (let f = 0; f < F; f++) sparse[f][i] = ids[f];
        for (let t = 0; t < T; t++) {
          const s = score(t);
          const h = hash2(labelSeed + t, row);
          if (t < nBin) labels[t][i] = unit(h) < 1 / (1 + Math.exp(-(s + biases[t]))) ? 1 : 0;
          else {
            const u1 = 1 - unit(h), u2 = unit(hash2(h, 5));
            labels[t][i] = s + 0.5 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
          }
        }
      }
      return { size: n, sparse, dense, labels };
    },
  });

  const options = { numTasks: T, vocabs, denseDim: D, correlation: rho, conflict, positiveRates: rates, regressionTasks: nReg, skew, latentDim: k, signal, trainRows: nTrain, validRows: nValid, testRows: nTest, seed };
  return {
    name: "synthetic",
    schema,
    train: makeSplit(0, nTrain),
    valid: makeSplit(nTrain, nValid),
    test: makeSplit(nTrain + nValid, nTest),
    options,
    biases,
    scoreCorrelation(n = 5000): number[][] {
      const m = Math.min(n, calN);
      const mu = calScores.map((s) => s.subarray(0, m).reduce((a, b) => a + b, 0) / m);
      const out: number[][] = [];
      for (let a = 0; a < T; a++) {
        out.push([]);
        for (let b = 0; b < T; b++) {
          let sab = 0, saa = 0, sbb = 0;
          for (let r = 0; r < m; r++) {
            const x = calScores[a][r] - mu[a], y = calScores[b][r] - mu[b];
            sab += x * y;
            saa += x * x;
            sbb += y * y;
          }
          out[a].push(sab / Math.sqrt(saa * sbb));
        }
      }
      return out;
    },
  };
}
