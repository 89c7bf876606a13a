// THE op table: every entry point of the two Node-API addons (recforge.node, the CPU addon, and
// recforge_cuda.node, the CUDA addon), the enums their arguments use, and the records some
// return. scripts/gen-ops.mjs turns it into
//   lib/native_ops.generated.ts                    the addons' typed TypeScript interface, the enums,
//                                                  and the wrappers that pack a named-argument object
//   native/include/recforge/enums.generated.h      the same enums for the kernels (C++ / CUDA)
//   native/napi/op_args.generated.h                one typed accessor struct per op for the bindings
//   native/napi/register_cpu.generated.cc          the CPU addon's registrations (module init)
//   native/napi_cuda/register_cuda.generated.cc    the CUDA addon's registrations (module init)
// and `node scripts/gen-ops.mjs --check` (run by test/package/op_table.test.js) fails when the
// generated files are stale, a binding is defined without a table entry or the other way round,
// or a binding reads its arguments by position.
//
// Adding an op: one entry here, `node scripts/gen-ops.mjs`, its kernels, and its bindings
// `Napi::Value bind::<name>(const Napi::CallbackInfo&)` in native/napi (cpu) and native/napi_cuda
// (cuda), reading their arguments through `args::<Name>` (op_args.generated.h).
//
// Argument types (TS type / what C++ reads):
//   dtype            DType code (enum DType)                 tensor   {_h, offset} of a live storage
//   int, float, bool number / number / boolean             tensor?  the same, or null (optional)
//   enum:<Name>      a code of the enum <Name> below        handle   a bare storage handle
//   ints             readonly number[] | Int32Array         bytes    an ArrayBufferView (host copies)
//   tensors          readonly TensorRef[]: a list of tensors whose length the call's sizes decide
//                    (the GRU's weights per layer and direction)
// A tensor occupies two slots of the wire (handle, element offset); a tensor list one slot (an
// array of (handle, offset) pairs, built by the generated wrapper); everything else one. The
// wire order is the order of `args`; only the generated code on both sides knows it.

export const enums = {
  // Storage element types (lib/tensor/dtype.ts maps names to these codes).
  DType: { values: ["F32", "F64", "I32"], cpp: "plain", ns: "napi" },
  UnaryOp: {
    values: ["Neg", "Exp", "Log", "Sqrt", "Rsqrt", "Abs", "Relu", "LeakyRelu", "Elu", "Gelu", "Silu", "Sigmoid", "Tanh",
      "Clamp", "PowScalar", "AddScalar", "MulScalar", "Square", "Sign", "Reciprocal"],
    count: true,
    doc: "LeakyRelu: a = slope; Elu: a = alpha; Gelu: erf form; Clamp: [a, b]; PowScalar: x^a; AddScalar: x+a; MulScalar: x*a",
  },
  BinaryOp: { values: ["Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Eq", "Ne", "Lt", "Le", "Gt", "Ge"], count: true },
  ReduceOp: { values: ["Sum", "Mean", "Max", "Min"] },
  RandomKind: { values: ["Uniform", "Normal", "Bernoulli"], doc: "Uniform: [a, b); Normal: mean a, std b; Bernoulli: P(1) = a" },
  // 16-bit input formats of the CUDA addon's autocast entry points (round to nearest even).
  HalfKind: { values: ["BF16", "FP16"] },
  BalanceRefMode: { values: ["Target", "Mean", "Max"], cpp: "plain", prefix: "kBalanceRef" },
  BalanceStrategy: { values: ["Both", "ShrinkOnly", "EnlargeOnly"], cpp: "plain", prefix: "kBalance" },
  BalanceReason: { values: ["Ok", "NonFinite", "NormOverflow"], cpp: "plain", prefix: "kBalance", base: "int32_t" },
  // The LS-DQN environments' problems (cop_args.h, lib/methods/lsdqn/env/cop_env.ts).
  CopProblem: { values: ["MaxCut", "KCut", "Tsp"], cpp: "plain", ns: "napi", prefix: "k" },
};

