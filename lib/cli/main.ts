// The `recforge` command: a thin shell over library functions.
import { parseArgs, numFlag } from "./args.js";
import { benchOps } from "../bench/ops.js";
import { MULTITASK_USAGE, benchBalanceCli, trainMultitaskCli } from "./multitask.js";
import { benchGnn } from "../bench/gnn.js";

const USAGE = `recforge <command>

  demo [--quick] [--out dir]          train the embedded demo end to end and print a comparison
  train cop --problem maxcut|kcut|tsp [...]  LS-DQN local search by N-step double DQN (train cop --help)
  train ctr --data <dir|file> [...]   train an LLM-style CTR model with SW or DTI prompts (train ctr --help)
  bench ops [--json] [--quick]        GEMM / memory-bound kernels / per-op overhead
  bench dti [--json] [--quick]        DTI: fused attention kernel, SW vs DTI training, ablation
  bench gnn [--json] [--quick]        fused GAT layer vs the op-by-op GAT (forward + backward)
  bench gru [--json] [--quick] [--no-torch]
                                      fused GRU vs the op-by-op GRU and PyTorch's CPU nn.GRU (forward + backward)
  bench cop [--json] [--quick] [--out dir] [--only A,B,C,D,speed] [--gset all|G1,G2,...]
                                      LS-DQN vs random / greedy / tabu (TSP: 2-opt, farthest, nearest) on Max-Cut,
                                      ECO-DQN sets, Gset, TSPLIB (3 training seeds; reduced protocol) and speed
  bench compexp [--json] [--quick] [--seeds n] [--parallel] [--data f] [--out dir]
                                      CompExp and its baselines on the test reviews (reduced protocol; --out bench/results: the file of record)
  bench explain [--json] [--quick]    GREENer sentence selection: ILP timing, baselines and GREENer quality
  bench greener-fair [--json] [--quick] [--data f] [--domain name] [--seeds 0,1,2] [--variants a,b] [--max-epochs n]
                     [--validation-limit n] [--test-limit n] [--train-limit n] [--fusion w,..] [--out dir] [--tag name]
                                      GREENer vs most popular and the stand-in, all tuned on validation; paired bootstrap on test
                                      (--no-greener: baselines only; GREENer options as for train greener)
  train greener [--data f] [--device cpu|cuda] [--alpha x] [--length-weight x] [--labels sentences|review] [--no-centrality] [--json]
                                      GREENer: train on Amazon reviews, evaluate ILP / top-K selection
  train seqrec --model M [...]        next-item models on MovieLens-1M: gatedlongrec|gru4rec|gru4rec-cat|sasrec|pop
                                      (train seqrec --help)
  bench seqrec [--json] [--quick] [--seeds N] [--only a,b] [--out dir]
                                      every next-item model and GatedLongRec ablations, full ranking on ml-1m
                                      test targets (--out bench/results: the result file of record)
  bench seqrec --suite cta [--windows 4,8,50] [--seeds N] [--epochs N] [--train-fraction F] [--only v,..]
                                      CTA's table: pop, gru4rec, sasrec, tisasrec, cta-log, cta-lin-5, cta-const
                                      (α only), cta-lin-5-no-context on ml-1m test users (writes cta-<date>.json)
  bench seqrec --suite sanity [--only sasrec,tisasrec,cta] [--window N]
                                      SASRec's leave-one-out protocol (HR@10 / NDCG@10 vs 100 sampled items)
                                      beside the public numbers (writes seqrec-sanity-<date>.json)
  train compexp [--data f] [--stats-only] [--quick] [--epochs n] [--iters n] [--checkpoint-dir d] [--resume] [--json]
                                      CompExp: examples on GREENer's split, the rating-difference distribution,
                                      staged training (extractor, pretrain, end to end)
  info                                build and machine capabilities
${MULTITASK_USAGE}

Logs go to stderr; --json prints exactly one JSON object on stdout.`;

