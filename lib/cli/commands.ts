// The command table of `recforge`: every command's usage, flags (typed, with defaults and
// descriptions), run and render. main.ts only dispatches over it; docs/cli.md is generated from
// it (scripts/gen-cli-docs.mjs, checked by test/cli/docs.test.js).
//
// This module must not load the native addon: it imports only the parser, the table renderer
// and types; every run function imports its implementation on demand. `--help`, usage errors
// and `--version` therefore work where the addon cannot load (test/cli/cli.test.js).
import { formatFlags, type FlagSpec } from "./flags.js";
import { formatTable, renderObject } from "./table.js";
import type { Command } from "./command.js";

export type { Command, CommandOutput, RunContext } from "./command.js";

// ---- shared flags ---------------------------------------------------------------------------
const JSON_FLAG: FlagSpec = { name: "json", type: "boolean", description: "print exactly one JSON object on stdout (logs and progress go to stderr)" };
const QUICK: FlagSpec = { name: "quick", type: "boolean", description: "a reduced smoke run (minutes instead of hours)" };
const PLOT_TRAIN: FlagSpec = { name: "plot", type: "boolean", description: "write the loss curve(s) as SVG (see docs/cli.md for where)" };
const PLOT_BENCH: FlagSpec = { name: "plot", type: "boolean", description: "write the main comparison as an SVG chart beside the result file (see docs/cli.md)" };
const OUT_DIR: FlagSpec = { name: "out", type: "string", arg: "DIR", description: "write the result file <name>-<date>.json (and --plot's SVG) into DIR" };
/** --out for commands whose only file is --plot's SVG. */
const PLOT_OUT_DIR: FlagSpec = { ...OUT_DIR, description: "folder for --plot's SVG (default: the working directory)" };
const DEVICE: FlagSpec = { name: "device", type: "enum", values: ["cpu", "cuda"], default: "cpu", description: "where the model trains" };
const DISTRIBUTED: FlagSpec = { name: "distributed", type: "boolean", description: "under `mpirun -np W`: data-parallel over the ranks; rank 0 prints and writes checkpoints (docs/distributed.md)" };
const f = (name: string, type: FlagSpec["type"], description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, type, description, ...extra });

const GREENER_MODEL_FLAGS: FlagSpec[] = [
  f("epochs", "integer", "training epochs", { default: 2, min: 1 }),
  f("hidden", "integer", "GAT hidden width (--quick: 32)", { default: 256, min: 1 }),
  f("lr", "number", "Adam learning rate", { default: 1e-3, min: 0 }),
  f("batch", "integer", "graphs per step", { default: 32, min: 1 }),
  f("max-steps", "integer", "stop after N steps (--quick: 60)", { min: 1 }),
  f("dropout", "number", "dropout", { default: 0.2, min: 0 }),
  f("seed", "integer", "model and shuffling seed", { default: 0 }),
  DEVICE,
  f("alpha", "number", "ILP redundancy weight α (default: chosen on the validation pairs)", { min: 0 }),
  f("length-weight", "number", "ILP length term λ (0 = the spec's objective; default: chosen on validation)", { min: 0 }),
  f("labels", "enum", "relevance labels", { values: ["sentences", "review"], default: "sentences" }),
  f("no-centrality", "boolean", "drop the typicality features"),
];

const SEQ_MODEL_NAMES = ["gatedlongrec", "gru4rec", "gru4rec-cat", "sasrec", "pop", "cta", "tisasrec"] as const;

const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

// ---- renders --------------------------------------------------------------------------------
const f4 = (x: unknown) => (typeof x === "number" ? +x.toFixed(4) : null);

function renderTrainCtr(r: Record<string, unknown>): string {
  const head = r.paradigm === "dti" ? `DTI (k=${r.k}, n=${r.n}, reach ${r.contextReach}, positions ${r.positions})` : `SW (n=${r.n})`;
  return `${head} on ${r.data}\n` + formatTable(["steps", "targets", "tokens", "tokens/target", "seconds", "test targets", "test AUC", "log loss"], [[r.steps as number, r.targets as number, r.tokens as number, r.tokens_per_target as number, r.seconds as number, r.eval_targets as number, f4(r.auc), f4(r.logloss)]]);
}

function renderTrainSeqrec(r: Record<string, unknown>): string {
  const rec = (r.recall ?? {}) as Record<string, number>, mrr = (r.mrr ?? {}) as Record<string, number>;
  const s100 = r.sampled100 as { hr10: number; ndcg10: number; count: number } | undefined;
  return `${r.model} on ${r.data}: ${r.epochs} epochs (best ${r.best_epoch}), ${r.seconds_per_epoch} s/epoch, ${r.test_targets} test targets\n` +
    formatTable(["K", "Recall@K", "MRR@K"], ["5", "20", "100"].map((k) => [k, f4(rec[k]), f4(mrr[k])])) + `\n  NDCG@10 ${f4(r.ndcg10)}` +
    (s100 ? `\n  leave-one-out vs 100 sampled negatives: HR@10 ${f4(s100.hr10)}  NDCG@10 ${f4(s100.ndcg10)} (${s100.count} users)` : "") +
    `\n\nhistory\n` + formatTable(["epoch", "loss", "seconds", "valid Recall@20"], ((r.history ?? []) as Record<string, number>[]).map((h) => [h.epoch, h.loss, h.seconds, h.valid_recall20]));
}

