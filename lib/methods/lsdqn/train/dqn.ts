// N-step double DQN for LS-DQN (../shared/reference/lsdqn.md, "Training"): ε-greedy episodes of 2n
// moves on freshly generated instances, a replay memory of N-step transitions, a target network
// synchronised every `targetEvery` updates, y = R + γ^N Q̂(s_N, argmax_a Q(s_N, a)) (double DQN:
// the online net picks, the target net values), loss (y − Q(s, a))², Adam. Checkpoints (both nets,
// the optimiser, counters, the replay memory by instance key, the acting environments) and resume:
// a resumed run continues exactly as the uninterrupted one.
import fs from "node:fs";
import path from "node:path";
import { concat, gather, mse, noGradOps, reshape, tensor, tidy, unsqueeze } from "./ops.js";
import { Module } from "../../../nn/index.js";
import { Adam } from "../../../optim/index.js";
import { saveCheckpoint, loadCheckpoint } from "../../../io/checkpoint.js";
import { Rng, hash2 } from "../../../prng.js";
import { CopEnv, type CopEnvState, type CopProblem } from "../env/cop_env.js";
import { CopGraphBatch } from "../model/cop_graph.js";
import { LsdqnQNet } from "../model/qnet.js";
import { rewardUnit } from "../model/gain_features.js";
import { uniformPoints, gaussianClusters, erdosRenyi, barabasiAlbert, gsetMix, torusShape, randomSpins, randomEqualLabels, randomTour, instanceRng, type DenseInstance } from "../io/generators.js";
import { ReplayBuffer, NStep, type Transition, type StoredTransition } from "./replay.js";
import { moveCount, greedyAction, randomAction, envAction } from "./moves.js";
import { runSync, type Phase, type Steps } from "../../step_loop.js";

/** Max-Cut training laws: uniform points, ECO-DQN's ER / BA ±1, or gsetmix (the Gset-like laws in turn: generators.gsetMix). */
export type CopFamily = "points" | "er" | "ba" | "gsetmix";

export interface CopTrainOptions {
  problem: CopProblem;
  /** Nodes (Max-Cut / TSP); k-cut: n = k·m. */
  n?: number;
  k?: number;
  m?: number;
  /** Max-Cut training law: "points" (paper: distances of uniform points), "er" / "ba" (ECO-DQN, ±1). */
  family?: CopFamily;
  /** Environment steps (each moves every instance of the acting batch once). */
  steps?: number;
  /** Instances acting in parallel. */
  envBatch?: number;
  batchSize?: number;
  replay?: number;
  warmup?: number;
  nStep?: number;
  gamma?: number;
  lr?: number;
  hidden?: number;
  rounds?: number;
  targetEvery?: number;
  epsStart?: number;
  epsEnd?: number;
  /** Fraction of `steps` over which ε decays linearly (default ½). */
  epsDecay?: number;
  /** Q-network inputs include the environment's move gains (default true for maxcut / tsp; kcut: false). false = the spec's network, the ablation. */
  gains?: boolean;
  /** Residual Q-form: Q = immediate reward + network output, W0 starting at 0 (maxcut / tsp; default false). */
  residual?: boolean;
  /** TSP graphs keep the K nearest neighbours when n > K (default 50). */
  knn?: number;
  seed?: number;
  /** Checkpoint file (written every checkpointEvery steps and at the end) and resume from it. */
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
  /** Greedy validation episodes on this many held-out generated instances (default 8). */
  valSize?: number;
  onProgress?: (p: CopTrainProgress) => void;
}

export interface CopTrainProgress {
  step: number;
  steps: number;
  epsilon: number;
  loss: number;
  updates: number;
}

export interface CopTrainResult {
  problem: CopProblem;
  n: number;
  steps: number;
  updates: number;
  resumedFrom: number;
  /** Mean squared TD error over the last 100 updates. */
  recentLoss: number;
  /** Mean squared TD error over the first 100 updates (with recentLoss: is the loss going down). */
  earlyLoss: number;
  /** Mean best objective of greedy episodes on the validation instances: the untrained net, then the trained one. */
  validation: { before: number; after: number; randomStart: number };
  /** The online network (caller disposes). */
  net: LsdqnQNet;
}

/** Online and target network together, so one checkpoint holds both. */
class DqnPair extends Module<[], void> {
  readonly online: LsdqnQNet;
  readonly target: LsdqnQNet;
  constructor(make: (seed: number) => LsdqnQNet, seed: number) {
    super();
    this.online = this.module("online", make(seed));
    this.target = this.module("target", make(seed + 1));
  }
  forward(): void {}
  sync(): void {
    this.target.loadStateDict(this.online.stateDict());
  }
}

