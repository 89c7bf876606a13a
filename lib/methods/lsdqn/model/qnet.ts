// LS-DQN's Q-network (../shared/reference/lsdqn.md, "Q-network"), on a batch of B same-size instances.
//
// MPNN, T rounds, width d, μ⁰ = 0:
//   μ^{t+1} = relu(θ0 x_v + θ1 (1/|N(v)|) Σ_u w_uv μ_u^t + θ2 (1/|N(v)|) Σ_u relu(θ3 w_uv))
// term 2 is segmentAggregate(μ, csr, "mean", {weight: w}); term 3 is μ-free, computed once per forward
// by averaging relu(θ3 w_e) over the edge → node CSR. x_v = one-hot label (cut problems) or
// coordinates (TSP).
//
// Readouts, Q(s, a) = W0 relu([W1 H_s; W2 H_a]) with W0 = [W0s, W0a] (no biases, as printed):
// - cut problems: H_c(i) = mean μ over cluster i; H_s = Σ_i softmax_i(H_c(i)ᵀ W_a H_a) H_c(i).
//   Max-Cut flip of u (to the other side j): H_a = [μ_u; H_c(j)].
//   k-cut swap (u, v): H_a = [μ_u; μ_v; H_c(l_u); H_c(l_v)] (the spec's reading of the misprint).
//   Every score and W1 H_s, W2 H_a is linear in H_a's blocks, so all n or n² moves are computed from
//   per-node projections ([B, n, ·]) plus one broadcast sum per move.
// - TSP: H_s = last GRU state over μ in tour order; move (i, j) reverses positions i..j and
//   H_a = [μ_{L_i}; μ_{L_j}; μ_{L_{i−1}}; μ_{L_{j+1}}]; W2 H_a = A_i + C_j with
//   A = M W2₁ᵀ + M₋₁ W2₃ᵀ and C = M W2₂ᵀ + M₊₁ W2₄ᵀ (M = μ in tour order, M₋₁ / M₊₁ shifted
//   cyclically): O(n d²) projections, then O(d) per move for all n² moves.
// - Stop ∅: H_a = 0 (so the cut attention is uniform and W2 H_a = 0).
// Gain features (option `gains`, "we", bench/results/cop.md): the environment's cheap move gains
// (model/gain_features.ts) enter as inputs. Max-Cut: x_v = [one-hot label; gain(v)/scale], and
// every move (flip and 2-opt alike) adds w_g · gain_a to its W2 H_a (w_g ∈ R^d): still linear in
// the move's features, so the O(d)-per-move cost of the 2-opt decomposition holds. The stop action
// gets no gain term (its H_a = 0). Without the option the network is the spec's, as printed.
// Residual Q-form (option `residual`, "we", bench/results/cop.md): Q(s, a) = r(s, a) + the network's
// output, r the move's exact immediate reward in size-free units (objective decrease / rewardUnit, the
// trainer's units for a residual net; model/gain_features.ts immediateRewards), stop r = 0. So the network learns only the discounted
// future part (the N-step target minus r). W0 starts at zero: the untrained network's greedy policy is
// then exactly the best-gain move while one improves, else stop (greedy Max-Cut, best-improvement 2-opt).
import { Tensor } from "../../../tensor/tensor.js";
import { Generator } from "../../../tensor/random.js";
import type { DType } from "../../../tensor/dtype.js";
import {
  add, concat, indexSelect, linear, matmul, relu, reshape, segmentAggregate, slice, softmax, squeeze, tensor, transpose, unsqueeze, mean,
} from "../../../ops/index.js";
import { Module, GRU, uniformInit } from "../../../nn/index.js";
import type { CopGraphBatch } from "./cop_graph.js";
import { flipGainFeatures, twoOptGainFeatures, immediateRewards } from "./gain_features.js";
import type { CopProblem } from "../env/cop_env.js";

