// Markdown table of a `bench seqrec --suite sanity --train sequences` result file beside the public
// SASRec numbers it carries: per seed (epochs trained, chosen epoch, what stopped the run,
// validation and test HR@10 / NDCG@10, s / epoch), mean ± sd over seeds, and the gap to the mean
// of the two public runs. Prints to stdout; every number is the file's.
//   node scripts/sanity-table.mjs bench/results/seqrec-sanity-YYYY-MM-DD-TAG.json
import fs from "node:fs";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node scripts/sanity-table.mjs <seqrec-sanity result .json>\n");
  process.exit(2);
}
const j = JSON.parse(fs.readFileSync(file, "utf8"));
const f = (x, d = 4) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const stat = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { m, sd: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0 };
};
const ms = (xs, d = 4) => { const s = stat(xs); return xs.length > 1 ? `${f(s.m, d)} ± ${f(s.sd, d)}` : f(s.m, d); };
const p = j.provenance;
const out = [];
out.push(`Source: \`${file}\` — commit ${p.commit}${p.commit_dirty ? " (dirty)" : ""}, ${j.complete ? "complete" : "INCOMPLETE (the seeds that finished)"}; command \`${p.command}\`; ` +
  `${p.date_start} to ${p.date_end}. Machine: ${p.machine.cpu} (${p.machine.isa}), ${p.machine.cores} cores, ${p.machine.threads} recforge threads, ${p.machine.blas_core}, Node ${p.machine.node}; ` +
  `load average at start ${p.load_start.join(" / ")}, at the last write ${p.load_end.join(" / ")}.`);
out.push("");
out.push("| run | data | max length | epochs trained (chosen) | stopped by | valid HR@10 | valid NDCG@10 | test HR@10 | test NDCG@10 | s / epoch |");
out.push("|---|---|---|---|---|---|---|---|---|---|");
for (const [i, r] of j.public.runs.entries())
  out.push(`| SASRec, public run ${i + 1} | full ML-1M (6,040 users) | 200 | 1,000 (fixed) | – | – | – | ${f(r.hr10)} | ${f(r.ndcg10)} | – |`);
const rows = j.results.filter((r) => r.model === "sasrec");
for (const r of rows)
  out.push(`| recforge sasrec, seed ${r.seed} | partial ML-1M (${j.data.users} users) | ${r.window} | ${r.epochs_trained} (${r.best_epoch}) | ${r.stopped_by ?? "–"} | ${f(r.valid_hr10)} | ${f(r.valid_ndcg10)} | ${f(r.hr10)} | ${f(r.ndcg10)} | ${f(r.seconds_per_epoch, 1)} |`);
if (rows.length) {
  out.push(`| **recforge sasrec, mean ± sd** | | | ${ms(rows.map((r) => r.epochs_trained), 0)} (${ms(rows.map((r) => r.best_epoch), 0)}) | | ${ms(rows.map((r) => r.valid_hr10))} | ${ms(rows.map((r) => r.valid_ndcg10))} | **${ms(rows.map((r) => r.hr10))}** | **${ms(rows.map((r) => r.ndcg10))}** | ${ms(rows.map((r) => r.seconds_per_epoch), 1)} |`);
  const pub = { hr: stat(j.public.runs.map((r) => r.hr10)).m, nd: stat(j.public.runs.map((r) => r.ndcg10)).m };
  const hr = stat(rows.map((r) => r.hr10)).m, nd = stat(rows.map((r) => r.ndcg10)).m;
  out.push("");
  out.push(`Gap to the mean of the two public runs (HR@10 ${f(pub.hr)}, NDCG@10 ${f(pub.nd)}): HR@10 ${f(hr - pub.hr)} (${f((100 * (hr - pub.hr)) / pub.hr, 1)} %), NDCG@10 ${f(nd - pub.nd)} (${f((100 * (nd - pub.nd)) / pub.nd, 1)} %).`);
  out.push("");
  out.push("Validation curve (every validated epoch: mean training loss since the previous one, validation HR@10 / NDCG@10), per seed:");
  out.push("");
  for (const r of rows)
    out.push(`- seed ${r.seed}: ${r.curve.map((c) => `${c.epoch}: ${f(c.loss, 3)} / ${f(c.valid_hr10, 3)} / ${f(c.valid_ndcg10, 3)}`).join("; ")}`);
}
process.stdout.write(out.join("\n") + "\n");
