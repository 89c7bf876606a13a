// `recforge train compexp [--data reviews.json[.gz]] [options] [--json]`: prepares the reviews on
// GREENer's split (cached), builds CompExp's examples, reports the rating-difference (Δ)
// distribution, then trains the stages extractor → (rewrite pairs) → pretrain → e2e.
// --stats-only: stop after the Δ distribution. Options: --epochs n (every stage), --iters n
// (batches per epoch), --batch n, --embed n, --hidden n, --seed n, --val-cap n,
// --checkpoint-dir d (per-stage -last / -best files), --resume, --quick (embed/hidden 32,
// 1 epoch of 5 batches of 16, 50 validation examples).
// Logs go to stderr; --json prints one JSON object.
import type { Parsed } from "./args.js";
import { numFlag } from "./args.js";
import { ProgressBar } from "./progress.js";
import type { CommandOutput } from "./command.js";
import { musicalInstrumentsPath } from "../data/reviews.js";
import { prepareGreenerData } from "../methods/greener/prepare.js";
import { buildExamples, deltaDistribution, type DeltaReport } from "../methods/compexp/data.js";
import { CompExpModel } from "../methods/compexp/model.js";
import { buildCorpus, computeRewrites, trainCompExp, type CompExpTrainReport } from "../methods/compexp/train.js";

function describe(d: DeltaReport["reviewPairs"], signed = true): string {
  return d.rows.map((r) => `${signed && r.value > 0 ? "+" : ""}${r.value}: ${(100 * r.share).toFixed(1)}%`).join("  ");
}

/**
 * The training log with a progress bar per stage, in epochs (trainCompExp reports through `log`:
 * "compexp <stage> epoch e batch n: ..." every 10 batches, "compexp <stage> epoch e/E: ..." at each
 * epoch's end). The bar starts at a stage's first batch line with `epochs` as its total (the
 * epoch-end line then gives the true E); within an epoch it advances by batches once the batches
 * per epoch are known (`iters`, else counted over the stage's first epoch).
 */
export function compexpLogProgress(opts: { epochs: number; iters?: number; write?: (s: string) => void }): (m: string) => void {
  const write = opts.write ?? ((s: string) => process.stderr.write(s + "\n"));
  const stages = new Map<string, { bar: ProgressBar; perEpoch: number | null; seen: number }>();
  const stage = (name: string) => {
    let st = stages.get(name);
    if (!st) stages.set(name, (st = { bar: new ProgressBar(`compexp ${name}`, opts.epochs), perEpoch: opts.iters ?? null, seen: 0 }));
    return st;
  };
  return (m: string) => {
    const b = /^compexp (\w+) epoch (\d+) batch (\d+): (.*)$/.exec(m);
    if (b) {
      const st = stage(b[1]);
      const e = Number(b[2]), n = Number(b[3]);
      st.seen = Math.max(st.seen, n);
      const within = st.perEpoch ? Math.min(1, n / st.perEpoch) : 0;
      st.bar.update(Math.round((e - 1 + within) * 100) / 100, `epoch ${e} batch ${n}: ${b[4]}`);
      return;
    }
    const g = /^compexp (\w+) epoch (\d+)\/(\d+):/.exec(m);
    if (!g) {
      write(m);
      return;
    }
    const st = stage(g[1]);
    st.bar.setTotal(Number(g[3]));
    st.perEpoch ??= st.seen || null;
    st.bar.update(Number(g[2]), m.slice(g[0].length).trim());
  };
}

export async function trainCompExpCommand(flags: Parsed["flags"]): Promise<CommandOutput> {
  const quick = !!flags.quick;
  const opt = (name: string) => (flags[name] === undefined ? undefined : numFlag(flags, name, 0));
  // Until a stage's first epoch ends its bar assumes trainCompExp's default of 10 epochs (quick: 1).
  const log = compexpLogProgress({ epochs: opt("epochs") ?? (quick ? 1 : 10), iters: opt("iters") ?? (quick ? 5 : undefined) });
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  const { data } = await prepareGreenerData(file, {}, { log });
  const splits = { train: buildExamples(data, "train"), validation: buildExamples(data, "validation"), test: buildExamples(data, "test") };
  const deltas = Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, deltaDistribution(data, v.examples)])) as Record<string, DeltaReport>;
  for (const [k, v] of Object.entries(splits)) {
    log(`compexp ${k}: ${v.examples.length} examples (skipped: ${v.skipped.noText} without text, ${v.skipped.noReferences} without references, ${v.skipped.noCandidates} without candidates)`);
    log(`  Δ over (review, reference review) pairs: ${describe(deltas[k].reviewPairs)}`);
    log(`  ratings: ${describe(deltas[k].ratings, false)}`);
  }
  const dataReport = { file, examples: Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, { count: v.examples.length, skipped: v.skipped }])), deltas };
  if (flags["stats-only"]) return { result: { data: dataReport } };
  for (const k of ["train", "validation"] as const) {
    const v = splits[k];
    if (v.examples.length === 0)
      throw new RangeError(`train compexp: no ${k} examples in ${file} (skipped: ${v.skipped.noText} without text, ${v.skipped.noReferences} whose user has no other training review, ${v.skipped.noCandidates} whose item has no other user's training sentence)`);
  }
  const corpus = buildCorpus(data);
  const valCap = opt("val-cap") ?? (quick ? 50 : undefined);
  const dim = quick ? 32 : undefined;
  const model = new CompExpModel({ vocabSize: corpus.vocab.size, embedDim: opt("embed") ?? dim, hidden: opt("hidden") ?? dim, seed: opt("seed") ?? 0 });
  const common = {
    epochs: opt("epochs") ?? (quick ? 1 : undefined), itersPerEpoch: opt("iters") ?? (quick ? 5 : undefined), batchSize: opt("batch") ?? (quick ? 16 : undefined),
    seed: opt("seed") ?? 0, validationCap: valCap, checkpointDir: typeof flags["checkpoint-dir"] === "string" ? flags["checkpoint-dir"] : undefined,
    resume: !!flags.resume, log,
  };
  log(`compexp: vocabulary ${corpus.vocab.size}, ${corpus.train.length} training / ${corpus.validation.length} validation examples`);
  const reports: CompExpTrainReport[] = [];
  reports.push(await trainCompExp(model, corpus, { ...common, stage: "extractor" }));
  corpus.rewrites = computeRewrites(model, corpus);
  log(`compexp: ${corpus.rewrites.length} rewrite pairs`);
  reports.push(await trainCompExp(model, corpus, { ...common, stage: "pretrain" }));
  reports.push(await trainCompExp(model, corpus, { ...common, stage: "e2e" }));
  const out = { data: dataReport, vocabulary: corpus.vocab.size, rewritePairs: corpus.rewrites.length, stages: reports };
  model.dispose();
  const chart = {
    kind: "line" as const, title: "train compexp: training loss per stage", xLabel: "epoch", yLabel: "mean training loss",
    series: reports.map((r) => ({ name: r.stage, points: r.epochs.map((e) => [e.epoch + 1, e.loss] as [number, number]) })),
  };
  return { result: out, chart };
}