function renderDemo(r: Record<string, unknown>): string {
  type Run = { steps: number; targets: number; tokens: number; seconds: number; auc: number; logloss: number; k: number; n: number };
  const sw = r.sw as Run, dti = r.dti as Run;
  const row = (name: string, x: Run) => [name, x.steps, x.targets, +(x.tokens / 1e6).toFixed(2), +x.seconds.toFixed(1), f4(x.auc), f4(x.logloss)];
  const tr = r.time_ratio as number, ad = r.auc_delta as number;
  return `recforge demo — same model, same initialisation, same target updates; evaluated with SW prompts\n` +
    formatTable(["paradigm", "steps", "targets", "Mtokens", "seconds", "test AUC", "log loss"], [row(`SW (n=${sw.n})`, sw), row(`DTI (k=${dti.k})`, dti)]) +
    `\n  DTI / SW: ${(r.token_ratio as number).toFixed(3)}x tokens, ${tr.toFixed(3)}x time (${(1 / tr).toFixed(1)}x faster), AUC ${ad >= 0 ? "+" : ""}${ad.toFixed(4)}` +
    (r.chart ? `\n  chart: ${r.chart}` : "");
}

// ---- the table ------------------------------------------------------------------------------
export const COMMANDS: Command[] = [
  {
    name: "demo",
    summary: "train the embedded demo (DTI vs sliding window on synthetic data) end to end and print a comparison",
    flags: [QUICK, { ...OUT_DIR, description: "folder of the loss-curve chart (default recforge-demo/; with --json: none unless given)" }, JSON_FLAG],
    outIsDir: true,
    async run(flags, ctx) {
      const { runDemo } = await import("./demo.js");
      return { result: { ...(await runDemo({ quick: !!flags.quick, outDir: str(flags.out), json: ctx.json })) } };
    },
    render: renderDemo,
  },
  {
    name: "train ctr",
    summary: "train an LLM-style CTR model with sliding-window (SW) or DTI prompts",
    synopsis: "--data <dir|file|synthetic> [options]",
    flags: [
      f("data", "string", 'a MovieLens-1M folder, a folder with interactions.csv|tsv and items.csv|tsv, an interactions file, or "synthetic" (embedded generator)', { arg: "X", required: true }),
      f("items", "string", "item-text table for an interactions file (default items.csv|tsv next to it)", { arg: "FILE" }),
      f("paradigm", "enum", "DTI or sliding-window prompts", { values: ["dti", "sw", "sliding-window"], default: "dti" }),
      f("k", "integer", "targets per DTI prompt (also the step-plan chunk for SW)", { default: 20, min: 1 }),
      f("n", "integer", "context interactions", { default: 20, min: 0 }),
      f("reach", "string", "DTI context reach: causal | window | chunk | an integer r in [0, n]", {
        default: "window", arg: "R", check: (v) => (/^(causal|window|chunk|\d+)$/.test(String(v)) ? null : "must be causal, window, chunk or an integer >= 0"),
      }),
      f("positions", "enum", "DTI positions", { values: ["stream", "window-relative", "alibi"], default: "window-relative" }),
      f("no-isolation", "boolean", "targets see earlier targets (the naive stream; for ablations)"),
      f("prefix", "string", "instruction prefix of every prompt", { arg: "TEXT" }),
      f("label-words", "string", "label words of liked / disliked context interactions", {
        default: "liked,disliked", arg: "A,B", check: (v) => (/^[^,\s]+,[^,\s]+$/.test(String(v).replace(/\s*,\s*/, ",").trim()) ? null : "expects two words separated by a comma"),
      }),
      f("tokenizer", "string", "a tokenizer.json (default: a word-level vocabulary built from the data)", { arg: "FILE" }),
      f("epochs", "integer", "training epochs", { default: 1, min: 1 }),
      f("targets-per-step", "integer", "target updates per optimiser step", { default: 256, min: 1 }),
      f("lr", "number", "learning rate", { min: 0 }),
      f("seed", "integer", "seed", { default: 0 }),
      f("dim", "integer", "model width", { default: 64, min: 1 }),
      f("layers", "integer", "transformer layers", { default: 2, min: 1 }),
      f("heads", "integer", "attention heads", { default: 4, min: 1 }),
      f("ffn", "integer", "SwiGLU hidden width (default 8/3·dim)", { min: 1 }),
      f("users", "integer", "a subset: the first N users", { min: 1 }),
      f("max-per-user", "integer", "a subset: each user's last N interactions", { min: 1 }),
      DEVICE,
      f("mixed-precision", "enum", "16-bit GEMM/attention inputs, fp32 accumulation and master weights (needs --device cuda); fp16 adds loss scaling", { values: ["bf16", "fp16", "off"], default: "off" }),
      DISTRIBUTED,
      f("checkpoint", "string", "save every --checkpoint-every steps; an existing file is resumed", { arg: "FILE" }),
      f("checkpoint-every", "integer", "steps between checkpoints", { default: 50, min: 1 }),
      PLOT_OUT_DIR,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags) {
      const { runTrainCtr } = await import("./ctr.js");
      return await runTrainCtr(flags);
    },
    render: renderTrainCtr,
  },
  {
    name: "train cop",
    summary: "LS-DQN: N-step double DQN over reversible local-search moves (flip / swap / 2-opt), CPU",
    synopsis: "--problem maxcut|kcut|tsp [options]",
    flags: [
      f("problem", "enum", "the combinatorial problem", { values: ["maxcut", "kcut", "tsp"], required: true }),
      f("n", "integer", "nodes (maxcut, tsp)", { default: 20, min: 2 }),
      f("k", "integer", "k-cut: clusters", { default: 5, min: 2 }),
      f("m", "integer", "k-cut: nodes per cluster", { default: 6, min: 1 }),
      f("family", "enum", "Max-Cut training law (points: distances of uniform points; gsetmix: ER / torus / k-NN laws in turn, n = rows × cols)", { values: ["points", "er", "ba", "gsetmix"], default: "points" }),
      f("steps", "integer", "environment steps", { default: 1000, min: 1 }),
      f("env-batch", "integer", "instances acting at once", { default: 8, min: 1 }),
      f("batch", "integer", "minibatch", { default: 16, min: 1 }),
      f("replay", "integer", "replay capacity", { default: 5000, min: 1 }),
      f("n-step", "integer", "N of the N-step return", { default: 2, min: 1 }),
      f("gamma", "number", "discount", { default: 0.9, min: 0 }),
      f("lr", "number", "learning rate", { default: 1e-4, min: 0 }),
      f("hidden", "integer", "Q-network width", { default: 64, min: 1 }),
      f("rounds", "integer", "message-passing rounds", { default: 3, min: 1 }),
      f("target-every", "integer", "steps between target-network updates", { default: 100, min: 1 }),
      f("eps-start", "number", "initial ε", { default: 1, min: 0 }),
      f("eps-end", "number", "final ε", { default: 0.05, min: 0 }),
      f("eps-decay", "number", "fraction of the steps over which ε decays", { default: 0.5, min: 0 }),
      f("seed", "integer", "seed", { default: 1 }),
      f("features", "enum", "Q-network inputs: gain (labels / coordinates plus the environment's move gains) or plain (the spec's network, the ablation); kcut is always plain", { values: ["gain", "plain"], default: "gain" }),
      f("q-form", "enum", "Q = the network (full) or exact immediate reward + network (residual; maxcut, tsp)", { values: ["full", "residual"], default: "full" }),
      f("checkpoint", "string", "save every --checkpoint-every steps and at the end", { arg: "FILE" }),
      f("checkpoint-every", "integer", "steps between checkpoints", { min: 1 }),
      f("resume", "boolean", "continue from --checkpoint"),
      f("quiet", "boolean", "no progress bar"),
      PLOT_OUT_DIR,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags) {
      const { runTrainCop } = await import("./cop.js");
      return await runTrainCop(flags);
    },
  },
  {
    name: "train greener",
    summary: "GREENer: train on Amazon reviews, evaluate ILP / top-K sentence selection on the test pairs",
    synopsis: "[--data reviews.json[.gz]] [options]",
    notes: "--quick is a smoke run: hidden 32, one epoch of at most 60 steps, the first 200 test / validation pairs.",
    flags: [
      f("data", "string", "reviews file, JSON lines, optionally gzipped (default: $RECFORGE_DATA's Amazon Musical Instruments 5-core)", { arg: "FILE" }),
      ...GREENER_MODEL_FLAGS,
      f("eval-limit", "integer", "evaluate only the first N test (and validation) pairs (--quick: 200)", { min: 1 }),
      f("no-eval", "boolean", "train only"),
      f("out", "string", "save the trained model (checkpoint); --plot's SVG goes beside it", { arg: "FILE" }),
      QUICK,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    async run(flags, ctx) {
      const { trainGreenerCommand } = await import("./greener.js");
      return await trainGreenerCommand(flags, ctx.argv);
    },
  },
  {
    name: "train seqrec",
    summary: "next-item models on MovieLens-1M or a CSV: gatedlongrec, gru4rec, gru4rec-cat, sasrec, pop, cta, tisasrec",
    synopsis: "--model M [options]",
    notes: "CTA: the epoch is selected on validation Recall@5; --split user is its default (the authors' protocol).",
    flags: [
      f("model", "enum", "the model", { values: SEQ_MODEL_NAMES, required: true }),
      f("data", "string", "a MovieLens-1M folder or a user,item,timestamp[,category] CSV/TSV with a header (default $RECFORGE_DATA/ml-1m)", { arg: "X" }),
      f("category", "enum", "ml-1m category: the whole genre string or the first genre", { values: ["genres", "first-genre"], default: "genres" }),
      f("epochs", "integer", "maximum epochs (early stopping on validation)", { default: 20, min: 1 }),
      f("patience", "integer", "epochs without improvement before stopping", { default: 2, min: 1 }),
      f("train-fraction", "number", "each epoch trains on a fresh random fraction of the training targets", { default: 1, min: 0 }),
      f("valid-targets", "integer", "early-stop on a fixed random N of the validation targets (default all)", { min: 1 }),
      f("batch", "integer", "batch size", { default: 100, min: 1 }),
      f("lr", "number", "learning rate (Adagrad 0.05 for GRU models, Adam 1e-3 for SASRec)", { min: 0 }),
      f("optimizer", "enum", "optimizer (default per model)", { values: ["adagrad", "adam"] }),
      f("clip", "number", "gradient-norm clip", { default: 5, min: 0 }),
      f("seed", "integer", "seed", { default: 0 }),
      f("hidden", "integer", "model size (CTA: 500)", { default: 50, min: 1 }),
      f("window", "integer", "short window (CTA: W, 8: W − 1 earlier actions)", { default: 30, min: 1 }),
      f("dropout", "number", "dropout (CTA: 0.2)", { min: 0 }),
      f("k", "integer", "GatedLongRec: categories mixed at evaluation", { default: 5, min: 1 }),
      f("train-k", "integer", "GatedLongRec: categories in phase 2", { default: 10, min: 1 }),
      f("no-long-term", "boolean", "GatedLongRec ablation: short-term encoder only"),
      f("no-phase2", "boolean", "GatedLongRec ablation: never switch to phase-2 training"),
      f("phase2-after", "integer", "GatedLongRec: switch to phase 2 after epoch N at the latest", { min: 0 }),
      f("sampled-softmax", "integer", "GatedLongRec: phase-1 item NLL with N log-uniform negatives (default full softmax)", { min: 1 }),
      f("split", "enum", "target split: global time quantiles 0.8/0.9 or users 80/10/10", { values: ["time", "user"], default: "time" }),
      f("split-seed", "integer", "seed of --split user", { default: 0 }),
      f("vocab", "enum", "with --split user: items of non-training users → <unk> (train) or every item (all)", { values: ["train", "all"] }),
      f("kernels", "string", "CTA temporal kernels (log; lin-5, log-2-lin-2, exp^, ...)", { arg: "S" }),
      f("no-context", "boolean", "CTA: no context encoder"),
      f("time-unit", "enum", "CTA: unit of time differences", { values: ["seconds", "hours", "days"] }),
      f("loss", "enum", "CTA: loss", { values: ["top1", "bpr", "ce"] }),
      f("layers", "integer", "CTA / TiSASRec layers", { default: 2, min: 1 }),
      f("heads", "integer", "CTA / TiSASRec heads", { default: 2, min: 1 }),
      f("ff-dim", "integer", "CTA feed-forward width", { default: 2048, min: 1 }),
      f("select-k", "enum", "validation Recall@K that selects the epoch (5 for cta)", { values: ["5", "20", "100"], default: "20" }),
      f("protocol", "enum", "loo: SASRec's leave-one-out protocol, adds sampled100 {hr10, ndcg10}", { values: ["split", "loo"], default: "split" }),
      f("checkpoint", "string", "save every --checkpoint-every steps and after each epoch; an existing file is resumed", { arg: "FILE" }),
      f("checkpoint-every", "integer", "steps between checkpoints", { default: 500, min: 1 }),
      DISTRIBUTED,
      PLOT_OUT_DIR,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags) {
      const { runTrainSeqRec } = await import("./seqrec.js");
      return await runTrainSeqRec(flags);
    },
    render: renderTrainSeqrec,
  },
  {
    name: "train compexp",
    summary: "CompExp: examples on GREENer's split, the rating-difference distribution, staged training (extractor, pretrain, end to end)",
    synopsis: "[--data reviews.json[.gz]] [options]",
    notes: "--quick: embed/hidden 32, 1 epoch of 5 batches of 16, 50 validation examples.",
    flags: [
      f("data", "string", "reviews file (default: $RECFORGE_DATA's Amazon Musical Instruments 5-core)", { arg: "FILE" }),
      f("stats-only", "boolean", "stop after the rating-difference distribution"),
      f("epochs", "integer", "epochs of every stage", { min: 1 }),
      f("iters", "integer", "batches per epoch", { min: 1 }),
      f("batch", "integer", "batch size", { min: 1 }),
      f("embed", "integer", "embedding width", { min: 1 }),
      f("hidden", "integer", "hidden width", { min: 1 }),
      f("seed", "integer", "seed", { default: 0 }),
      f("val-cap", "integer", "validation examples", { min: 1 }),
      f("checkpoint-dir", "string", "per-stage -last / -best checkpoint files", { arg: "DIR" }),
      f("resume", "boolean", "resume from --checkpoint-dir"),
      PLOT_OUT_DIR,
      QUICK,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags) {
      const { trainCompExpCommand } = await import("./compexp.js");
      return await trainCompExpCommand(flags);
    },
  },
  {
    name: "train multitask",
    summary: "multi-task training (MMoE / shared bottom) with a loss balancer on census-income or synthetic data",
    flags: [
      f("data", "enum", "dataset", { values: ["census", "synthetic"], default: "census" }),
      f("model", "enum", "model", { values: ["mmoe", "shared-bottom"], default: "mmoe" }),
      f("balancer", "enum", "task-loss balancer", { values: ["multibalance", "equal", "metabalance", "uncertainty", "gradnorm", "pcgrad"], default: "multibalance" }),
      f("epochs", "integer", "epochs (synthetic: 1)", { default: 4, min: 1 }),
      f("batch-size", "integer", "batch size (synthetic: 2048)", { default: 1024, min: 1 }),
      f("lr", "number", "learning rate (synthetic: 1e-3)", { default: 2e-3, min: 0 }),
      f("seed", "integer", "seed", { default: 1 }),
      f("tasks", "integer", "synthetic: tasks", { default: 4, min: 1 }),
      f("rows", "integer", "synthetic: training rows", { default: 200000, min: 1 }),
      f("reference", "enum", "MultiBalance reference", { values: ["target", "mean", "max"] }),
      f("strategy", "enum", "MultiBalance strategy", { values: ["both", "shrink", "enlarge"] }),
      f("relax", "number", "MultiBalance relax factor"),
      f("beta", "number", "MultiBalance moving-average β"),
      f("save", "string", "save the training checkpoint", { arg: "FILE" }),
      DEVICE,
      DISTRIBUTED,
      PLOT_OUT_DIR,
      PLOT_TRAIN,
      JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags) {
      const { trainMultitaskCli } = await import("./multitask.js");
      return await trainMultitaskCli(flags);
    },
  },
  {
    name: "bench ops",
    summary: "GEMM: own kernels vs the library at its default and best core type, and the dispatched path (same loop); softmax / layernorm vs measured memory bandwidth; per-op overhead",
    flags: [QUICK, PLOT_BENCH, PLOT_OUT_DIR, JSON_FLAG],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchOps } = await import("../bench/ops.js");
      return { result: { ...benchOps({ quick: !!flags.quick, command: ["recforge", ...ctx.argv].join(" ") }) } };
    },
  },
  {
    name: "bench dti",
    summary: "DTI: fused attention kernel vs dense, SW vs DTI training, ablation",
    flags: [QUICK, f("seeds", "integer", "training seeds", { min: 1 }), OUT_DIR, PLOT_BENCH, JSON_FLAG],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchDti } = await import("../bench/dti.js");
      return { result: { ...(await benchDti({ quick: !!flags.quick, seeds: num(flags.seeds), out: str(flags.out), command: ["recforge", ...ctx.argv].join(" ") })) } };
    },
  },
  {
    name: "bench gnn",
    summary: "fused GAT layer vs the op-by-op GAT (forward + backward)",
    flags: [QUICK, PLOT_BENCH, PLOT_OUT_DIR, JSON_FLAG],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchGnn } = await import("../bench/gnn.js");
      return { result: { ...benchGnn({ quick: !!flags.quick, command: ["recforge", ...ctx.argv].join(" ") }) } };
    },
  },
  {
    name: "bench gru",
    summary: "fused GRU vs the op-by-op GRU and PyTorch's CPU nn.GRU (forward + backward)",
    flags: [QUICK, f("no-torch", "boolean", "skip the PyTorch anchor"), PLOT_BENCH, PLOT_OUT_DIR, JSON_FLAG],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchGru } = await import("../bench/gru.js");
      return { result: { ...benchGru({ quick: !!flags.quick, torch: !flags["no-torch"], command: ["recforge", ...ctx.argv].join(" ") }) } };
    },
  },
  {
    name: "bench cop",
    summary: "LS-DQN vs random / greedy / tabu (TSP: 2-opt, farthest, nearest) on Max-Cut, ECO-DQN sets, Gset, TSPLIB and speed",
    notes: "Three training seeds; a reduced protocol (bench/results/cop.md).",
    flags: [
      QUICK,
      f("only", "list", "run only these tables (E, k-cut, runs only when listed)", { values: ["A", "B", "C", "D", "speed", "E"] }),
      f("gset", "string", "Gset graphs of table C: all or G1,G2,...", { arg: "all|G1,G2", check: (v) => (/^(all|G\d+(,\s*G\d+)*)$/.test(String(v)) ? null : "takes all or names like G1,G2") }),
      f("gset-starts", "integer", "table C: random starts per Gset graph, the same for every method (default the protocol's; the spec's is 50)", { min: 1 }),
      f("gset-chunk", "integer", "table C: LS-DQN runs the starts of a graph in batches of this many (default all; same outcome, bounds memory)", { min: 1 }),
      f("gset-baselines-only", "boolean", "table C without LS-DQN (random, greedy, tabu only; with --only C)"),
      f("gset-train-n", "integer", "table C: LS-DQN's Gset networks trained on ER graphs of this many nodes (default the protocol's, chosen on generated graphs)", { min: 4 }),
      f("gset-lambda", "number", "table C: LS-DQN's remainder scale λ (residual Q-form; default the protocol's, chosen on generated graphs)", { min: 0 }),
      f("gset-guard", "integer", "table C: LS-DQN's guard tenure (--guard tabu; default the protocol's, chosen on generated graphs)", { min: 1 }),
      f("kcut", "string", "table E: (k, m) pairs to run, e.g. 10x10,10x20 (default the protocol's)", { arg: "KxM,...", check: (v) => (/^\d+x\d+(,\d+x\d+)*$/.test(String(v)) ? null : "takes pairs like 10x10,10x20") }),
      f("features", "enum", "LS-DQN's Q-network inputs: gain (with the move gains; file cop-<date>-gain-...) or plain (the spec's network; file cop-<date>-plain-...)", { values: ["gain", "plain"] }),
      f("q-form", "enum", "LS-DQN's Q: full (the network) or residual (exact immediate reward + network; file ...-residual...)", { values: ["full", "residual"] }),
      f("guard", "enum", "LS-DQN's evaluation: none (greedy in Q with stop, the spec's) or tabu (no stop, recent moves barred unless aspiration; file ...-tabu...)", { values: ["none", "tabu"] }),
      f("tag", "string", "appended to the result file's name", { arg: "NAME", check: (v) => (/^[A-Za-z0-9_.]+$/.test(String(v)) ? null : "takes letters, digits, _ and .") }),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchCop } = await import("../bench/cop.js");
      const only = str(flags.only)?.split(",") as import("../bench/cop.js").CopStage[] | undefined;
      const gset = flags.gset === "all" ? Array.from({ length: 21 }, (_, i) => `G${i + 1}`) : str(flags.gset)?.split(",").map((x) => x.trim());
      const features = flags.features === undefined ? undefined : (String(flags.features) as "gain" | "plain");
      const qForm = flags["q-form"] === undefined ? undefined : (String(flags["q-form"]) as "full" | "residual");
      const guard = flags.guard === undefined ? undefined : (String(flags.guard) as "none" | "tabu");
      const gsetStarts = flags["gset-starts"] === undefined ? undefined : Number(flags["gset-starts"]);
      const gsetChunk = flags["gset-chunk"] === undefined ? undefined : Number(flags["gset-chunk"]);
      const kcut = str(flags.kcut)?.split(",").map((x) => { const [k, m] = x.split("x").map(Number); return { k, m }; });
      const r = benchCop({ quick: !!flags.quick, only, gset, gsetStarts, gsetChunk, gsetBaselinesOnly: !!flags["gset-baselines-only"], gsetTrainN: flags["gset-train-n"] === undefined ? undefined : Number(flags["gset-train-n"]), gsetLambda: flags["gset-lambda"] === undefined ? undefined : Number(flags["gset-lambda"]), gsetGuard: flags["gset-guard"] === undefined ? undefined : Number(flags["gset-guard"]), kcut, features, qForm, guard, tag: str(flags.tag), out: str(flags.out) ?? null, command: ["recforge", ...ctx.argv].join(" ") });
      return { result: r };
    },
  },
  {
    name: "bench compexp",
    summary: "CompExp and its baselines on the test reviews (reduced protocol)",
    notes: "--out bench/results writes the file of record (compexp-<date>[-<tag>][-quick].json).",
    flags: [
      QUICK,
      f("seeds", "integer", "seeds", { min: 1 }),
      f("seed-only", "integer", "internal: run only seed N and print its part as JSON (the --parallel children)", { min: 0 }),
      f("parallel", "boolean", "run the seeds as parallel child processes"),
      f("data", "string", "reviews file (default: $RECFORGE_DATA's Amazon Musical Instruments 5-core)", { arg: "FILE" }),
      f("tag", "string", "suffix of the result file name: compexp-<date>-<tag>.json (lower-case letters, digits, '-')"),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchCompExp } = await import("../bench/compexp.js");
      const seedOnly = num(flags["seed-only"]);
      const r = await benchCompExp({ quick: !!flags.quick, seeds: num(flags.seeds), seedOnly, parallel: !!flags.parallel, out: str(flags.out) ?? null, tag: str(flags.tag), argv: ctx.argv, file: str(flags.data) });
      return { result: r, forceJson: seedOnly !== undefined };
    },
  },
  {
    name: "bench explain",
    summary: "GREENer sentence selection: ILP timing, baselines and GREENer quality",
    notes: "GREENer options as for `train greener`; --no-greener: the baselines only.",
    flags: [
      QUICK,
      f("data", "string", "reviews file (default: $RECFORGE_DATA's Amazon Musical Instruments 5-core)", { arg: "FILE" }),
      f("no-greener", "boolean", "baselines only"),
      ...GREENER_MODEL_FLAGS,
      PLOT_BENCH, PLOT_OUT_DIR, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchExplainGreenerCommand } = await import("./greener.js");
      return { result: await benchExplainGreenerCommand(flags, ctx.argv) };
    },
  },
  {
    name: "bench greener-fair",
    summary: "GREENer against tuned baselines (most popular, TF-IDF stand-in; top-K and ILP): every choice on validation, the test split sealed until then, paired bootstrap intervals",
    notes:
      "--out DIR writes DIR/greener-fair-<domain>-<date>[-<tag>][-quick].json. --fusion adds the ensemble row greener+standin-ilp.\n" +
      "--quick: hidden 32, 300 training pairs, 100 validation / test pairs, 200 resamples.",
    flags: [
      QUICK,
      f("data", "string", "reviews file (default: $RECFORGE_DATA's Amazon Musical Instruments 5-core)", { arg: "FILE" }),
      f("domain", "string", "name of the review domain in the file name (lower-case letters, digits, '-')", { default: "musical-instruments" }),
      f("seeds", "list", "seeds (non-negative integers)", { default: "0,1,2", check: (v) => (String(v).split(",").every((x) => /^[0-9]+$/.test(x)) ? null : "expects non-negative integers") }),
      f("variants", "list", "GREENer designs tried on validation (see docs/greener.md)"),
      f("max-epochs", "integer", "epochs tried on validation, 1..N", { default: 2, min: 1 }),
      f("design-seeds", "integer", "the design (variant, epochs) is chosen on the validation mean over the first N seeds (default: all seeds)", { min: 1 }),
      f("validation-limit", "integer", "first N validation pairs", { min: 1 }),
      f("test-limit", "integer", "first N test pairs", { min: 1 }),
      f("train-limit", "integer", "a seeded sample of N training pairs", { min: 1 }),
      f("hidden", "integer", "GAT hidden width", { min: 1 }),
      f("resamples", "integer", "bootstrap resamples (--quick: 200)", { default: 1000, min: 1 }),
      f("fusion", "list", "ensemble weights w tried on validation (numbers >= 0)"),
      f("tag", "string", "suffix of the result file name (lower-case letters, digits, '-')"),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchGreenerFairCommand } = await import("./greener.js");
      return { result: await benchGreenerFairCommand(flags, ctx.argv) };
    },
  },
  {
    name: "bench seqrec",
    summary: "next-item models: GatedLongRec's table (default), CTA's table (--suite cta) or SASRec's sanity protocol (--suite sanity)",
    notes:
      "--suite gatedlongrec: every next-item model and the GatedLongRec ablations, full ranking on ml-1m test targets.\n" +
      "--suite cta: pop, gru4rec, sasrec, tisasrec and the CTA variants on ml-1m test users (writes cta-<date>.json).\n" +
      "--suite sanity: SASRec's leave-one-out protocol (HR@10 / NDCG@10 vs 100 sampled items) beside the public numbers.",
    flags: [
      f("suite", "enum", "which table", { values: ["gatedlongrec", "cta", "sanity"], default: "gatedlongrec" }),
      QUICK,
      f("seeds", "integer", "seeds", { min: 1 }),
      f("epochs", "integer", "epochs", { min: 1 }),
      f("train-fraction", "number", "fraction of the training targets per epoch", { min: 0 }),
      f("only", "list", "run only these models / variants"),
      f("windows", "list", "cta: windows W (integers >= 2; W − 1 earlier actions)", {
        arg: "4,8,50", check: (v) => (String(v).split(",").every((w) => /^\d+$/.test(w) && Number(w) >= 2) ? null : "takes integers >= 2 (a target sees W − 1 earlier actions)"),
      }),
      f("window", "integer", "sanity: window (SASRec's max length; --train sequences: 200)", { min: 2 }),
      f("train", "enum", "sanity: per-window training (the harness's) or whole sequences with one sampled negative per position (pmixer/SASRec.pytorch's; sasrec only)", { values: ["windows", "sequences"], default: "windows" }),
      f("eval-every", "integer", "sanity --train sequences: validate every N epochs (default 5)", { min: 1 }),
      f("patience", "integer", "sanity --train sequences: stop after N validations without a better NDCG@10 (default 8)", { min: 1 }),
      f("max-minutes", "number", "sanity --train sequences: stop a seed at the first validation past this wall time", { min: 0 }),
      f("tag", "string", "sanity: suffix of the result file (seqrec-sanity-<date>[-quick]-<tag>.json; lower-case letters, digits, '-')", {
        arg: "TAG", check: (v) => (/^[a-z0-9-]+$/.test(String(v)) ? null : "expects lower-case letters, digits or '-'"),
      }),
      f("lr-fixed", "list", "cta: fixed learning rates instead of the selection", {
        arg: "variant=lr,...", check: (v) => (String(v).split(",").every((kv) => { const i = kv.lastIndexOf("="); return i > 0 && Number(kv.slice(i + 1)) > 0; }) ? null : "takes variant=lr pairs with lr > 0"),
      }),
      f("name", "string", "cta: the result file's name (<name>-<date>.json)"),
      f("seed-from", "integer", "cta, sanity: first seed", { min: 0 }),
      f("no-window-cap", "boolean", "cta: do not cap TiSASRec's window"),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { runBenchSeqRec } = await import("./seqrec.js");
      return { result: await runBenchSeqRec(flags, ctx.argv) };
    },
  },
  {
    name: "bench balance",
    summary: "multi-task balancers: quality (AUC / NE over seeds) and QPS ratios",
    flags: [QUICK, f("datasets", "list", "datasets", { values: ["census", "synthetic"] }), PLOT_BENCH, PLOT_OUT_DIR, JSON_FLAG],
    outIsDir: true,
    async run(flags) {
      const { benchBalanceCli } = await import("./multitask.js");
      return { result: { ...(benchBalanceCli(flags) as Record<string, unknown>) } };
    },
  },
  {
    name: "bench balance-qps",
    summary: "MultiBalance QPS / plain summed loss: R runs × P alternated step pairs on the synthetic industrial shape, a sparse-embedding-cost proxy and Census MMoE, with a t interval over runs",
    flags: [
      QUICK,
      f("shapes", "list", "shapes (default all)", { values: ["synthetic", "sparse", "census"] }),
      f("balancer", "enum", "the balanced side (the other is equal weights; equal: an A/A control run, both sides the plain summed loss)", { values: ["multibalance", "metabalance", "uncertainty", "gradnorm", "pcgrad", "equal"], default: "multibalance" }),
      f("runs", "integer", "runs per shape, each with fresh models and its own batches (default 10; --quick: 2)", { min: 1 }),
      f("pairs", "integer", "alternated step pairs per run (default 200; --quick: 10)", { min: 1 }),
      f("warmup", "integer", "warm-up steps per model and run (default 3; --quick: 2)", { min: 0 }),
      f("tag", "string", "suffix of the result file: balance-qps-<date>[-quick]-<tag>.json", { arg: "TAG", check: (v) => (/^[A-Za-z0-9._-]+$/.test(String(v)) ? null : "expects letters, digits, '.', '_' or '-'") }),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchBalanceQps } = await import("../bench/balance_qps.js");
      return {
        result: {
          ...benchBalanceQps({
            quick: !!flags.quick, shapes: str(flags.shapes)?.split(",") as ("synthetic" | "sparse" | "census")[] | undefined, balancer: str(flags.balancer),
            runs: num(flags.runs), pairs: num(flags.pairs), warmup: num(flags.warmup), tag: str(flags.tag), out: str(flags.out), command: ["recforge", ...ctx.argv].join(" "),
          }),
        },
      };
    },
  },
  {
    name: "bench dti-seeds",
    summary: "DTI vs SW test AUC over seeds on the same test targets: paired bootstrap intervals, verdicts from them",
    flags: [
      QUICK,
      f("seeds", "integer", "training seeds", { default: 5, min: 1 }),
      f("ks", "list", "DTI targets per prompt k (integers >= 1; default 20,40,80)", { check: (v) => (String(v).split(",").every((x) => /^[1-9][0-9]*$/.test(x)) ? null : "expects integers >= 1") }),
      f("replicates", "integer", "bootstrap replicates", { default: 2000, min: 100 }),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchDtiSeeds } = await import("../bench/dti_seeds.js");
      const ks = str(flags.ks)?.split(",").map(Number);
      return { result: { ...(await benchDtiSeeds({ quick: !!flags.quick, seeds: num(flags.seeds), ks, replicates: num(flags.replicates), out: str(flags.out), command: ["recforge", ...ctx.argv].join(" ") })) } };
    },
  },
  {
    name: "bench dti-e2e",
    summary: "SW vs DTI end to end at n = 20 and 40, k = 20, 40, 80 (interleaved runs): time, token and CPU ratios, per-token premium by loop phase, ΔAUC with a paired bootstrap",
    flags: [
      QUICK,
      f("ns", "list", "context lengths n (integers >= 1; default 20,40)", { check: (v) => (String(v).split(",").every((x) => /^[1-9][0-9]*$/.test(x)) ? null : "expects integers >= 1") }),
      f("ks", "list", "DTI targets per prompt k (integers >= 1; default 20,40,80; --quick: 20,40)", { check: (v) => (String(v).split(",").every((x) => /^[1-9][0-9]*$/.test(x)) ? null : "expects integers >= 1") }),
      f("seeds", "integer", "training seeds 0..N-1 (default 2; --quick: 1)", { min: 1 }),
      f("users", "integer", "MovieLens subset: the first N users (default 300; --quick: 60)", { min: 1 }),
      f("max-per-user", "integer", "MovieLens subset: each user's last N interactions (default 300; --quick: 120)", { min: 1 }),
      f("dim", "integer", "model width (default 64, 2 layers, 4 heads)", { min: 8 }),
      f("replicates", "integer", "bootstrap replicates", { default: 2000, min: 100 }),
      f("op-profile", "boolean", "time every native op of the training steps and decompose the per-token premium op by op (slows the runs a little)"),
      f("tag", "string", "suffix of the result file: dti-e2e-<date>[-quick]-<tag>.json", { arg: "TAG", check: (v) => (/^[A-Za-z0-9._-]+$/.test(String(v)) ? null : "expects letters, digits, '.', '_' or '-'") }),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchDtiE2e } = await import("../bench/dti_e2e.js");
      const ints = (v: unknown) => str(v)?.split(",").map(Number);
      const dim = num(flags.dim);
      return {
        result: {
          ...(await benchDtiE2e({
            quick: !!flags.quick, ns: ints(flags.ns), ks: ints(flags.ks), seeds: num(flags.seeds), users: num(flags.users), maxPerUser: num(flags["max-per-user"]),
            model: dim === undefined ? undefined : { dim }, replicates: num(flags.replicates), opProfile: !!flags["op-profile"], tag: str(flags.tag), out: str(flags.out), command: ["recforge", ...ctx.argv].join(" "),
          })),
        },
      };
    },
  },
  {
    name: "bench balance-seeds",
    summary: "Census NE / AUC of every balancer over seeds 1..N on the same test rows: paired bootstrap intervals, verdicts from them",
    flags: [
      QUICK,
      f("seeds", "integer", "seeds 1..N (default 5; --quick: 2)", { min: 1 }),
      f("balancers", "list", "balancers to compare (default all; --quick: equal, multibalance)", { values: ["equal", "multibalance", "metabalance", "uncertainty", "gradnorm", "pcgrad"] }),
      f("epochs", "integer", "training epochs (default 3; --quick: 1)", { min: 1 }),
      f("replicates", "integer", "bootstrap replicates", { default: 2000, min: 100 }),
      OUT_DIR, PLOT_BENCH, JSON_FLAG,
    ],
    outIsDir: true,
    async run(flags, ctx) {
      const { benchBalanceSeeds } = await import("../bench/balance_seeds.js");
      const n = num(flags.seeds);
      return {
        result: {
          ...benchBalanceSeeds({
            quick: !!flags.quick,
            seeds: n === undefined ? undefined : Array.from({ length: n }, (_, i) => i + 1),
            balancers: str(flags.balancers)?.split(","),
            epochs: num(flags.epochs),
            replicates: num(flags.replicates),
            out: str(flags.out),
            command: ["recforge", ...ctx.argv].join(" "),
          }),
        },
      };
    },
  },
  {
    name: "info",
    summary: "build and machine capabilities (backends, CPU instruction set, BLAS, CUDA)",
    flags: [JSON_FLAG],
    async run() {
      const { backends } = await import("../runtime.js");
      return { result: { ...backends() } };
    },
  },
];

/** The command named by the leading words of argv (longest match), and the words it used. */
export function findCommand(argv: readonly string[]): { command: Command; words: number } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(" ");
    const c = COMMANDS.find((x) => x.name === name);
    if (c) return { command: c, words };
  }
  return null;
}

export function usageOf(c: Command): string {
  const help: FlagSpec = { name: "help", type: "boolean", description: "print this help and exit (also -h)" };
  return `recforge ${c.name}${c.synopsis ? " " + c.synopsis : " [options]"}\n\n  ${c.summary}\n\n${formatFlags([...c.flags, help])}` + (c.notes ? `\n\n${c.notes}` : "");
}

export function renderResult(c: Command, result: Record<string, unknown>): string {
  return (c.render ?? ((r) => renderObject(r)))(result);
}
