#!/usr/bin/env node
// Renders the markdown tables of `recforge bench seqrec --suite cta` (bench/results/cta-*.json;
// several files = one table split over processes by --seed-from, rows merged) and, when given, of
// `--suite sanity` (seqrec-sanity-*.json): CTA's "Done" table per window (mean ± sd
// over the seeds that finished), the learned kernel parameters and mean context weights, training
// time per epoch, the learning-rate selection; the sanity table beside the public numbers. Prints
// to stdout; the numbers are the files', nothing else.
//   node scripts/cta-tables.mjs bench/results/cta-YYYY-MM-DD.json [more cta files] [--sanity bench/results/seqrec-sanity-YYYY-MM-DD.json]
import fs from "node:fs";

const args = process.argv.slice(2);
const si = args.indexOf("--sanity");
const sanityFile = si >= 0 ? args[si + 1] : null;
const files = si >= 0 ? [...args.slice(0, si), ...args.slice(si + 2)] : args;
if (!files.length) {
  process.stderr.write("usage: node scripts/cta-tables.mjs <cta result .json> [more cta files] [--sanity <sanity result .json>]\n");
  process.exit(2);
}
const f = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, sd, n: xs.length };
};
const ms = (v, d = 4) => (v.n === 1 ? f(v.mean, d) : `${f(v.mean, d)} ± ${f(v.sd, d)}`);
const prov = (j, name) => {
  const p = j.provenance;
  return `Source: \`${name}\` — commit ${p.commit}${p.commit_dirty ? " (dirty)" : ""}, ${j.complete ? "complete" : "INCOMPLETE (the runs that finished)"}; command \`${p.command}\`; ` +
    `${p.date_start} to ${p.date_end}. Machine: ${p.machine.cpu} (${p.machine.isa}), ${p.machine.cores} cores, ${p.machine.threads} recforge threads, ${p.machine.blas_core}, Node ${p.machine.node}; ` +
    `load average at start ${p.load_start.join(" / ")}, at the last write ${p.load_end.join(" / ")}.`;
};
const out = [];
const parts = files.map((f) => ({ f, j: JSON.parse(fs.readFileSync(f, "utf8")) }));
for (const { f, j } of parts) {
  out.push(`${prov(j, f)} Seeds in this file: ${[...new Set(j.results.map((r) => r.seed))].join(", ")}.`);
  out.push("");
}
// a (seed, window, variant) present in two files (a process stopped just after starting the next
// seed's first row) is counted once: the first file's row is kept and the drop is printed
const seen = new Map();
for (const { f, j: pj } of parts)
  for (const r of pj.results) {
    const key = `${r.seed}/${r.window}/${r.variant}`;
    if (seen.has(key)) out.push(`Row seed ${r.seed}, W = ${r.window}, ${r.variant} of \`${f}\` is also in \`${seen.get(key).f}\` (same numbers: ${JSON.stringify(r.recall) === JSON.stringify(seen.get(key).r.recall)}); counted once.`);
    else seen.set(key, { f, r });
  }
if (parts.length > 1) out.push("");
const j = { ...parts[0].j, results: [...seen.values()].map((v) => v.r).sort((a, b) => a.seed - b.seed) };
const windows = [...new Set(j.results.map((r) => r.window))];
const variants = [...new Set(j.results.map((r) => r.variant))];
out.push("| W | model | seeds | Recall@5 | Recall@20 | MRR@5 | MRR@20 | NDCG@10 |");
out.push("|---|---|---|---|---|---|---|---|");
for (const W of windows)
  for (const v of variants) {
    const rs = j.results.filter((r) => r.window === W && r.variant === v);
    if (!rs.length) continue;
    const g = (fn) => ms(stat(rs.map(fn)));
    out.push(`| ${W} | ${v} | ${rs.map((r) => r.seed).join(",")} | ${g((r) => r.recall["5"])} | ${g((r) => r.recall["20"])} | ${g((r) => r.mrr["5"])} | ${g((r) => r.mrr["20"])} | ${g((r) => r.ndcg10)} |`);
  }