// Records returned by runtime entry points (TS interfaces).
export const records = {
  CpuMemoryStats: { nativeBytes: "number", nativePeakBytes: "number", nativeBlocks: "number", nativeCachedBytes: "number" },
  CudaMemoryStats: {
    cudaBytes: "number", cudaRequestedBytes: "number", cudaPeakBytes: "number", cudaCachedBytes: "number",
    cudaBlocks: "number", cudaAllocs: "number", cudaCacheHits: "number", cudaDeviceAllocs: "number",
  },
  // mpiInit(): MPI_COMM_WORLD as this process sees it; error non-empty when MPI could not be loaded.
  MpiWorld: { rank: "number", size: "number", library: "string", error: "string" },
  CudaDeviceInfo: {
    count: "number", name: "string", major: "number", minor: "number", smCount: "number", totalBytes: "number",
    driverVersion: "number", runtimeVersion: "number", error: "string",
  },
};

const BOTH = ["cpu", "cuda"];
const CPU = ["cpu"];
const CUDA = ["cuda"];

// op(name, family, backends, args, returns): args are "name:type" strings.
function op(name, family, backends, args, returns = "void") {
  return { name, family, backends, args: args.map((a) => ({ name: a.slice(0, a.indexOf(":")), type: a.slice(a.indexOf(":") + 1) })), returns };
}

const gemmArgs = ["transA:bool", "transB:bool", "M:int", "N:int", "K:int", "alpha:float", "a:tensor", "lda:int", "strideA:int",
  "b:tensor", "ldb:int", "strideB:int", "beta:float", "c:tensor", "ldc:int", "strideC:int", "batch:int"];
const attnFwd = ["dtype:dtype", "H:int", "L:int", "D:int", "q:tensor", "k:tensor", "v:tensor", "intervals:tensor", "useAlibi:bool",
  "slopes:tensor?", "pos:tensor?", "scale:float", "out:tensor", "lse:tensor"];
const attnBwd = ["dtype:dtype", "H:int", "L:int", "D:int", "q:tensor", "k:tensor", "v:tensor", "out:tensor", "lse:tensor", "dout:tensor",
  "intervals:tensor", "useAlibi:bool", "slopes:tensor?", "pos:tensor?", "scale:float", "dq:tensor", "dk:tensor", "dv:tensor"];

// The GRU's sizes (gru_args.h); its weights travel as tensor lists, per k = layer * dirs + direction:
// wIh, wHh and, with bias, bIh, bHh (the gradients in the same order).
const gruDims = ["B:int", "T:int", "inSize:int", "H:int", "layers:int", "dirs:int"];
// The LS-DQN environment block every environment call starts with (cop_args.h).
const copEnv = ["problem:enum:CopProblem", "B:int", "n:int", "k:int", "limit:int", "data:tensor", "sol:tensor", "aux:tensor?",
  "best:tensor", "obj:tensor", "bestObj:tensor", "steps:tensor", "done:tensor"];

