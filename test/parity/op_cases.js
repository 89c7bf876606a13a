// Backend parity, ggml test-backend-ops style: ONE list with an entry for every op of the op table
// (native/ops.table.mjs). Each entry either
//   - builds the op's named arguments (random inputs, odd sizes, both float dtypes where the op has
//     them; outputs poisoned) so the harness (backend_parity.js) can run it on every backend
//     present and compare each backend's outputs with the CPU's, and/or
//   - names the differentiable public op(s) over it (`grad`): their gradients are checked against
//     central finite differences in float64 on the CPU and compared across backends, or
//   - says which entry covers it (`via`: a backward op is checked through its forward's `grad`), or
//     why it is exempt (`exempt`: storage/runtime entry points, tested by their own tests).
// The harness fails for a table op with no entry here, and for an entry naming no table op, so a
// new table entry is checked on every backend by adding one entry here.
import { bipartiteCsr } from "../../dist/index.js";

export const F32 = 0, F64 = 1;

// Argument specs: in(shape) random floats, ints(shape, lo, hi) random int32 in [lo, hi),
// fixed(Int32Array | Float*Array, shape), out(shape, dtype?) a poisoned output; dtype defaults
// to the case's float dtype. inout(spec) marks an input the op updates in place (compared too);
// scratch(shape) an output the op uses as its own memory (the GRU's reserve: not compared). A
// tensor-list argument (table type "tensors") is an array of specs.
const inp = (shape, o = {}) => ({ kind: "in", shape, ...o });
const ints = (shape, lo, hi) => ({ kind: "ints", shape, lo, hi });
const fixed = (data, shape) => ({ kind: "fixed", data, shape: shape ?? [data.length] });
const out = (shape, dtype) => ({ kind: "out", shape, dtype });
const inout = (spec) => ({ ...spec, inout: true });
const scratch = (shape) => ({ kind: "out", shape, scratch: true });
const strides = (shape) => {
  const s = new Array(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d];
  }
  return s;
};
const numel = (shape) => shape.reduce((p, d) => p * d, 1);
const BOTH = [F32, F64];

// A small graph with odd sizes, a node without in-edges and a repeated edge.
// dup: one edge twice (sum / mean / softmax see it twice); without it every destination's sources
// are distinct, so max / min have no ties and their argmax is the same on every backend.
// Built once per (n, dup) and kept: a graph's device copies and transpose are created on first
// use and live as long as the graph (the gradient checks count live tensors).
const graphs = new Map();
function graph(n, dup = true) {
  const key = `${n}:${dup}`;
  if (!graphs.has(key)) graphs.set(key, makeGraph(n, dup));
  return graphs.get(key);
}
function makeGraph(n, dup) {
  const src = [], dst = [];
  for (let d = 0; d < n; d++) {
    if (d === 1) continue; // no incoming edges
    const deg = Math.min(n, 1 + (d % 3));
    for (let j = 0; j < deg; j++) {
      src.push((d + 2 * j + 1) % n === d && n > 1 ? (d + 2 * j + 2) % n : (d + 2 * j + 1) % n);
      dst.push(d);
    }
  }
  if (dup && src.length) {
    src.push(src[0]);
    dst.push(dst[0]);
  }
  return bipartiteCsr({ numSrc: n, numDst: n, src, dst });
}

// Intervals [5, L] of the DTI layout: prefix [0, 1), context [max(0, i-3), i+1), selfLo = i.
function intervals(L) {
  const iv = new Int32Array(5 * L);
  for (let i = 0; i < L; i++) {
    iv[i] = 0;
    iv[L + i] = Math.min(1, L);
    iv[2 * L + i] = Math.max(0, i - 3);
    iv[3 * L + i] = i + 1;
    iv[4 * L + i] = i;
  }
  return iv;
}

