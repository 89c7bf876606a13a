#!/usr/bin/env node
// Renders the markdown tables of a `recforge bench seqrec --json` result file (bench/results/
// seqrec-*.json): the spec's "Done" table (mean ± sd over the seeds that finished), the category
// table, the learning-rate selection and the training time per epoch. Prints to stdout; the
// numbers are the file's, nothing else.
//   node scripts/seqrec-tables.mjs bench/results/seqrec-YYYY-MM-DD.json
import fs from "node:fs";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node scripts/seqrec-tables.mjs <seqrec result .json>\n");
  process.exit(2);
}
const j = JSON.parse(fs.readFileSync(file, "utf8"));
const f = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const ms = (v, d = 4) => (v.seeds === 1 ? f(v.mean, d) : `${f(v.mean, d)} ± ${f(v.sd, d)}`);
const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, sd, seeds: xs.length };
};
const out = [];
// Files from before lib/provenance.ts carry commit / command / machine at the top level.
const p = j.provenance ?? { commit: j.commit, commit_dirty: j.commit_dirty, command: j.command, machine: j.machine, load_start: j.machine.load_average_start, load_end: j.machine.load_average_now };
out.push(`Source: \`${file}\` — commit ${p.commit}${p.commit_dirty ? " (dirty)" : ""}, ${j.complete ? "complete" : "INCOMPLETE (the runs that finished)"}; command \`${p.command}\`.`);
out.push(`Machine: ${p.machine.cpu}${p.machine.isa ? ` (${p.machine.isa}; GEMM ${p.machine.blas_core})` : ""}, ${p.machine.cores} cores, ${p.machine.threads} recforge threads, Node ${p.machine.node}; load average at start ${p.load_start.join(" / ")}, at the last write ${p.load_end.join(" / ")}; ${j.total_seconds} s in all.`);
out.push("");
const models = [...new Set(j.results.map((r) => r.model))];
out.push("| model | seeds | Recall@5 | Recall@20 | Recall@100 | MRR@5 | MRR@20 | MRR@100 | NDCG@10 |");
out.push("|---|---|---|---|---|---|---|---|---|");
for (const m of models) {
  const rs = j.results.filter((r) => r.model === m);
  const g = (fn) => ms(stat(rs.map(fn)));
  out.push(`| ${m} | ${rs.map((r) => r.seed).join(",")} | ${["5", "20", "100"].map((k) => g((r) => r.recall[k])).join(" | ")} | ${["5", "20", "100"].map((k) => g((r) => r.mrr[k])).join(" | ")} | ${g((r) => r.ndcg10)} |`);
}
out.push("");
out.push("Category table (next-category Recall@5 / MRR@5 on the test targets):");
out.push("");
out.push("| category | method | seeds | Recall@5 | MRR@5 |");
out.push("|---|---|---|---|---|");
const cats = [...new Set(j.category.map((c) => `${c.category}\u0000${c.method}`))];
for (const key of cats) {
  const [cat, method] = key.split("\u0000");
  const rs = j.category.filter((c) => c.category === cat && c.method === method);
  out.push(`| ${cat} | ${method} | ${rs[0].seed === null ? "–" : rs.map((r) => r.seed).join(",")} | ${ms(stat(rs.map((r) => r.recall5)))} | ${ms(stat(rs.map((r) => r.mrr5)))} |`);
}
out.push("");
out.push("Training (per seed): epochs run, best epoch, learning rate, seconds per epoch (one epoch = the protocol's fraction of the training targets), phase switch:");
out.push("");
out.push("| model | seed | lr | epochs | best | valid Recall@20 | s / epoch | phase 2 after epoch |");
out.push("|---|---|---|---|---|---|---|---|");
for (const r of j.results.filter((r) => !/ k=|oracle/.test(r.model)))
  out.push(`| ${r.model}${r.same_as ? " (= main run)" : ""} | ${r.seed} | ${r.model === "pop" ? "–" : r.lr ?? "–"} | ${r.epochs_trained} | ${r.best_epoch} | ${f(r.valid_recall20)} | ${f(r.seconds_per_epoch, 1)} | ${r.phase_switch_after_epoch === undefined ? "" : r.phase_switch_after_epoch ?? "never"} |`);
out.push("");
if (j.lr_selection?.length) {
  out.push("Learning-rate selection (seed 0, validation Recall@20):");
  out.push("");
  out.push("| run | optimiser | lr | epochs | valid Recall@20 |");
  out.push("|---|---|---|---|---|");
  for (const s of j.lr_selection) out.push(`| ${s.run} | ${s.optimizer} | ${s.lr} | ${s.epochs} | ${f(s.valid_recall20)} |`);
  out.push("");
}
for (const [k, d] of Object.entries(j.data))
  out.push(`Data (${k}): ${d.users} users, ${d.items} items, ${d.categories} categories, ${d.actions} actions; T_v = ${d.tValid}, T_t = ${d.tTest}; actions after T_v ${d.afterValid?.actions} (${d.afterValid?.users} users), after T_t ${d.afterTest?.actions} (${d.afterTest?.users} users); targets train ${d.targets.train}, valid ${d.targets.valid} (${d.valid_evaluated} used for early stopping), test ${d.targets.test} (${d.test_evaluated} evaluated); category seen before ${f(100 * d.categorySeenBefore, 1)}%, within the last ${d.window} ${f(100 * d.categoryInWindow, 1)}%.`);
process.stdout.write(out.join("\n") + "\n");
