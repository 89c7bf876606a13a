// `recforge train compexp [--data reviews.json[.gz]] [options] [--json]`: prepares the reviews on
// GREENer's split (cached), builds CompExp's examples, reports the rating-difference (Δ)
// distribution, then trains the stages extractor → (rewrite pairs) → pretrain → e2e.
// --stats-only: stop after the Δ distribution. Options: --epochs n (every stage), --iters n
// (batches per epoch), --batch n, --embed n, --hidden n, --seed n, --val-cap n,
// --checkpoint-dir d (per-stage -last / -best files), --resume, --quick (embed/hidden 32,
// 1 epoch of 5 batches of 16, 50 validation examples).
// Logs and a bar per stage and pass (every optimiser step, validation batch and chunk of rewrite
// encoding, from the trainer's progress events) go to stderr; --json prints one JSON object.
import type { Parsed } from "./args.js";
import { numFlag } from "./args.js";
import { ProgressBar, trainerProgressBars } from "./progress.js";
import { progressLoop } from "../api/progress.js";
import { runAsync, type Steps } from "../methods/step_loop.js";
import type { CommandOutput } from "./command.js";
import { musicalInstrumentsPath } from "../data/reviews.js";
import { prepareGreenerData } from "../methods/greener/prepare.js";
import { buildExamples, deltaDistribution, type DeltaReport } from "../methods/compexp/data.js";
import { CompExpModel } from "../methods/compexp/model.js";
import { buildCorpus, computeRewriteSteps, plannedStageSteps, trainCompExpSteps, type CompExpTrainReport } from "../methods/compexp/train.js";

function describe(d: DeltaReport["reviewPairs"], signed = true): string {
  return d.rows.map((r) => `${signed && r.value > 0 ? "+" : ""}${r.value}: ${(100 * r.share).toFixed(1)}%`).join("  ");
}

/**
 * Runs one trainer core of CompExp (a stage, or the rewrite-pair encoding) with a bar per pass,
 * fed by its progress events (lib/api progressLoop): every optimiser step, every validation
 * batch, every chunk of encoded sentences.
 */
async function withBars<R>(label: string, core: Steps<R>, plannedSteps?: number): Promise<R> {
  const bars = trainerProgressBars(label);
  // A stage's bar shows from its start (an e2e step can take many seconds): step 0 of the steps it plans.
  if (plannedSteps !== undefined) bars({ phase: "train", epoch: 1, step: 0, steps: plannedSteps, etaS: null });
  return runAsync(core, progressLoop("compexp", { onProgress: bars }));
}

export async function trainCompExpCommand(flags: Parsed["flags"]): Promise<CommandOutput> {
  const quick = !!flags.quick;
  const opt = (name: string) => (flags[name] === undefined ? undefined : numFlag(flags, name, 0));
  const log = (m: string) => process.stderr.write(m + "\n");
  const file = typeof flags.data === "string" ? flags.data : musicalInstrumentsPath();
  // Data: the prepared reviews, the examples of each split, then (unless --stats-only) the corpus.
  const dataBar = new ProgressBar("compexp data", flags["stats-only"] ? 4 : 5);
  dataBar.update(0, "reading the prepared reviews");
  const { data } = await prepareGreenerData(file, {}, { log });
  let parts = 0;
  const examplesOf = (split: "train" | "validation" | "test") => {
    dataBar.update(++parts, `examples: ${split}`);
    return buildExamples(data, split);
  };
  const splits = { train: examplesOf("train"), validation: examplesOf("validation"), test: examplesOf("test") };
  dataBar.update(4, "vocabulary and examples");
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
  dataBar.update(5);
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
  reports.push(await withBars("compexp extractor", trainCompExpSteps(model, corpus, { ...common, stage: "extractor" }), plannedStageSteps(corpus, { ...common, stage: "extractor" })));
  corpus.rewrites = await withBars("compexp rewrites", computeRewriteSteps(model, corpus));
  log(`compexp: ${corpus.rewrites.length} rewrite pairs`);
  reports.push(await withBars("compexp pretrain", trainCompExpSteps(model, corpus, { ...common, stage: "pretrain" }), plannedStageSteps(corpus, { ...common, stage: "pretrain" })));
  reports.push(await withBars("compexp e2e", trainCompExpSteps(model, corpus, { ...common, stage: "e2e" }), plannedStageSteps(corpus, { ...common, stage: "e2e" })));
  const out = { data: dataReport, vocabulary: corpus.vocab.size, rewritePairs: corpus.rewrites.length, stages: reports };
  model.dispose();
  const chart = {
    kind: "line" as const, title: "train compexp: training loss per stage", xLabel: "epoch", yLabel: "mean training loss",
    series: reports.map((r) => ({ name: r.stage, points: r.epochs.map((e) => [e.epoch + 1, e.loss] as [number, number]) })),
  };
  return { result: out, chart };
}