function makeInstance(o: Required<Pick<CopTrainOptions, "problem" | "family">> & { n: number; k: number; m: number }, seed: number, i: number): DenseInstance {
  const r = instanceRng(seed, i);
  if (o.problem === "kcut") return gaussianClusters(o.k, o.m, r);
  if (o.problem === "tsp" || o.family === "points") return uniformPoints(o.n, r);
  if (o.family === "gsetmix") return gsetMix(o.n, r, i);
  return o.family === "er" ? erdosRenyi(o.n, r) : barabasiAlbert(o.n, r);
}

function startSolution(problem: CopProblem, n: number, k: number, rng: Rng): Int32Array {
  return problem === "maxcut" ? randomSpins(n, rng) : problem === "kcut" ? randomEqualLabels(n, k, rng) : randomTour(n, rng);
}

interface Batch {
  insts: DenseInstance[];
  matrix: Float64Array;
  coords?: Float64Array;
}
function stack(insts: DenseInstance[], tsp: boolean): Batch {
  const n = insts[0].n;
  const matrix = new Float64Array(insts.length * n * n);
  insts.forEach((x, b) => matrix.set(x.matrix, b * n * n));
  let coords: Float64Array | undefined;
  if (tsp) {
    coords = new Float64Array(insts.length * n * 2);
    insts.forEach((x, b) => coords!.set(x.coords!, b * n * 2));
  }
  return { insts, matrix, coords };
}

/** Q rows of a batch of states on the host: moves [B·A] and stop [B]. */
function qRows(net: LsdqnQNet, g: CopGraphBatch, sol: Int32Array, coords?: Float64Array): { moves: Float64Array; stop: Float64Array } {
  return noGradOps(() => tidy(() => {
    const q = net.forward(g, sol, coords);
    return { moves: Float64Array.from(q.moves.toTypedArray()), stop: Float64Array.from(q.stop.toTypedArray()) };
  }));
}

/** Greedy episodes (ε = 0, stop allowed) from seeded random starts: mean best objective. */
export function greedyEpisodes(net: LsdqnQNet, batch: Batch, n: number, k: number, seed: number, knn?: number): number {
  return runSync(greedyEpisodeSteps(net, batch, n, k, seed, knn));
}

/** greedyEpisodes as a trainer core (lib/methods/step_loop.ts): a boundary after every move of the batch. */
export function* greedyEpisodeSteps(net: LsdqnQNet, batch: Batch, n: number, k: number, seed: number, knn?: number, phase: Phase = "eval", epoch = 0): Steps<number> {
  const problem = net.problem, B = batch.insts.length, A = moveCount(problem, n);
  const env = new CopEnv({ problem, batch: B, n, k: problem === "kcut" ? k : undefined, matrix: batch.matrix });
  const g = new CopGraphBatch(batch.matrix, B, n, { knn: problem === "tsp" && knn !== undefined && n > knn ? knn : undefined, dtype: net.theta0.dtype });
  try {
    const rng = new Rng(seed);
    const start = new Int32Array(B * n);
    for (let b = 0; b < B; b++) start.set(startSolution(problem, n, k, rng), b * n);
    env.reset(start);
    for (let t = 0; t < env.limit; t++) {
      const done = env.readDone();
      if (done.every((d) => d)) break;
      const sol = env.readSolution();
      const q = qRows(net, g, sol, batch.coords);
      const act = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const s = sol.subarray(b * n, (b + 1) * n);
        act[b] = envAction(greedyAction(problem, n, s, q.moves.subarray(b * A, (b + 1) * A), q.stop[b]), A);
      }
      env.step(act);
      yield { phase, epoch, step: t + 1, steps: env.limit };
    }
    return env.readBestObjective().reduce((a, c) => a + c, 0) / B;
  } finally {
    env.dispose();
    g.dispose();
  }
}

export function trainCop(opts: CopTrainOptions): CopTrainResult {
  return runSync(trainCopSteps(opts));
}

/**
 * trainCop as a trainer core (lib/methods/step_loop.ts): a boundary after every environment step and every
 * move of the validation episodes. Stopped early (aborted), it disposes both networks.
 */