export async function main(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv);
  const [cmd, sub] = positionals;
  const json = !!flags.json;
  const quick = !!flags.quick;
  try {
    switch (cmd) {
      case "bench":
        if (sub === "explain") return await (await import("./greener.js")).benchExplainGreenerCommand(flags, argv);
        if (sub === "greener-fair") return await (await import("./greener.js")).benchGreenerFairCommand(flags, argv);
        if (sub === "ops") {
          const r = benchOps({ quick, command: ["recforge", ...argv].join(" ") });
          print(r, json);
          return 0;
        }
        if (sub === "balance") {
          print(benchBalanceCli(flags), json);
          return 0;
        }
        if (sub === "gnn") {
          print(benchGnn({ quick, command: ["recforge", ...argv].join(" ") }), json);
          return 0;
        }
        if (sub === "gru") {
          const { benchGru } = await import("../bench/gru.js");
          print(benchGru({ quick, torch: !flags["no-torch"], command: ["recforge", ...argv].join(" ") }), json);
          return 0;
        }
        if (sub === "seqrec") {
          const { runBenchSeqRec } = await import("./seqrec.js");
          print(await runBenchSeqRec(flags, argv), json);
          return 0;
        }
        if (sub === "cop") {
          const { benchCop } = await import("../bench/cop.js");
          const only = typeof flags.only === "string" ? (flags.only.split(",").map((x) => x.trim()) as import("../bench/cop.js").CopStage[]) : undefined;
          const gset = flags.gset === "all" ? Array.from({ length: 21 }, (_, i) => `G${i + 1}`) : typeof flags.gset === "string" ? flags.gset.split(",").map((x) => x.trim()) : undefined;
          print(benchCop({ quick, only, gset, out: typeof flags.out === "string" ? flags.out : null, command: ["recforge", ...argv].join(" ") }), json);
          return 0;
        }
        if (sub === "compexp") {
          const { benchCompExp } = await import("../bench/compexp.js");
          const seeds = flags.seeds === undefined ? undefined : numFlag(flags, "seeds", 1);
          const seedOnly = flags["seed-only"] === undefined ? undefined : numFlag(flags, "seed-only", 0);
          const r = await benchCompExp({ quick, seeds, seedOnly, parallel: !!flags.parallel, out: typeof flags.out === "string" ? flags.out : null, argv, file: typeof flags.data === "string" ? flags.data : undefined });
          print(r, json || seedOnly !== undefined);
          return 0;
        }
        if (sub === "dti") {
          const { benchDti } = await import("../bench/dti.js");
          print(await benchDti({ quick, seeds: flags.seeds === undefined ? undefined : Number(flags.seeds), out: typeof flags.out === "string" ? flags.out : undefined, command: ["recforge", ...argv].join(" ") }), json);
          return 0;
        }
        break;
      case "train":
        if (sub === "multitask") {
          const r = trainMultitaskCli(flags);
          if (r) print(r, json);
          return 0;
        }
        if (sub === "greener") return await (await import("./greener.js")).trainGreenerCommand(flags, argv);
        if (sub === "seqrec") {
          const { runTrainSeqRec, TRAIN_SEQREC_USAGE } = await import("./seqrec.js");
          if (flags.help) {
            process.stdout.write(TRAIN_SEQREC_USAGE + "\n");
            return 0;
          }
          const r = await runTrainSeqRec(flags);
          if (json && r) print(r, true);
          return 0;
        }
        if (sub === "compexp") return await (await import("./compexp.js")).trainCompExpCommand(flags);
        if (sub === "cop") {
          const { runTrainCop, TRAIN_COP_USAGE } = await import("./cop.js");
          if (flags.help) {
            process.stdout.write(TRAIN_COP_USAGE + "\n");
            return 0;
          }
          const r = runTrainCop(flags);
          if (json) print(r, true);
          return 0;
        }
        if (sub === "ctr") {
          const { runTrainCtr, TRAIN_CTR_USAGE } = await import("./ctr.js");
          if (flags.help) {
            process.stdout.write(TRAIN_CTR_USAGE + "\n");
            return 0;
          }
          const r = await runTrainCtr(flags);
          if (json && r) print(r, true);
          return 0;
        }
        break;
      case "demo": {
        const { runDemo } = await import("./demo.js");
        const r = await runDemo({ quick, outDir: typeof flags.out === "string" ? flags.out : undefined, json });
        if (json) print(r, true);
        return 0;
      }
      case "info": {
        const { backends } = await import("../runtime.js");
        print(backends(), true);
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
        process.stdout.write(USAGE + "\n");
        return 0;
    }
    process.stderr.write(`recforge: unknown command ${positionals.join(" ")}\n\n${USAGE}\n`);
    return 2;
  } catch (e) {
    process.stderr.write(`recforge: ${(e as Error).message}\n`);
    return 1;
  }
}

function print(v: unknown, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify(v) + "\n");
  else process.stdout.write(JSON.stringify(v, null, 2) + "\n");
}