out.push("");
for (const s of j.skipped ?? []) {
  const ranElsewhere = s.windows.filter((W) => j.results.some((r) => r.variant === s.variant && r.window === W));
  const missing = s.windows.filter((W) => !ranElsewhere.includes(W));
  if (missing.length) out.push(`Not run: ${s.variant} at W = ${missing.join(", ")} (${s.why}).`);
  if (ranElsewhere.length) out.push(`${s.variant} at W = ${ranElsewhere.join(", ")} was skipped by the first file (${s.why}) and ran in another file above.`);
}
out.push("");
out.push("Learned kernel parameters a_k, b_k and the mean context weight per kernel over the test positions (mean ± sd over seeds; one kernel: context weights are all 1, not computed):");
out.push("");
out.push("| W | model | kernels | a_k | b_k | mean context c_k |");
out.push("|---|---|---|---|---|---|");
for (const W of windows)
  for (const v of variants) {
    const rs = j.results.filter((r) => r.window === W && r.variant === v && r.kernel_a);
    if (!rs.length) continue;
    const vec = (key) => rs[0][key] ? rs[0][key].map((_, k) => ms(stat(rs.map((r) => r[key][k])), 3)).join("; ") : "–";
    out.push(`| ${W} | ${v} | ${rs[0].kernels}${rs[0].context === false ? " (no context)" : ""} | ${vec("kernel_a")} | ${vec("kernel_b")} | ${vec("mean_context")} |`);
  }
out.push("");
out.push("Training time per epoch (one epoch = the protocol's fraction of the training targets; wall seconds of the training loop under the load above, CPU) and epochs:");
out.push("");
out.push("| W | model | lr | s / epoch | epochs run (per seed) | best epoch (per seed) | parameters |");
out.push("|---|---|---|---|---|---|---|");
for (const W of windows)
  for (const v of variants) {
    const rs = j.results.filter((r) => r.window === W && r.variant === v);
    if (!rs.length) continue;
    out.push(`| ${W} | ${v} | ${rs[0].model === "pop" ? "–" : `${rs[0].optimizer} ${rs[0].lr}`} | ${ms(stat(rs.map((r) => r.seconds_per_epoch)), 1)} | ${rs.map((r) => r.epochs_trained).join(",")} | ${rs.map((r) => r.best_epoch).join(",")} | ${rs[0].parameters} |`);
  }
out.push("");
if (j.lr_selection?.length) {
  out.push("Learning-rate selection (seed 0, validation Recall@5):");
  out.push("");
  out.push("| model | W | optimiser | lr | epochs | valid Recall@5 |");
  out.push("|---|---|---|---|---|---|");
  for (const s of j.lr_selection) out.push(`| ${s.variant} | ${s.window} | ${s.optimizer} | ${s.lr} | ${s.epochs} | ${f(s.valid_recall5)} |`);
  out.push("");
}
const d = j.data;
out.push(`Data: ${d.users} users, ${d.items} items (training users' vocabulary + <unk>), ${d.actions} actions; targets train ${d.targets.train}, valid ${d.targets.valid} (${d.valid_evaluated} used for early stopping), test ${d.targets.test} (${d.test_evaluated} evaluated).`);
if (sanityFile) {
  const s = JSON.parse(fs.readFileSync(sanityFile, "utf8"));
  out.push("");
  out.push("### SASRec sanity protocol (leave-one-out, 100 sampled unrated negatives)");
  out.push("");
  out.push(prov(s, sanityFile));
  out.push("");
  out.push("| model | data | window | epochs | seeds | HR@10 | NDCG@10 | s / epoch |");
  out.push("|---|---|---|---|---|---|---|---|");
  for (const [i, p] of s.public.runs.entries())
    out.push(`| SASRec, public run ${i + 1} | full ML-1M (6,040 users) | 200 | 1,000 full | – | ${f(p.hr10)} | ${f(p.ndcg10)} | – |`);
  for (const m of [...new Set(s.results.map((r) => r.model))]) {
    const rs = s.results.filter((r) => r.model === m);
    out.push(`| ${m} (recforge) | partial ML-1M (${s.data.users} users) | ${rs[0].window} | ≤ ${s.protocol.epochs} × ${s.protocol.trainFraction} (ran ${rs.map((r) => r.epochs_trained).join(",")}) | ${rs.map((r) => r.seed).join(",")} | ${ms(stat(rs.map((r) => r.hr10)))} | ${ms(stat(rs.map((r) => r.ndcg10)))} | ${ms(stat(rs.map((r) => r.seconds_per_epoch)), 1)} |`);
  }
  out.push("");
  out.push(`Public numbers: ${s.public.source}. Differences: ${s.protocol.differences}.`);
}
process.stdout.write(out.join("\n") + "\n");