export interface QNetOptions {
  problem: CopProblem;
  /** Clusters (k-cut; Max-Cut is 2). */
  k?: number;
  /** Width d (default 64). */
  hidden?: number;
  /** Size p of the edge feature relu(θ3 w) (default d). */
  edgeFeatures?: number;
  /** Message-passing rounds T (default 3). */
  rounds?: number;
  dtype?: DType;
  /** Seed of the parameter initialisation (default: the global generator). */
  seed?: number;
  /** Feed the environment's move gains to the network (Max-Cut and TSP; default false: the spec's network). */
  gains?: boolean;
  /** Residual Q-form: Q = immediate reward + network output, W0 initialised to zero (Max-Cut and TSP; default false). */
  residual?: boolean;
}

/** Q-values of a batch: moves [B, n] (Max-Cut) or [B, n, n] (k-cut u·n + v; TSP positions i·n + j, i < j), stop [B]. */
export interface QValues {
  moves: Tensor;
  stop: Tensor;
}

/** What a caller with fixed parameters (a search) may compute once per graph and reuse in every forward. */
export interface ForwardCache {
  /** edgeTerm(g) of the same graph batch, computed with the current parameters. */
  edgeTerm?: Tensor;
}

export class LsdqnQNet extends Module<[CopGraphBatch, Int32Array], QValues> {
  readonly problem: CopProblem;
  readonly k: number;
  readonly d: number;
  readonly p: number;
  readonly rounds: number;
  readonly inDim: number;
  readonly gains: boolean;
  readonly residual: boolean;
  /**
   * Residual only, evaluation only: Q = r + λ · network output (default 1 = the trained Q). λ is a search
   * setting chosen on generated graphs (lsdqnSearch's remainderScale), not a parameter; λ = 0 is greedy.
   */
  remainderScale = 1;
  /** w_g [d]: the gain's direction in W2 H_a (gains only). */
  readonly wg: Tensor | null;
  readonly theta0: Tensor; readonly theta1: Tensor; readonly theta2: Tensor; readonly theta3: Tensor;
  readonly w0: Tensor; readonly w1: Tensor; readonly w2: Tensor; readonly wa: Tensor | null;
  readonly gru: GRU | null;