export function* trainCopSteps(opts: CopTrainOptions): Steps<CopTrainResult> {
  const problem = opts.problem;
  if (!["maxcut", "kcut", "tsp"].includes(problem)) throw new TypeError(`recforge: trainCop: problem must be maxcut, kcut or tsp, got ${JSON.stringify(problem)}`);
  const k = problem === "kcut" ? (opts.k ?? 5) : 2, m = opts.m ?? 6;
  const n = problem === "kcut" ? k * m : (opts.n ?? 20);
  const family = opts.family ?? "points";
  const steps = opts.steps ?? 1000, envBatch = opts.envBatch ?? 8, batchSize = opts.batchSize ?? 16;
  const nStep = opts.nStep ?? 2, gamma = opts.gamma ?? 0.9, warmup = opts.warmup ?? Math.max(batchSize, 4 * envBatch);
  const targetEvery = opts.targetEvery ?? 100, seed = opts.seed ?? 1;
  const epsStart = opts.epsStart ?? 1, epsEnd = opts.epsEnd ?? 0.05, decay = Math.max(1, Math.round((opts.epsDecay ?? 0.5) * steps));
  const knn = problem === "tsp" ? (opts.knn ?? 50) : undefined;
  for (const [v, what] of [[n, "n"], [steps, "steps"], [envBatch, "envBatch"], [batchSize, "batchSize"], [nStep, "nStep"], [targetEvery, "targetEvery"]] as const)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`recforge: trainCop: ${what} must be an integer >= 1, got ${v}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`recforge: trainCop: gamma must be in [0, 1], got ${gamma}`);
  if (!["points", "er", "ba", "gsetmix"].includes(family)) throw new RangeError(`recforge: trainCop: family must be points, er, ba or gsetmix, got ${JSON.stringify(family)}`);
  if (problem === "maxcut" && family === "gsetmix" && !torusShape(n)) throw new RangeError(`recforge: trainCop: family gsetmix needs n = rows × cols with both >= 3 (its torus law), got n = ${n}`);
  const spec = { problem, family, n, k, m };
  const A = moveCount(problem, n);
  const graphOpts = { knn: knn !== undefined && n > knn ? knn : undefined };

  const gains = opts.gains ?? problem !== "kcut";
  const residual = !!opts.residual;
  const pair = new DqnPair((s) => new LsdqnQNet({ problem, k, hidden: opts.hidden ?? 64, rounds: opts.rounds ?? 3, seed: s, gains, residual }), seed);
  pair.sync();
  const optim = new Adam(pair.online.parameters(), { lr: opts.lr ?? 1e-4 });
  let step = 0, updates = 0, resumedFrom = 0;
  // Everything the loop carries between steps, so a checkpoint taken at any step resumes exactly as
  // the uninterrupted run continues (tested: same parameters): the round counter, the recent losses,
  // the replay memory (instances stored by key and regenerated), the acting environments' state and
  // their N-step histories. Randomness is drawn from a generator re-derived from (seed, step).
  let round = 0, liveRound = -1;
  const losses: number[] = [], early: number[] = [];
  const replay = new ReplayBuffer(opts.replay ?? 5000);
  let resumeLive: LiveState | null = null;
  const roundBatch = (r: number) => stack(Array.from({ length: envBatch }, (_, i) => makeInstance(spec, hash2(seed, r), i)), problem === "tsp");
  const ckpt = opts.checkpoint;
  if (opts.resume && ckpt && fs.existsSync(ckpt)) {
    const { extra } = loadCheckpoint(ckpt, { model: pair, optimizer: optim, generator: null });
    const e = extra as CheckpointExtra;
    if (e.problem !== problem || e.n !== n) throw new RangeError(`recforge: trainCop: checkpoint ${ckpt} is for ${e.problem} n=${e.n}, not ${problem} n=${n}`);
    if ((e.gains ?? false) !== gains) throw new RangeError(`recforge: trainCop: checkpoint ${ckpt} was trained with gains ${e.gains ?? false}, not ${gains}`);
    if ((e.residual ?? false) !== residual) throw new RangeError(`recforge: trainCop: checkpoint ${ckpt} was trained with residual ${e.residual ?? false}, not ${residual}`);
    if (e.envBatch !== undefined && e.envBatch !== envBatch) throw new RangeError(`recforge: trainCop: checkpoint ${ckpt} acted with envBatch ${e.envBatch}, not ${envBatch}`);
    step = resumedFrom = e.step;
    updates = e.updates;
    if (e.round !== undefined) {
      round = e.round;
      losses.push(...e.losses);
      early.push(...(e.early ?? []));
      const cache = new Map<number, Batch>();
      const inst = (r: number, row: number) => {
        if (!cache.has(r)) cache.set(r, roundBatch(r));
        const x = cache.get(r)!.insts[row];
        return { matrix: x.matrix, coords: x.coords };
      };
      replay.load(e.replay, inst);
      resumeLive = e.live;
    }
  }
  let env: CopEnv | null = null, g: CopGraphBatch | null = null, cur: Batch | null = null, acc: NStep[] = [];
  const save = () => {
    if (!ckpt) return;
    fs.mkdirSync(path.dirname(path.resolve(ckpt)), { recursive: true });
    const live: LiveState | null = env ? { round: liveRound, env: envStateJson(env.snapshot()), nstep: acc.map((a) => a.save()) } : null;
    const extra: CheckpointExtra = { step, updates, problem, n, k, family, seed, envBatch, gains, residual, round, losses, early, replay: replay.save(), live };
    saveCheckpoint(ckpt, { model: pair, optimizer: optim, generator: null, extra });
  };

  const valSize = opts.valSize ?? 8;
  const val = stack(Array.from({ length: valSize }, (_, i) => makeInstance(spec, hash2(seed, 0x7a1), i)), problem === "tsp");
  let finished = false;
  try {
  const before = yield* greedyEpisodeSteps(pair.online, val, n, k, 99, knn, "valid", 0);
  const stepRng = (s: number) => new Rng(hash2(hash2(seed, 0x57e9), s));

  // Reward units: objective decrease / n, or for a residual net the size-free unit of its immediate
  // reward term (gain_features.ts rewardUnit), so that Q − r is in the same units at every n.
  let unit = new Float64Array(envBatch).fill(n);
  const openRound = (r: number) => {
    env?.dispose();
    g?.dispose();
    liveRound = r;
    cur = roundBatch(r);
    unit = Float64Array.from(cur.insts, (x) => (residual ? rewardUnit(problem as "maxcut" | "tsp", x.matrix, n) : n));
    env = new CopEnv({ problem, batch: envBatch, n, k: problem === "kcut" ? k : undefined, matrix: cur.matrix });
    g = new CopGraphBatch(cur.matrix, envBatch, n, graphOpts);
    acc = Array.from({ length: envBatch }, () => new NStep(nStep, gamma));
  };
  const newRound = (rng: Rng) => {
    openRound(++round);
    const start = new Int32Array(envBatch * n);
    for (let b = 0; b < envBatch; b++) start.set(startSolution(problem, n, k, rng), b * n);
    env!.reset(start);
  };
  // A reference: the mean objective of the (seeded, random) validation starts themselves.
  let randomStart = 0;
  {
    const e0 = new CopEnv({ problem, batch: valSize, n, k: problem === "kcut" ? k : undefined, matrix: val.matrix });
    const r0 = new Rng(99), s0 = new Int32Array(valSize * n);
    for (let b = 0; b < valSize; b++) s0.set(startSolution(problem, n, k, r0), b * n);
    e0.reset(s0);
    randomStart = e0.readObjective().reduce((a, c) => a + c, 0) / valSize;
    e0.dispose();
  }

  try {
    if (resumeLive) {
      openRound(resumeLive.round);
      env!.restore(envStateFromJson(resumeLive.env));
      resumeLive.nstep.forEach((h, b) => acc[b].load(h));
    }
    while (step < steps) {
      const rng = stepRng(step);
      const live = env as CopEnv | null;
      if (!live || live.readDone().every((d) => d)) newRound(rng);
      const epsilon = epsEnd + (epsStart - epsEnd) * Math.max(0, 1 - step / decay);
      const sol = env!.readSolution();
      const q = qRows(pair.online, g!, sol, cur!.coords);
      const done0 = env!.readDone();
      const act = new Int32Array(envBatch), qa = new Int32Array(envBatch);
      for (let b = 0; b < envBatch; b++) {
        if (done0[b]) { act[b] = -1; continue; }
        const s = sol.subarray(b * n, (b + 1) * n);
        qa[b] = rng.next() < epsilon ? randomAction(problem, n, s, rng) : greedyAction(problem, n, s, q.moves.subarray(b * A, (b + 1) * A), q.stop[b]);
        act[b] = envAction(qa[b], A);
      }
      const reward = env!.step(act);
      const next = env!.readSolution(), done1 = env!.readDone();
      for (let b = 0; b < envBatch; b++) {
        if (done0[b]) continue;
        acc[b].add(sol.slice(b * n, (b + 1) * n), qa[b], reward[b] / unit[b], next.slice(b * n, (b + 1) * n), !!done1[b], (t) =>
          replay.push({ ...t, matrix: cur!.insts[b].matrix, coords: cur!.insts[b].coords, round: liveRound, row: b }));
      }
      step++;
      let loss = NaN;
      if (replay.size >= warmup) {
        loss = update(pair, optim, replay.sample(batchSize, rng), problem, n, k, A, graphOpts);
        losses.push(loss);
        if (losses.length > 100) losses.shift();
        if (early.length < 100) early.push(loss);
        if (++updates % targetEvery === 0) pair.sync();
      }
      opts.onProgress?.({ step, steps, epsilon, loss, updates });
      if (opts.checkpointEvery && step % opts.checkpointEvery === 0) save();
      yield { phase: "train", epoch: round, step, steps, loss: Number.isNaN(loss) ? undefined : loss, metrics: { epsilon, updates } };
    }
    save();
  } finally {
    (env as CopEnv | null)?.dispose();
    (g as CopGraphBatch | null)?.dispose();
    optim.dispose?.();
  }
  const after = yield* greedyEpisodeSteps(pair.online, val, n, k, 99, knn, "eval", round);
  const net = pair.online;
  pair.target.dispose?.();
  finished = true;
  return {
    problem, n, steps, updates, resumedFrom,
    recentLoss: losses.length ? losses.reduce((a, c) => a + c, 0) / losses.length : NaN,
    earlyLoss: early.length ? early.reduce((a, c) => a + c, 0) / early.length : NaN,
    validation: { before, after, randomStart },
    net,
  };
  } finally {
    // An interrupted run leaves nothing alive (its last checkpoint is what remains).
    if (!finished) {
      pair.online.dispose?.();
      pair.target.dispose?.();
      optim.dispose?.();
    }
  }
}

/** The acting batch between steps, as JSON. */
interface LiveState {
  round: number;
  env: Record<string, number[] | null>;
  nstep: { sol: number[]; action: number; r: number }[][];
}

interface CheckpointExtra {
  step: number; updates: number; problem: string; n: number; k: number; family: string; seed: number;
  envBatch?: number; gains?: boolean; residual?: boolean; round?: number; losses: number[]; early?: number[]; replay: { at: number; items: StoredTransition[] }; live: LiveState | null;
}

function envStateJson(s: CopEnvState): Record<string, number[] | null> {
  const out: Record<string, number[] | null> = {};
  for (const [key, v] of Object.entries(s)) out[key] = v ? Array.from(v as ArrayLike<number>) : null;
  return out;
}

function envStateFromJson(j: Record<string, number[] | null>): CopEnvState {
  const f = (key: string) => (j[key] ? Float64Array.from(j[key]!) : null);
  const i = (key: string) => Int32Array.from(j[key] ?? []);
  return { solution: i("solution"), aux: f("aux"), best: i("best"), obj: f("obj")!, bestObj: f("bestObj")!, steps: i("steps"), done: i("done") };
}

/** One double-DQN update on a minibatch; returns the loss. */
function update(pair: DqnPair, optim: Adam, batch: Transition[], problem: CopProblem, n: number, k: number, A: number, graphOpts: { knn?: number }): number {
  const M = batch.length;
  const matrix = new Float64Array(M * n * n), sol = new Int32Array(M * n), next = new Int32Array(M * n);
  const coords = problem === "tsp" ? new Float64Array(M * n * 2) : undefined;
  batch.forEach((t, i) => {
    matrix.set(t.matrix, i * n * n);
    sol.set(t.sol, i * n);
    next.set(t.next, i * n);
    if (coords) coords.set(t.coords!, i * n * 2);
  });
  const g = new CopGraphBatch(matrix, M, n, { ...graphOpts, dtype: pair.online.theta0.dtype });
  try {
    // Double DQN target: the online net chooses a* in s_N, the target net values it.
    const qOnline = qRows(pair.online, g, next, coords), qTarget = qRows(pair.target, g, next, coords);
    const y = new Float64Array(M);
    batch.forEach((t, i) => {
      if (t.discount === 0) return void (y[i] = t.ret);
      const s = next.subarray(i * n, (i + 1) * n);
      const a = greedyAction(problem, n, s, qOnline.moves.subarray(i * A, (i + 1) * A), qOnline.stop[i]);
      y[i] = t.ret + t.discount * (a === A ? qTarget.stop[i] : qTarget.moves[i * A + a]);
    });
    const loss = tidy(() => {
      const q = pair.online.forward(g, sol, coords);
      const all = concat([reshape(q.moves, [M, A]), unsqueeze(q.stop, 1)], 1);
      const idx = tensor(Int32Array.from(batch, (t) => t.action), { dtype: "int32", shape: [M, 1] });
      const qsa = reshape(gather(all, 1, idx), [M]);
      return mse(qsa, tensor(y, { dtype: qsa.dtype }));
    });
    optim.zeroGrad();
    loss.backward();
    optim.step();
    const v = loss.item();
    loss.dispose();
    return v;
  } finally {
    g.dispose();
  }
}