export const ops = [
  // ---- storage and runtime (bind_storage.cc, bind_gemm.cc; napi_cuda/bind_cuda_storage.cc) ----
  op("alloc", "storage", BOTH, ["nbytes:int"], "handle"),
  op("free", "storage", BOTH, ["handle:handle"]),
  op("write", "storage", BOTH, ["handle:handle", "byteOffset:int", "data:bytes"]),
  op("read", "storage", BOTH, ["handle:handle", "byteOffset:int", "out:bytes"]),
  op("copyDevice", "storage", CUDA, ["dst:handle", "dstByte:int", "src:handle", "srcByte:int", "nbytes:int"]),
  op("memoryStats", "storage", BOTH, [], { cpu: "CpuMemoryStats", cuda: "CudaMemoryStats" }),
  op("resetPeak", "storage", BOTH, []),
  op("emptyCache", "storage", BOTH, []),
  op("deviceInfo", "storage", CUDA, [], "CudaDeviceInfo"),
  op("synchronize", "storage", CUDA, []),
  op("getNumThreads", "storage", CPU, [], "number"),
  op("setNumThreads", "storage", CPU, ["n:int"]),

  // ---- elementwise (core_elementwise_args.cc) ----
  op("unary", "elementwise", BOTH, ["dtype:dtype", "op:enum:UnaryOp", "n:int", "x:tensor", "out:tensor", "a:float", "b:float"]),
  op("unaryBackward", "elementwise", BOTH, ["dtype:dtype", "op:enum:UnaryOp", "n:int", "x:tensor", "y:tensor", "grad:tensor",
    "gradInput:tensor", "a:float", "b:float"]),
  op("binary", "elementwise", BOTH, ["dtype:dtype", "op:enum:BinaryOp", "shape:ints", "a:tensor", "aStrides:ints", "b:tensor",
    "bStrides:ints", "out:tensor"]),
  op("where", "elementwise", BOTH, ["dtype:dtype", "shape:ints", "cond:tensor", "condStrides:ints", "a:tensor", "aStrides:ints",
    "b:tensor", "bStrides:ints", "out:tensor"]),
  op("stridedCopy", "elementwise", BOTH, ["dtype:dtype", "shape:ints", "src:tensor", "srcStrides:ints", "dst:tensor", "dstStrides:ints"]),
  op("cast", "elementwise", BOTH, ["srcDtype:dtype", "dstDtype:dtype", "n:int", "src:tensor", "dst:tensor"]),
  op("fill", "elementwise", BOTH, ["dtype:dtype", "n:int", "dst:tensor", "value:float"]),
  op("axpby", "elementwise", BOTH, ["dtype:dtype", "n:int", "x:tensor", "s:float", "y:tensor", "t:float", "out:tensor"]),

  // ---- reductions, softmax, norms, losses (core_nn_args.cc) ----
  op("reduce", "nn", BOTH, ["dtype:dtype", "op:enum:ReduceOp", "outer:int", "r:int", "inner:int", "x:tensor", "out:tensor",
    "indices:tensor?"]),
  op("sumSquares", "nn", BOTH, ["dtype:dtype", "n:int", "x:tensor"], "number"),
  op("softmax", "nn", BOTH, ["dtype:dtype", "rows:int", "n:int", "log:bool", "x:tensor", "out:tensor"]),
  op("softmaxBackward", "nn", BOTH, ["dtype:dtype", "rows:int", "n:int", "log:bool", "y:tensor", "grad:tensor", "gradInput:tensor"]),
  op("norm", "nn", BOTH, ["dtype:dtype", "rms:bool", "rows:int", "n:int", "eps:float", "x:tensor", "weight:tensor?", "bias:tensor?",
    "out:tensor", "mean:tensor?", "rstd:tensor"]),
  op("normBackward", "nn", BOTH, ["dtype:dtype", "rms:bool", "rows:int", "n:int", "x:tensor", "weight:tensor?", "mean:tensor?",
    "rstd:tensor", "grad:tensor", "gradInput:tensor", "gradWeight:tensor?", "gradBias:tensor?"]),
  op("bceLogits", "nn", BOTH, ["dtype:dtype", "n:int", "posWeight:float", "logits:tensor", "target:tensor", "loss:tensor"]),
  op("bceLogitsBackward", "nn", BOTH, ["dtype:dtype", "n:int", "posWeight:float", "logits:tensor", "target:tensor", "grad:tensor",
    "gradInput:tensor"]),
  op("crossEntropy", "nn", BOTH, ["dtype:dtype", "n:int", "classes:int", "ignoreIndex:int", "logits:tensor", "target:tensor",
    "loss:tensor", "lse:tensor"]),
  op("crossEntropyBackward", "nn", BOTH, ["dtype:dtype", "n:int", "classes:int", "ignoreIndex:int", "logits:tensor", "target:tensor",
    "lse:tensor", "grad:tensor", "gradInput:tensor"]),

  // ---- indexing, sorting (core_index_args.cc) ----
  op("gatherRows", "index", BOTH, ["dtype:dtype", "n:int", "d:int", "rows:int", "table:tensor", "indices:tensor", "out:tensor"]),
  op("scatterAddRows", "index", BOTH, ["dtype:dtype", "n:int", "d:int", "rows:int", "src:tensor", "indices:tensor", "out:tensor"]),
  op("gatherAxis", "index", BOTH, ["dtype:dtype", "outer:int", "dim:int", "k:int", "inner:int", "x:tensor", "indices:tensor", "out:tensor"]),
  op("scatterAddAxis", "index", BOTH, ["dtype:dtype", "outer:int", "dim:int", "k:int", "inner:int", "src:tensor", "indices:tensor",
    "out:tensor"]),
  op("topk", "index", BOTH, ["dtype:dtype", "rows:int", "n:int", "k:int", "largest:bool", "x:tensor", "values:tensor", "indices:tensor"]),
  op("sort", "index", BOTH, ["dtype:dtype", "rows:int", "n:int", "descending:bool", "x:tensor", "values:tensor", "indices:tensor"]),

  // ---- random, optimisers (core_optim_args.cc) ----
  op("randomFill", "optim", BOTH, ["dtype:dtype", "kind:enum:RandomKind", "seed:int", "offset:int", "n:int", "out:tensor", "a:float",
    "b:float"]),
  op("randomInt", "optim", BOTH, ["seed:int", "offset:int", "n:int", "out:tensor", "low:int", "high:int"]),
  op("sgdStep", "optim", BOTH, ["dtype:dtype", "n:int", "param:tensor", "grad:tensor", "momentumBuf:tensor?", "lr:float", "momentum:float",
    "dampening:float", "weightDecay:float", "nesterov:bool", "first:bool"]),
  op("adamStep", "optim", BOTH, ["dtype:dtype", "n:int", "param:tensor", "grad:tensor", "m:tensor", "v:tensor", "lr:float", "beta1:float",
    "beta2:float", "eps:float", "weightDecay:float", "decoupled:bool", "step:int"]),
  op("scaleInplace", "optim", BOTH, ["dtype:dtype", "n:int", "x:tensor", "scale:float"]),
  // (adagrad_args.cc)
  op("adagradStep", "optim", BOTH, ["dtype:dtype", "n:int", "param:tensor", "grad:tensor", "sum:tensor", "lr:float", "lrDecay:float",
    "eps:float", "weightDecay:float", "step:int"]),

  // ---- GEMM (bind_gemm.cc, napi_cuda/bind_cuda_gemm.cc) ----
  op("gemm", "gemm", BOTH, ["dtype:dtype", ...gemmArgs]),
  op("gemmLowp", "gemm", CUDA, ["kind:enum:HalfKind", ...gemmArgs]),
  op("gemmOwnF32", "gemm", CPU, gemmArgs),
  op("cblasSgemm", "gemm", CPU, ["M:int", "N:int", "K:int", "a:tensor", "b:tensor", "c:tensor"], "boolean"),
  op("gemmBackend", "gemm", BOTH, [], "string"),
  // What the CPU GEMM dispatch sends to the library and why (native/cpu/gemm_choice.cc): the
  // library's kernel core against the own kernels' ISA, or a one-time measurement.
  op("gemmDispatch", "gemm", CPU, [], "string"),
  // The instruction-set variant of the CPU kernels ("baseline", "avx2", "avx512") and why it was
  // chosen (recforge/cpu_isa.h; starts with "error:" when RECFORGE_CPU_ISA could not be honoured).
  op("cpuIsa", "gemm", CPU, [], "string"),
  op("cpuIsaReason", "gemm", CPU, [], "string"),
  // float32 values rounded to bfloat16 / float16 (x and y may be the same): the emulated CUDA
  // device's 16-bit inputs (lib/native.ts).
  op("roundHalf", "gemm", CPU, ["kind:enum:HalfKind", "n:int", "x:tensor", "y:tensor"]),

  // ---- attention, RoPE (attention_args.cc) ----
  op("intervalAttentionForward", "attention", BOTH, attnFwd),
  op("intervalAttentionBackward", "attention", BOTH, attnBwd),
  op("denseMaskedAttentionForward", "attention", CPU, attnFwd),
  op("denseMaskedAttentionBackward", "attention", CPU, attnBwd),
  op("intervalAttentionForwardLowp", "attention", CUDA, [...attnFwd, "kind:enum:HalfKind"]),
  op("intervalAttentionBackwardLowp", "attention", CUDA, [...attnBwd, "kind:enum:HalfKind"]),
  op("ropeTables", "attention", BOTH, ["dtype:dtype", "L:int", "D:int", "pos:tensor", "base:float", "cos:tensor", "sin:tensor"]),
  op("ropeApply", "attention", BOTH, ["dtype:dtype", "H:int", "L:int", "D:int", "x:tensor", "xStrideH:int", "xStrideL:int", "cos:tensor",
    "sin:tensor", "inverse:bool", "y:tensor", "yStrideH:int", "yStrideL:int"]),

  // ---- graphs: CSR builders, message passing, edge softmax, GAT (graph_args.cc, gnn_args.cc) ----
  op("cooToCsr", "graph", CPU, ["nDst:int", "nSrc:int", "nEdges:int", "src:tensor", "dst:tensor", "rowptr:tensor", "csrSrc:tensor",
    "eid:tensor"]),
  op("csrTranspose", "graph", CPU, ["nDst:int", "nSrc:int", "nEdges:int", "rowptr:tensor", "src:tensor", "tRowptr:tensor", "tDst:tensor",
    "tEid:tensor"]),
  op("segmentAggregate", "graph", BOTH, ["dtype:dtype", "reduce:enum:ReduceOp", "nDst:int", "nSrc:int", "F:int", "nEdges:int",
    "rowptr:tensor", "src:tensor", "x:tensor", "w:tensor?", "out:tensor", "arg:tensor?"]),
  op("segmentAggregateBackward", "graph", BOTH, ["dtype:dtype", "reduce:enum:ReduceOp", "nDst:int", "nSrc:int", "F:int", "nEdges:int",
    "rowptr:tensor", "src:tensor", "tRowptr:tensor?", "tDst:tensor?", "tEid:tensor?", "x:tensor?", "w:tensor?", "arg:tensor?",
    "dout:tensor", "dx:tensor?", "dw:tensor?"]),
  op("edgeSoftmax", "graph", BOTH, ["dtype:dtype", "nDst:int", "H:int", "nEdges:int", "rowptr:tensor", "scores:tensor", "alpha:tensor"]),
  op("edgeSoftmaxBackward", "graph", BOTH, ["dtype:dtype", "nDst:int", "H:int", "nEdges:int", "rowptr:tensor", "alpha:tensor",
    "dalpha:tensor", "dscores:tensor"]),
  op("gatForward", "graph", BOTH, ["dtype:dtype", "N:int", "H:int", "F:int", "nEdges:int", "negativeSlope:float", "rowptr:tensor",
    "src:tensor", "wh:tensor", "aSrc:tensor", "aDst:tensor", "out:tensor", "el:tensor", "er:tensor", "alpha:tensor"]),
  op("gatBackward", "graph", BOTH, ["dtype:dtype", "N:int", "H:int", "F:int", "nEdges:int", "negativeSlope:float", "rowptr:tensor",
    "src:tensor", "tRowptr:tensor", "tDst:tensor", "tEid:tensor", "wh:tensor", "aSrc:tensor", "aDst:tensor", "el:tensor", "er:tensor",
    "alpha:tensor", "dout:tensor", "dWh:tensor", "daSrc:tensor", "daDst:tensor", "workspace:tensor?"]),
  op("gatWorkspaceSize", "graph", BOTH, ["N:int", "nEdges:int", "H:int", "F:int"], "number"),

  // ---- MultiBalance (balance_args.cc) ----
  op("balanceGradients", "balance", BOTH, ["dtype:dtype", "T:int", "N:int", "g:tensor", "m:tensor", "init:tensor", "beta:float",
    "relax:float", "refMode:enum:BalanceRefMode", "target:int", "strategy:enum:BalanceStrategy", "out:tensor", "weights:tensor",
    "norms:tensor"]),
  // The same step on T separate gradients (one tensor per task: the leaves' .grad), so MultiBalance
  // need not stack them into [T, N] first (balance_gradients_rows). CPU only: on CUDA the stacking
  // copy is a device memcpy and the caller stacks.
  op("balanceGradientsRows", "balance", CPU, ["dtype:dtype", "T:int", "N:int", "gs:tensors", "m:tensor", "init:tensor",
    "beta:float", "relax:float", "refMode:enum:BalanceRefMode", "target:int", "strategy:enum:BalanceStrategy", "out:tensor",
    "weights:tensor", "norms:tensor"]),

  // ---- full-ranking ranks (ranking_args.cc) ----
  op("targetRanks", "ranking", BOTH, ["dtype:dtype", "rows:int", "n:int", "scores:tensor", "targets:tensor", "exclude:tensor?",
    "nExclude:int", "ranks:tensor"]),

  // ---- fused GRU (gru_args.cc) ----
  op("gruForward", "gru", BOTH, ["dtype:dtype", ...gruDims, "bias:bool", "x:tensor", "lengths:tensor?", "h0:tensor?", "out:tensor",
    "hN:tensor", "reserve:tensor", "workspace:tensor?", "weights:tensors"]),
  op("gruBackward", "gru", BOTH, ["dtype:dtype", ...gruDims, "bias:bool", "x:tensor", "lengths:tensor?", "reserve:tensor", "dout:tensor?",
    "dhN:tensor?", "dx:tensor?", "dh0:tensor?", "workspace:tensor?", "weights:tensors", "grads:tensors"]),
  // [reserve, forward workspace, backward workspace] in elements.
  op("gruSizes", "gru", BOTH, gruDims, "readonly number[]"),

  // ---- MPI collectives of recforge.distributed (bind_mpi.cc; libmpi loaded with dlopen, native/cpu/mpi_*.cc) ----
  // The *Start ops begin a non-blocking collective in place on a host tensor and return a request id;
  // mpiWait polls it against a deadline (an Error naming the collective and the rank on timeout).
  op("mpiInit", "mpi", CPU, [], "MpiWorld"),
  op("mpiAllreduceStart", "mpi", CPU, ["dtype:dtype", "n:int", "x:tensor"], "number"),
  op("mpiBroadcastStart", "mpi", CPU, ["dtype:dtype", "n:int", "x:tensor", "root:int"], "number"),
  op("mpiBarrierStart", "mpi", CPU, [], "number"),
  op("mpiBroadcastBytes", "mpi", CPU, ["data:bytes", "root:int", "timeoutS:float"]),
  op("mpiTest", "mpi", CPU, ["request:int"], "boolean"),
  op("mpiWait", "mpi", CPU, ["request:int", "timeoutS:float"]),
  op("mpiAbort", "mpi", CPU, ["code:int"]),
  op("mpiFinalize", "mpi", CPU, []),
  // NCCL for device tensors (napi_cuda/bind_cuda_nccl.cc; libnccl loaded with dlopen, native/cuda/nccl_comm.cu):
  // ncclLoadError "" when NCCL is loaded; ncclUniqueId fills 128 bytes; collectives run in place on
  // recforge's stream; ncclWait waits for them against a deadline (aborting the communicator).
  op("ncclLoadError", "nccl", CUDA, [], "string"),
  op("ncclUniqueId", "nccl", CUDA, ["out:bytes"]),
  op("ncclInit", "nccl", CUDA, ["id:bytes", "rank:int", "size:int"], "string"),
  op("ncclAllreduce", "nccl", CUDA, ["dtype:dtype", "n:int", "x:tensor", "average:bool"]),
  op("ncclBroadcast", "nccl", CUDA, ["dtype:dtype", "n:int", "x:tensor", "root:int"]),
  op("ncclWait", "nccl", CUDA, ["timeoutS:float"]),
  op("ncclDestroy", "nccl", CUDA, []),

  // ---- LS-DQN environments, CPU only (cop_args.cc) ----
  op("copReset", "cop", CPU, copEnv),
  op("copStep", "cop", CPU, [...copEnv, "action:tensor", "reward:tensor"]),
  op("copMoveGains", "cop", CPU, [...copEnv, "out:tensor"]),
  op("copTspDistances", "cop", CPU, ["B:int", "n:int", "coords:tensor", "euc2d:bool", "dist:tensor"]),
  // LS-DQN's fused Max-Cut Q forward for test-time search (recforge/lsdqn_maxcut_q.h; bind_lsdqn_q.cc):
  // R spin rows of one CSR graph → q [R, n], stop [R]; cache / cacheLast (both or neither): the rows' caches
  // for incremental recomputation between the calls of one search.
  op("lsdqnMaxCutQ", "cop", CPU, ["dtype:dtype", "R:int", "n:int", "d:int", "rounds:int", "gains:bool", "residual:bool",
    "lambda:float", "scale:float", "indptr:tensor", "src:tensor", "weight:tensor", "edgeTerm:tensor", "theta0:tensor",
    "theta1:tensor", "w1:tensor", "w2:tensor", "w0:tensor", "wa:tensor", "wg:tensor?", "spins:tensor", "q:tensor",
    "stop:tensor", "cache:tensor?", "cacheLast:tensor?"]),
];