  constructor(opts: QNetOptions) {
    super();
    if (!["maxcut", "kcut", "tsp"].includes(opts?.problem)) throw new TypeError(`recforge: LsdqnQNet: problem must be "maxcut", "kcut" or "tsp", got ${JSON.stringify(opts?.problem)}`);
    this.problem = opts.problem;
    this.k = opts.problem === "maxcut" ? 2 : opts.problem === "kcut" ? (opts.k ?? 0) : 0;
    if (opts.problem === "kcut" && !(Number.isInteger(this.k) && this.k >= 2)) throw new RangeError(`recforge: LsdqnQNet: kcut needs k >= 2, got ${opts.k}`);
    const d = (this.d = opts.hidden ?? 64), p = (this.p = opts.edgeFeatures ?? d);
    this.rounds = opts.rounds ?? 3;
    for (const [v, what] of [[d, "hidden"], [p, "edgeFeatures"], [this.rounds, "rounds"]] as const)
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`recforge: LsdqnQNet: ${what} must be an integer >= 1, got ${v}`);
    this.gains = !!opts.gains;
    if (this.gains && this.problem === "kcut") throw new RangeError("recforge: LsdqnQNet: gains features exist for maxcut and tsp, not kcut");
    this.residual = !!opts.residual;
    if (this.residual && this.problem === "kcut") throw new RangeError("recforge: LsdqnQNet: the residual Q-form exists for maxcut and tsp, not kcut");
    this.inDim = this.problem === "tsp" ? 2 : this.k + (this.gains ? 1 : 0);
    const init = { dtype: opts.dtype, generator: opts.seed === undefined ? undefined : new Generator(opts.seed) };
    const u = (name: string, shape: number[], fanIn: number) => this.param(name, uniformInit(shape, 1 / Math.sqrt(fanIn), init));
    this.theta0 = u("theta0", [d, this.inDim], this.inDim);
    this.theta1 = u("theta1", [d, d], d);
    this.theta2 = u("theta2", [d, p], p);
    this.theta3 = u("theta3", [p], 1);
    const ha = this.problem === "maxcut" ? 2 * d : 4 * d;
    this.w1 = u("w1", [d, d], d);
    this.w2 = u("w2", [d, ha], ha);
    // Residual: W0 = 0, so the untrained Q is the immediate reward alone (bound 0 draws zeros).
    this.w0 = this.residual ? this.param("w0", uniformInit([1, 2 * d], 0, init)) : u("w0", [1, 2 * d], 2 * d);
    this.wa = this.problem === "tsp" ? null : u("wa", [d, ha], ha);
    this.gru = this.problem === "tsp" ? this.module("gru", new GRU(d, d, init)) : null;
    this.wg = this.gains ? u("wg", [d], 1) : null;
  }

  /** Node features x [B·n, inDim]: one-hot labels (then the scaled flip gain [B·n] when `gains`), or coordinates [B·n·2] for TSP. */
  nodeFeatures(solutionOrCoords: Float64Array | Int32Array, batch: number, n: number, gain?: Float64Array): Tensor {
    const dtype = this.theta0.dtype;
    if (this.problem === "tsp") {
      if (solutionOrCoords.length !== batch * n * 2) throw new RangeError(`recforge: LsdqnQNet: TSP node features are coordinates [B*n*2 = ${batch * n * 2}], got ${solutionOrCoords.length}`);
      return tensor(Float64Array.from(solutionOrCoords), { dtype, shape: [batch * n, 2] });
    }
    if (solutionOrCoords.length !== batch * n) throw new RangeError(`recforge: LsdqnQNet: labels must have B*n = ${batch * n} entries`);
    const D = this.inDim, x = new Float64Array(batch * n * D);
    for (let i = 0; i < batch * n; i++) x[i * D + this.label(solutionOrCoords[i])] = 1;
    if (this.gains) {
      if (!gain || gain.length !== batch * n) throw new RangeError(`recforge: LsdqnQNet: gain features must have B*n = ${batch * n} entries`);
      for (let i = 0; i < batch * n; i++) x[i * D + this.k] = gain[i];
    }
    return tensor(x, { dtype, shape: [batch * n, D] });
  }

  /** Max-Cut spins ±1 → sides 0 / 1; k-cut labels as they are. */
  private label(v: number): number {
    return this.problem === "maxcut" ? (v > 0 ? 1 : 0) : v;
  }

  /**
   * The MPNN's μ-free, solution-free term θ2 (1/|N(v)|) Σ_u relu(θ3 w_uv) [B·n, d]: it depends on the graph
   * and the parameters only, so a search (fixed parameters, no gradient) computes it once per graph and
   * passes it to every forward (`ForwardCache.edgeTerm`) instead of redoing the O(E·p) work each step.
   */
  edgeTerm(g: CopGraphBatch): Tensor {
    const edge = relu(unsqueeze(g.weight, 1).mul(unsqueeze(this.theta3, 0))); // [E, p]
    return linear(segmentAggregate(edge, g.edgeToNode, "mean"), this.theta2);
  }

  /** The MPNN: μ^T [B·n, d]. `term3`: edgeTerm(g), when the caller computed it already. */
  embed(g: CopGraphBatch, x: Tensor, term3?: Tensor): Tensor {
    if (term3 && (term3.ndim !== 2 || term3.shape[0] !== g.batch * g.n || term3.shape[1] !== this.d))
      throw new RangeError(`recforge: LsdqnQNet: the cached edge term must be [B*n, d] = [${g.batch * g.n}, ${this.d}], got [${term3.shape.join(", ")}]`);
    const fixed = add(linear(x, this.theta0), term3 ?? this.edgeTerm(g));
    let mu = relu(fixed);
    for (let t = 1; t < this.rounds; t++) mu = relu(add(fixed, linear(segmentAggregate(mu, g.csr, "mean", { weight: g.weight }), this.theta1)));
    return mu;
  }

  /**
   * Q-values for the batch's current solutions. maxcut / kcut: `solution` = spins / labels [B·n] (node
   * features are the one-hot labels); tsp: `solution` = tours [B·n] and `coords` [B·n·2] the node features.
   */
  forward(g: CopGraphBatch, solution: Int32Array, coords?: Float64Array, cache?: ForwardCache): QValues {
    const { batch: B, n } = g;
    if (solution.length !== B * n) throw new RangeError(`recforge: LsdqnQNet: solution must have B*n = ${B * n} entries, got ${solution.length}`);
    if (this.problem === "tsp" && !coords) throw new TypeError("recforge: LsdqnQNet: TSP needs the coordinates");
    if (this.problem === "tsp" && coords!.length !== B * n * 2) throw new RangeError(`recforge: LsdqnQNet: coords must have B*n*2 = ${B * n * 2} entries, got ${coords!.length}`);
    const gain = !this.gains ? undefined : this.problem === "maxcut" ? flipGainFeatures(g, solution) : twoOptGainFeatures(coords!, solution, B, n);
    const x = this.nodeFeatures(this.problem === "tsp" ? coords! : solution, B, n, this.problem === "maxcut" ? gain : undefined);
    const mu = reshape(this.embed(g, x, cache?.edgeTerm), [B, n, this.d]);
    const q = this.problem === "tsp" ? this.tspReadout(mu, solution, gain) : this.problem === "maxcut" ? this.flipReadout(mu, solution, gain) : this.swapReadout(mu, solution);
    if (!this.residual) return q;
    const r = gain ?? immediateRewards(this.problem as "maxcut" | "tsp", g, solution, coords);
    const lam = this.remainderScale;
    const [fm, fs] = lam === 1 ? [q.moves, q.stop] : [q.moves.mul(lam), q.stop.mul(lam)];
    return { moves: add(fm, tensor(r, { dtype: q.moves.dtype, shape: [...q.moves.shape] })), stop: fs };
  }

  /** W2 H_a plus, with gains, w_g · gain_a: act [B, A, d], gain [B·A]. */
  private withGain(act: Tensor, gain: Float64Array | undefined): Tensor {
    if (!this.gains) return act;
    const [B, A] = [act.shape[0], act.shape[1]];
    const gt = tensor(gain!, { dtype: this.theta0.dtype, shape: [B, A, 1] });
    return add(act, gt.mul(reshape(this.wg!, [1, 1, this.d])));
  }

  private blocks(w: Tensor, parts: number): Tensor[] {
    return Array.from({ length: parts }, (_, i) => slice(w, w.ndim - 1, i * this.d, (i + 1) * this.d));
  }

  /** [B, k, n] cluster-mean weights and [B, n, k] one-hots of each node's label and (Max-Cut) of the other side. */
  private clusterMatrices(solution: Int32Array, B: number, n: number): { mean: Tensor; own: Tensor; other: Tensor } {
    const k = this.k, dtype = this.theta0.dtype;
    const mean = new Float64Array(B * k * n), own = new Float64Array(B * n * k), other = new Float64Array(B * n * k);
    for (let b = 0; b < B; b++) {
      const size = new Float64Array(k);
      for (let v = 0; v < n; v++) size[this.label(solution[b * n + v])]++;
      for (let v = 0; v < n; v++) {
        const c = this.label(solution[b * n + v]);
        mean[(b * k + c) * n + v] = 1 / size[c];
        own[(b * n + v) * k + c] = 1;
        other[(b * n + v) * k + (1 - c)] = k === 2 ? 1 : 0;
      }
    }
    return {
      mean: tensor(mean, { dtype, shape: [B, k, n] }), own: tensor(own, { dtype, shape: [B, n, k] }), other: tensor(other, { dtype, shape: [B, n, k] }),
    };
  }

  private head(ws: Tensor, act: Tensor): Tensor {
    // W0 relu([W1 H_s; W2 H_a]) with the two halves computed separately: ws = W1 H_s, act = W2 H_a.
    const [w0s, w0a] = [slice(this.w0, 1, 0, this.d), slice(this.w0, 1, this.d, 2 * this.d)];
    return squeeze(add(linear(relu(ws), w0s), linear(relu(act), w0a)), -1);
  }

  private stopValue(hs: Tensor): Tensor {
    return squeeze(linear(relu(linear(hs, this.w1)), slice(this.w0, 1, 0, this.d)), -1);
  }

  private flipReadout(mu: Tensor, spins: Int32Array, gain?: Float64Array): QValues {
    const [B, n] = [mu.shape[0], mu.shape[1]];
    const m = this.clusterMatrices(spins, B, n);
    const hc = matmul(m.mean, mu); // [B, 2, d]
    const ha = concat([mu, matmul(m.other, hc)], 2); // [B, n, 2d]
    const att = softmax(matmul(ha, transpose(matmul(hc, this.wa!), 1, 2)), -1); // [B, n, 2]
    const moves = this.head(matmul(att, linear(hc, this.w1)), this.withGain(linear(ha, this.w2), gain));
    return { moves, stop: this.stopValue(mean(hc, 1)) };
  }

  private swapReadout(mu: Tensor, labels: Int32Array): QValues {
    const [B, n] = [mu.shape[0], mu.shape[1]];
    const k = this.k, d = this.d;
    const m = this.clusterMatrices(labels, B, n);
    const hc = matmul(m.mean, mu); // [B, k, d]
    const hl = matmul(m.own, hc); // [B, n, d] H_c(l_v)
    const [p1, p2, p3, p4] = this.blocks(matmul(hc, this.wa!), 4); // each [B, k, d]
    const sc = (x: Tensor, pblk: Tensor) => matmul(x, transpose(pblk, 1, 2)); // [B, n, k]
    const a = add(sc(mu, p1), sc(hl, p3)), bb = add(sc(mu, p2), sc(hl, p4));
    const att = softmax(add(unsqueeze(a, 2), unsqueeze(bb, 1)), -1); // [B, n, n, k]
    const ws = matmul(reshape(att, [B, n * n, k]), linear(hc, this.w1)); // [B, n², d] = W1 H_s per move
    const [w21, w22, w23, w24] = this.blocks(this.w2, 4);
    const cu = add(linear(mu, w21), linear(hl, w23)), cv = add(linear(mu, w22), linear(hl, w24));
    const act = reshape(add(unsqueeze(cu, 2), unsqueeze(cv, 1)), [B, n * n, d]);
    return { moves: reshape(this.head(ws, act), [B, n, n]), stop: this.stopValue(mean(hc, 1)) };
  }

  /** μ in tour order [B, n, d], shifted by `shift` positions (row p holds μ of L[p + shift], cyclic). */
  private tourRows(mu: Tensor, tours: Int32Array, shift: number): Tensor {
    const [B, n] = [mu.shape[0], mu.shape[1]];
    const idx = new Int32Array(B * n);
    for (let b = 0; b < B; b++) for (let p = 0; p < n; p++) idx[b * n + p] = b * n + tours[b * n + (((p + shift) % n) + n) % n];
    const it = tensor(idx, { dtype: "int32" });
    const rows = reshape(indexSelect(reshape(mu, [B * n, this.d]), 0, it), [B, n, this.d]);
    it.dispose();
    return rows;
  }

  /** H_s: the GRU's last state over μ in tour order [B, d]. */
  tourState(tourMu: Tensor): Tensor {
    return squeeze(this.gru!.forward(tourMu).hN, 0);
  }

  private tspReadout(mu: Tensor, tours: Int32Array, gain?: Float64Array): QValues {
    const [B, n] = [mu.shape[0], mu.shape[1]];
    const M = this.tourRows(mu, tours, 0), prev = this.tourRows(mu, tours, -1), next = this.tourRows(mu, tours, 1);
    const hs = this.tourState(M);
    const [w21, w22, w23, w24] = this.blocks(this.w2, 4);
    const A = add(linear(M, w21), linear(prev, w23)), C = add(linear(M, w22), linear(next, w24)); // [B, n, d]
    const ws = unsqueeze(linear(hs, this.w1), 1); // [B, 1, d], the same for every move
    const act = this.withGain(reshape(add(unsqueeze(A, 2), unsqueeze(C, 1)), [B, n * n, this.d]), gain);
    return { moves: reshape(this.head(ws, act), [B, n, n]), stop: this.stopValue(hs) };
  }
}