const U = { Neg: 0, Exp: 1, Log: 2, Sqrt: 3, Abs: 5, Relu: 6, LeakyRelu: 7, Gelu: 9, Silu: 10, Sigmoid: 11, Tanh: 12, Clamp: 13, PowScalar: 14 };

export const cases = {
  // ---- storage and runtime: their own tests -------------------------------------------------
  alloc: { exempt: "storage: test/core/handles.test.js, test/core/memory.test.js" },
  free: { exempt: "storage: test/core/handles.test.js" },
  write: { exempt: "storage: every case here writes its inputs through it" },
  read: { exempt: "storage: every case here reads its outputs through it" },
  copyDevice: { exempt: "storage: test/cuda/checks.js (to() between devices)" },
  memoryStats: { exempt: "runtime: test/core/memory.test.js" },
  resetPeak: { exempt: "runtime: test/core/memory.test.js" },
  mpiInit: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiAllreduceStart: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiBroadcastStart: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiBarrierStart: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiBroadcastBytes: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiTest: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiWait: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiAbort: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  mpiFinalize: { exempt: "runtime (MPI): test/distributed/mpi.test.js (2 ranks under mpirun)" },
  ncclLoadError: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclUniqueId: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclInit: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclAllreduce: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclBroadcast: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclWait: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  ncclDestroy: { exempt: "runtime (NCCL): native/tests/cuda/nccl_test.cu (single-rank communicator on a GPU; the error path under the emulator) and scripts/cuda-smoke.mjs" },
  emptyCache: { exempt: "runtime: test/core/memory.test.js" },
  deviceInfo: { exempt: "runtime: test/cuda/cuda.test.js" },
  synchronize: { exempt: "runtime: the harness calls it after every CUDA op" },
  getNumThreads: { exempt: "runtime: test/core/determinism.test.js" },
  setNumThreads: { exempt: "runtime: test/core/determinism.test.js" },
  gemmBackend: { exempt: "runtime: test/package/cli.test.js (bench ops)" },
  gemmDispatch: { exempt: "runtime: test/package/gemm_dispatch.test.js (the choice per BLAS core, simulated in child processes)" },
  cpuIsa: { exempt: "runtime: test/package/cpu_isa.test.js (every variant, forced, against a float64 reference)" },
  cpuIsaReason: { exempt: "runtime: test/package/cpu_isa.test.js" },
  gemmOwnF32: { exempt: "benchmark entry point (bench ops); the dispatched gemm is checked below" },
  cblasSgemm: { exempt: "benchmark baseline (bench ops); no recforge kernel" },

  // ---- elementwise ----------------------------------------------------------------------------
  unary: {
    sizes: [1, 7, 33],
    dtypes: BOTH,
    build: (n, dt, r) =>
      Object.values(U).map((op) => ({
        label: `op ${op}`,
        args: { dtype: dt, op, n, x: inp([n], op === U.Log || op === U.Sqrt || op === U.PowScalar ? { lo: 0.1, hi: 2 } : {}), out: out([n]), a: op === U.Clamp ? -0.5 : op === U.PowScalar ? 1.5 : 0.1, b: 0.5 },
      })),
    grad: [
      { name: "tanh", fn: (rf, x) => rf.tanh(x), shapes: [[3, 5]] },
      { name: "gelu", fn: (rf, x) => rf.gelu(x), shapes: [[7]] },
      { name: "sigmoid", fn: (rf, x) => rf.sigmoid(x), shapes: [[2, 3]] },
    ],
  },
  unaryBackward: { via: "unary" },
  binary: {
    sizes: [1, 5, 17],
    dtypes: BOTH,
    build: (n, dt) =>
      [0, 1, 2, 3, 5, 7, 11].map((op) => {
        const shape = [3, n];
        // b broadcast along the rows (stride 0), a a transposed view of an [n, 3] tensor.
        return { label: `op ${op}`, args: { dtype: dt, op, shape, a: inp([3 * n]), aStrides: [1, 3], b: inp([n], op === 3 ? { lo: 0.5, hi: 2 } : {}), bStrides: [0, 1], out: out(shape) } };
      }),
    grad: [{ name: "mul / div broadcast", fn: (rf, a, b) => rf.div(rf.mul(a, b), rf.add(rf.mul(b, b), 1)), shapes: [[3, 4], [4]] }],
  },
  where: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, shape: [2, n], cond: inp([n], { lo: -1, hi: 1, sign: true }), condStrides: [0, 1], a: inp([2 * n]), aStrides: [n, 1], b: inp([1]), bStrides: [0, 0], out: out([2, n]) } }],
  },
  stridedCopy: {
    sizes: [1, 6, 13],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, shape: [n, 3], src: inp([3 * n]), srcStrides: [1, n], dst: out([3 * n]), dstStrides: [3, 1] } }],
  },
  cast: {
    sizes: [1, 11],
    dtypes: BOTH,
    build: (n, dt) => [
      { label: "to the other float", args: { srcDtype: dt, dstDtype: 1 - dt, n, src: inp([n]), dst: out([n], 1 - dt) } },
      { label: "to int32", args: { srcDtype: dt, dstDtype: 2, n, src: inp([n], { lo: -50, hi: 50 }), dst: out([n], 2) } },
    ],
  },
  fill: { sizes: [1, 10], dtypes: BOTH, build: (n, dt) => [{ args: { dtype: dt, n, dst: out([n]), value: -2.5 } }] },
  axpby: { sizes: [1, 19], dtypes: BOTH, build: (n, dt) => [{ args: { dtype: dt, n, x: inp([n]), s: 0.5, y: inp([n]), t: -1.5, out: out([n]) } }] },

  // ---- reductions, softmax, norms, losses -------------------------------------------------------
  reduce: {
    sizes: [1, 7],
    dtypes: BOTH,
    build: (n, dt) =>
      [0, 1, 2, 3].map((op) => ({ label: `op ${op}`, args: { dtype: dt, op, outer: 3, r: n, inner: 2, x: inp([3 * n * 2]), out: out([6]), indices: op >= 2 ? out([6], 2) : null } })),
    grad: [
      { name: "sum over an axis", fn: (rf, x) => rf.sum(x, 1), shapes: [[3, 5, 2]] },
      { name: "max over an axis", fn: (rf, x) => rf.max(x, 0).values, shapes: [[4, 3]] },
    ],
  },
  sumSquares: { sizes: [1, 31], dtypes: BOTH, build: (n, dt) => [{ args: { dtype: dt, n, x: inp([n]) }, returns: true }] },
  softmax: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [false, true].map((log) => ({ label: log ? "log" : "plain", args: { dtype: dt, rows: 3, n, log, x: inp([3 * n]), out: out([3 * n]) } })),
    grad: [
      { name: "softmax", fn: (rf, x) => rf.softmax(x, -1), shapes: [[3, 5]] },
      { name: "logSoftmax", fn: (rf, x) => rf.logSoftmax(x, -1), shapes: [[2, 7]] },
    ],
  },
  softmaxBackward: { via: "softmax" },
  norm: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [
      { label: "layer", args: { dtype: dt, rms: false, rows: 3, n, eps: 1e-5, x: inp([3 * n]), weight: inp([n]), bias: inp([n]), out: out([3 * n]), mean: out([3]), rstd: out([3]) } },
      { label: "rms", args: { dtype: dt, rms: true, rows: 3, n, eps: 1e-6, x: inp([3 * n]), weight: null, bias: null, out: out([3 * n]), mean: null, rstd: out([3]) } },
    ],
    grad: [
      { name: "layerNorm", fn: (rf, x, w, b) => rf.layerNorm(x, w, b), shapes: [[3, 6], [6], [6]] },
      { name: "rmsNorm", fn: (rf, x, w) => rf.rmsNorm(x, w), shapes: [[4, 5], [5]] },
    ],
  },
  normBackward: { via: "norm" },
  bceLogits: {
    sizes: [1, 13],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, posWeight: 1.5, logits: inp([n], { lo: -4, hi: 4 }), target: inp([n], { lo: 0, hi: 1 }), loss: out([n]) } }],
    grad: [{ name: "bceWithLogits", fn: (rf, x, y) => rf.bceWithLogits(x, y, { posWeight: 2 }), shapes: [[7], [7]], positive: [1] }],
  },
  bceLogitsBackward: { via: "bceLogits" },
  crossEntropy: {
    sizes: [1, 7],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, classes: 5, ignoreIndex: -100, logits: inp([n * 5]), target: ints([n], 0, 5), loss: out([n]), lse: out([n]) } }],
    grad: [{ name: "crossEntropy", fn: (rf, x) => rf.crossEntropy(x, rf.tensor([0, 3, 1, 4], { dtype: "int32", device: x.device })), shapes: [[4, 5]] }],
  },
  crossEntropyBackward: { via: "crossEntropy" },

  // ---- indexing, sorting --------------------------------------------------------------------------
  gatherRows: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, d: 3, rows: 5, table: inp([15]), indices: ints([n], 0, 5), out: out([n * 3]) } }],
    grad: [{ name: "embedding", fn: (rf, w) => rf.embedding(rf.tensor([0, 2, 2, 4, 1], { dtype: "int32", device: w.device }), w), shapes: [[5, 3]] }],
  },
  scatterAddRows: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, d: 3, rows: 5, src: inp([n * 3]), indices: ints([n], 0, 5), out: inout(inp([15])) } }],
  },
  gatherAxis: {
    sizes: [1, 6],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, outer: 2, dim: 4, k: n, inner: 3, x: inp([24]), indices: ints([2 * n * 3], 0, 4), out: out([2 * n * 3]) } }],
    grad: [{ name: "gather", fn: (rf, x) => rf.gather(x, 1, rf.tensor([[0, 3, 3], [2, 1, 0]], { dtype: "int32", device: x.device })), shapes: [[2, 4]] }],
  },
  scatterAddAxis: {
    sizes: [1, 6],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, outer: 2, dim: 4, k: n, inner: 3, src: inp([2 * n * 3]), indices: ints([2 * n * 3], 0, 4), out: inout(inp([24])) } }],
    grad: [{ name: "scatterAdd", fn: (rf, x, s) => rf.scatterAdd(x, 1, rf.tensor([[0, 3], [2, 2]], { dtype: "int32", device: x.device }), s), shapes: [[2, 4], [2, 2]] }],
  },
  topk: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (n, dt) => [true, false].map((largest) => ({ label: largest ? "largest" : "smallest", args: { dtype: dt, rows: 3, n, k: Math.min(n, 3), largest, x: inp([3 * n]), values: out([3 * Math.min(n, 3)]), indices: out([3 * Math.min(n, 3)], 2) } })),
  },
  sort: {
    sizes: [1, 10],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, rows: 2, n, descending: true, x: inp([2 * n]), values: out([2 * n]), indices: out([2 * n], 2) } }],
  },

  // ---- random, optimisers ------------------------------------------------------------------------
  randomFill: {
    sizes: [1, 37],
    dtypes: BOTH,
    build: (n, dt) => [0, 1, 2].map((kind) => ({ label: `kind ${kind}`, args: { dtype: dt, kind, seed: 1234, offset: 77, n, out: out([n]), a: kind === 2 ? 0.3 : -1, b: 2 } })),
  },
  randomInt: { sizes: [1, 37], dtypes: [F32], build: (n) => [{ args: { seed: 99, offset: 5, n, out: out([n], 2), low: -3, high: 11 } }] },
  sgdStep: {
    sizes: [1, 11],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, param: inout(inp([n])), grad: inp([n]), momentumBuf: inout(inp([n])), lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: true, first: false } }],
  },
  adamStep: {
    sizes: [1, 11],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, param: inout(inp([n])), grad: inp([n]), m: inout(inp([n])), v: inout(inp([n], { lo: 0, hi: 1 })), lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 3 } }],
  },
  scaleInplace: { sizes: [1, 23], dtypes: BOTH, build: (n, dt) => [{ args: { dtype: dt, n, x: inout(inp([n])), scale: -0.75 } }] },
  adagradStep: {
    sizes: [1, 11],
    dtypes: BOTH,
    build: (n, dt) => [{ args: { dtype: dt, n, param: inout(inp([n])), grad: inp([n]), sum: inout(inp([n], { lo: 0, hi: 1 })), lr: 0.05, lrDecay: 0.1, eps: 1e-10, weightDecay: 0.01, step: 3 } }],
  },

  // ---- GEMM ------------------------------------------------------------------------------------
  gemm: {
    sizes: [1, 5, 17],
    dtypes: BOTH,
    build: (n, dt) =>
      [[false, false], [true, false], [false, true]].map(([tA, tB]) => {
        const M = n, N = 3, K = n + 2;
        return {
          label: `transA ${tA} transB ${tB}`,
          args: { dtype: dt, transA: tA, transB: tB, M, N, K, alpha: 0.5, a: inp([2 * M * K]), lda: tA ? M : K, strideA: M * K, b: inp([2 * K * N]), ldb: tB ? K : N, strideB: K * N, beta: 0.25, c: inout(inp([2 * M * N])), ldc: N, strideC: M * N, batch: 2 },
        };
      }),
    grad: [{ name: "matmul (batched, broadcast)", fn: (rf, a, b) => rf.matmul(a, b), shapes: [[2, 3, 4], [4, 5]] }],
  },
  gemmLowp: { via: "gemm", note: "cuda only; 16-bit inputs: test/cuda/amp_checks.js against roundHalf-rounded float64 references" },
  roundHalf: {
    sizes: [1, 40],
    dtypes: [F32],
    build: (n) => [0, 1].map((kind) => ({ label: kind ? "float16" : "bfloat16", args: { kind, n, x: inp([n], { lo: -70000, hi: 70000 }), y: out([n]) } })),
  },

  // ---- attention, RoPE --------------------------------------------------------------------------
  intervalAttentionForward: {
    sizes: [1, 7],
    dtypes: BOTH,
    build: (L, dt) => {
      const H = 2, D = 3;
      return [false, true].map((alibi) => ({
        label: alibi ? "ALiBi" : "plain",
        args: { dtype: dt, H, L, D, q: inp([H * L * D]), k: inp([H * L * D]), v: inp([H * L * D]), intervals: fixed(intervals(L), [5, L]), useAlibi: alibi, slopes: alibi ? inp([H], { lo: 0, hi: 1 }) : null, pos: alibi ? fixed(Int32Array.from({ length: L }, (_, i) => 2 * i)) : null, scale: 0.6, out: out([H * L * D]), lse: out([H * L]) },
      }));
    },
    grad: [{ name: "intervalAttention", fn: (rf, q, k, v) => rf.intervalAttention(q, k, v, intervals(5)), shapes: [[2, 5, 3], [2, 5, 3], [2, 5, 3]] }],
  },
  intervalAttentionBackward: { via: "intervalAttentionForward" },
  denseMaskedAttentionForward: {
    sizes: [1, 7],
    dtypes: BOTH,
    build: (L, dt) => [{ args: { dtype: dt, H: 2, L, D: 3, q: inp([6 * L]), k: inp([6 * L]), v: inp([6 * L]), intervals: fixed(intervals(L), [5, L]), useAlibi: false, slopes: null, pos: null, scale: 0.6, out: out([6 * L]), lse: out([2 * L]) } }],
    grad: [{ name: "denseMaskedAttention", fn: (rf, q, k, v) => rf.denseMaskedAttention(q, k, v, intervals(4)), shapes: [[1, 4, 3], [1, 4, 3], [1, 4, 3]] }],
  },
  denseMaskedAttentionBackward: { via: "denseMaskedAttentionForward" },
  intervalAttentionForwardLowp: { via: "intervalAttentionForward", note: "cuda only: test/cuda/amp_checks.js" },
  intervalAttentionBackwardLowp: { via: "intervalAttentionForward", note: "cuda only: test/cuda/amp_checks.js" },
  ropeTables: {
    sizes: [1, 9],
    dtypes: BOTH,
    build: (L, dt) => [{ args: { dtype: dt, L, D: 6, pos: fixed(Int32Array.from({ length: L }, (_, i) => 3 * i - 2)), base: 10000, cos: out([L * 3]), sin: out([L * 3]) } }],
  },
  ropeApply: {
    sizes: [1, 5],
    dtypes: BOTH,
    build: (L, dt) => {
      const H = 3, D = 4;
      // x in [L, H, D] layout read as heads (head stride D, token stride H*D); y in [H, L, D].
      return [false, true].map((inverse) => ({ label: inverse ? "inverse" : "forward", args: { dtype: dt, H, L, D, x: inp([H * L * D]), xStrideH: D, xStrideL: H * D, cos: inp([L * 2]), sin: inp([L * 2]), inverse, y: out([H * L * D]), yStrideH: L * D, yStrideL: D } }));
    },
    grad: [{ name: "rope", fn: (rf, x) => rf.rope(x, [0, 3, 4, 9]), shapes: [[2, 4, 6]] }],
  },

  // ---- graphs -------------------------------------------------------------------------------------
  cooToCsr: {
    sizes: [1, 6],
    dtypes: [F32],
    build: (n) => {
      const g = graph(n);
      return [{ args: { nDst: n, nSrc: n, nEdges: g.numEdges, src: fixed(g.src), dst: fixed(g.dst), rowptr: out([n + 1], 2), csrSrc: out([g.numEdges], 2), eid: out([g.numEdges], 2) } }];
    },
  },
  csrTranspose: {
    sizes: [1, 6],
    dtypes: [F32],
    build: (n) => {
      const g = graph(n);
      return [{ args: { nDst: n, nSrc: n, nEdges: g.numEdges, rowptr: fixed(g.rowptr), src: fixed(g.src), tRowptr: out([n + 1], 2), tDst: out([g.numEdges], 2), tEid: out([g.numEdges], 2) } }];
    },
  },
  segmentAggregate: {
    sizes: [2, 7],
    dtypes: BOTH,
    build: (n, dt) => {
      return [0, 1, 2, 3].map((reduce) => {
        const g = graph(n, reduce < 2), F = 3, E = g.numEdges;
        return {
        label: `reduce ${reduce}`,
        args: { dtype: dt, reduce, nDst: n, nSrc: n, F, nEdges: E, rowptr: fixed(g.rowptr), src: fixed(g.src), x: inp([n * F]), w: reduce < 2 ? inp([E]) : null, out: out([n * F]), arg: reduce >= 2 ? out([n * F], 2) : null },
        };
      });
    },
    grad: [
      { name: "segmentAggregate mean, weighted", fn: (rf, x, w) => rf.segmentAggregate(x, graph(5), "mean", { weight: w }), shapes: [[5, 2], [graph(5).numEdges]] },
      { name: "segmentAggregate max", fn: (rf, x) => rf.segmentAggregate(x, graph(5, false), "max"), shapes: [[5, 3]] },
    ],
  },
  segmentAggregateBackward: { via: "segmentAggregate" },
  edgeSoftmax: {
    sizes: [2, 7],
    dtypes: BOTH,
    build: (n, dt) => {
      const g = graph(n), H = 2, E = g.numEdges;
      return [{ args: { dtype: dt, nDst: n, H, nEdges: E, rowptr: fixed(g.rowptr), scores: inp([E * H]), alpha: out([E * H]) } }];
    },
    grad: [{ name: "edgeSoftmax", fn: (rf, s) => rf.edgeSoftmax(s, graph(6)), shapes: [[graph(6).numEdges, 2]] }],
  },
  edgeSoftmaxBackward: { via: "edgeSoftmax" },
  gatForward: {
    sizes: [2, 7],
    dtypes: BOTH,
    build: (n, dt) => {
      const g = graph(n), H = 2, F = 3, E = g.numEdges;
      return [{ args: { dtype: dt, N: n, H, F, nEdges: E, negativeSlope: 0.2, rowptr: fixed(g.rowptr), src: fixed(g.src), wh: inp([n * H * F]), aSrc: inp([H * F]), aDst: inp([H * F]), out: out([n * H * F]), el: out([n * H]), er: out([n * H]), alpha: out([E * H]) } }];
    },
    grad: [{ name: "gatAttention", fn: (rf, wh, a, b) => rf.gatAttention(wh, a, b, graph(5)), shapes: [[5, 2, 3], [2, 3], [2, 3]] }],
  },
  gatBackward: { via: "gatForward" },
  gatWorkspaceSize: { sizes: [1, 9], dtypes: [F32], build: (n) => [{ args: { N: n, nEdges: 2 * n + 1, H: 2, F: 3 }, returns: true }] },

  // ---- MultiBalance --------------------------------------------------------------------------------
  balanceGradients: {
    sizes: [1, 13],
    dtypes: BOTH,
    build: (n, dt) =>
      [0, 1, 2].map((refMode) => ({
        label: `refMode ${refMode}`,
        args: { dtype: dt, T: 3, N: n, g: inp([3 * n]), m: inout(inp([3], { lo: 0.1, hi: 2, dtype: F64 })), init: inout(fixed(Int32Array.of(1, 0, 1))), beta: 0.9, relax: 0.7, refMode, target: 1, strategy: refMode, out: out([n]), weights: out([3], F64), norms: out([3], F64) },
      })),
  },

  balanceGradientsRows: { exempt: "CPU only (on CUDA balanceGradients stacks and calls balanceGradients): test/multibalance/balance_rows_op.test.js checks it against the float64 reference and bit for bit against balanceGradients" },

  // ---- full-ranking ranks ---------------------------------------------------------------------------
  targetRanks: {
    sizes: [1, 9, 40],
    dtypes: BOTH,
    build: (n, dt) => {
      const rows = 3;
      // targets in [1, n-2] so that items 0 and n-1 can be excluded
      const targets = fixed(Int32Array.from({ length: rows }, (_, r) => (n < 3 ? 0 : 1 + ((3 * r) % (n - 2)))));
      const base = { dtype: dt, rows, n, scores: inp([rows * n]), targets, ranks: out([rows], 2) };
      const v = [{ label: "no exclusion", args: { ...base, exclude: null, nExclude: 0 } }];
      if (n >= 3) v.push({ label: "exclusion", args: { ...base, exclude: fixed(Int32Array.of(n - 1, 0)), nExclude: 2 } });
      return v;
    },
  },

  // ---- fused GRU ------------------------------------------------------------------------------------
  gruForward: {
    sizes: [1, 4],
    dtypes: BOTH,
    build: (T, dt) =>
      [
        { B: 2, inSize: 3, H: 4, layers: 1, dirs: 1, bias: true, lengths: null, h0: false },
        { B: 3, inSize: 2, H: 3, layers: 2, dirs: 2, bias: false, lengths: [T, 1, T - 1], h0: true },
      ].map((c) => {
        const { B, inSize, H, layers, dirs, bias } = c, K = layers * dirs;
        // the tensor list, per k = layer * dirs + direction: wIh, wHh, (bIh, bHh)
        const weights = [];
        for (let k = 0; k < K; k++) {
          weights.push(inp([3 * H * (k < dirs ? inSize : dirs * H)]), inp([3 * H * H]));
          if (bias) weights.push(inp([3 * H]), inp([3 * H]));
        }
        const reserve = K * B * T * 5 * H + (layers - 1) * B * T * dirs * H; // gru.h GruLayout
        return {
          label: `layers ${layers} dirs ${dirs}${bias ? " bias" : ""}${c.lengths ? " lengths" : ""}`,
          args: { dtype: dt, B, T, inSize, H, layers, dirs, bias, x: inp([B * T * inSize]), lengths: c.lengths ? fixed(Int32Array.from(c.lengths)) : null,
            h0: c.h0 ? inp([K * B * H]) : null, out: out([B * T * dirs * H]), hN: out([K * B * H]), reserve: scratch([reserve]), workspace: null, weights },
        };
      }),
    grad: [
      {
        name: "gru (bidirectional, bias, h0)",
        fn: (rf, x, h0, wi0, wi1, wh0, wh1, bi0, bi1, bh0, bh1) =>
          rf.tidy(() => {
            const r = rf.gru(x, { wIh: [wi0, wi1], wHh: [wh0, wh1], bIh: [bi0, bi1], bHh: [bh0, bh1] }, { bidirectional: true, h0, lengths: [3, 2] });
            return rf.add(rf.sum(rf.square(r.output)), rf.sum(rf.square(r.hN)));
          }),
        shapes: [[2, 3, 4], [2, 2, 5], [15, 4], [15, 4], [15, 5], [15, 5], [15], [15], [15], [15]],
      },
    ],
  },
  gruBackward: { via: "gruForward" },
  gruSizes: { sizes: [1, 6], dtypes: [F32], build: (T) => [{ args: { B: 3, T, inSize: 5, H: 7, layers: 2, dirs: 2 }, returns: true }] },

  // ---- LS-DQN environments (CPU only) -------------------------------------------------------------
  copReset: { exempt: "CPU only (no other backend to compare): test/lsdqn/env.test.js and ctest cop_env_test check every move against from-scratch references" },
  copStep: { exempt: "CPU only (no other backend to compare): test/lsdqn/env.test.js and ctest cop_env_test" },
  copMoveGains: { exempt: "CPU only (no other backend to compare): test/lsdqn/env.test.js and ctest cop_env_test" },
  copTspDistances: { exempt: "CPU only (no other backend to compare): test/lsdqn/env.test.js (TSPLIB EUC_2D distances, opt tours)" },
  lsdqnMaxCutQ: { exempt: "CPU only (no other backend to compare), inference only (no gradient): test/lsdqn/maxcut_q_kernel.test.js (against LsdqnQNet.forward, poisoned outputs, bad inputs) and ctest lsdqn_maxcut_q_test (naive float64 reference)" },
};

/** Problems of the list against the table: ops without an entry, entries without an op, bad `via`. */
export function coverageProblems(tableOps) {
  const names = new Set(tableOps.map((o) => o.name));
  const problems = [];
  for (const o of tableOps) if (!cases[o.name]) problems.push(`${o.name} (${o.backends.join(", ")}) is in the op table but has no entry in test/parity/op_cases.js`);
  for (const [name, c] of Object.entries(cases)) {
    if (!names.has(name)) problems.push(`test/parity/op_cases.js has an entry for ${name}, which the op table does not list`);
    const kinds = ["exempt", "via", "build", "grad"].filter((k) => c[k]);
    if (!kinds.length) problems.push(`${name}: the entry neither builds arguments, checks gradients, names a covering entry nor says why it is exempt`);
    if (c.via && !cases[c.via]?.build && !cases[c.via]?.grad) problems.push(`${name}: via ${c.via}, which checks nothing`);
  }
  return problems;
}

export { numel, strides };
