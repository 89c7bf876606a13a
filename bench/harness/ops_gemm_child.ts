// Child process of `recforge bench ops`: the own-vs-library GEMM loop (ops_gemm.ts) under the
// OPENBLAS_CORETYPE its parent set for this process only (OpenBLAS reads it once, when loaded, so each
// core type needs its own process). Prints one JSON object (GemmRounds) on stdout.
//   node dist/bench/ops_gemm_child.js '{"sizes":[256,512],"quick":true,"budgetMs":4000}'
import { runGemmRounds } from "./ops_gemm.js";

const opts = JSON.parse(process.argv[2] ?? "{}") as { sizes?: number[]; quick?: boolean; budgetMs?: number };
const r = runGemmRounds(opts.sizes ?? [256, 512, 1024, 2048], { quick: !!opts.quick, dispatched: false, budgetMs: opts.budgetMs ?? 20000 });
process.stdout.write(JSON.stringify(r) + "\n");
