// `recforge train seqrec` and `recforge bench seqrec`: thin shells over lib/methods/seqrec (the
// harness: data, split, trainer, full-ranking evaluation) and bench/harness/seqrec.ts. --json prints
// exactly one JSON object on stdout; progress bars and logs go to stderr.
import fs from "node:fs";
import { initProcessGroup } from "../distributed/index.js";
import { numFlag, type Parsed } from "./args.js";
import { ProgressBar, trainerProgressBars } from "./progress.js";
import { smoothCurve } from "./svg.js";
import type { CommandOutput } from "./command.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import { loadMovielensSeq, loadSeqCsv, movielensSeqDir, seqStats, type MovielensCategory } from "../methods/seqrec/data.js";
import { evaluateRanking } from "../methods/seqrec/evaluate.js";
import { restrictToTrainingVocabulary } from "../methods/seqrec/vocab.js";
import { hitRateNdcg, leaveOneOutTargets, sampledRanks } from "../methods/seqrec/sampled_eval.js";
import { createSeqModel, defaultOptimizer, SEQ_MODELS, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec, type SeqProgress } from "../methods/seqrec/train.js";
import type { GatedLongRec } from "../methods/seqrec/gatedlongrec.js";
import { TIME_UNITS, type Cta, type TimeUnit } from "../methods/seqrec/cta.js";
import { SEQ_LOSSES, type SeqLossName } from "../methods/seqrec/inbatch_loss.js";

function optNum(flags: Parsed["flags"], name: string): number | undefined {
  return flags[name] === undefined ? undefined : numFlag(flags, name, 0);
}

function ctaOptions(flags: Parsed["flags"]): SeqModelOptions {
  const str = (name: string) => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new RangeError(`--${name} needs a value`);
    return v;
  };
  const unit = str("time-unit");
  if (unit !== undefined && !(unit in TIME_UNITS)) throw new RangeError(`--time-unit must be ${Object.keys(TIME_UNITS).join(", ")}, got ${JSON.stringify(unit)}`);
  const loss = str("loss");
  if (loss !== undefined && !(SEQ_LOSSES as readonly string[]).includes(loss)) throw new RangeError(`--loss must be ${SEQ_LOSSES.join(", ")}, got ${JSON.stringify(loss)}`);
  return {
    kernels: str("kernels"), context: !flags["no-context"], timeUnit: unit as TimeUnit | undefined, loss: loss as SeqLossName | undefined,
    layers: optNum(flags, "layers"), heads: optNum(flags, "heads"), ffDim: optNum(flags, "ff-dim"),
  };
}

/** The result and its loss curve; the result is null on a rank other than 0 of a --distributed run. */
export async function runTrainSeqRec(flags: Parsed["flags"]): Promise<CommandOutput> {
  const pg = flags.distributed ? initProcessGroup() : null;
  const quiet = !!pg && pg.rank !== 0;
  const name = flags.model;
  if (typeof name !== "string" || !(SEQ_MODELS as readonly string[]).includes(name))
    throw new RangeError(`train seqrec needs --model ${SEQ_MODELS.join("|")}, got ${JSON.stringify(name ?? null)}`);
  const model0 = name as SeqModelName;
  const category = (flags.category ?? "genres") as MovielensCategory;
  if (category !== "genres" && category !== "first-genre") throw new RangeError(`--category must be genres or first-genre, got ${JSON.stringify(category)}`);
  const src = typeof flags.data === "string" ? flags.data : movielensSeqDir();
  const splitKind = flags.split ?? (model0 === "cta" ? "user" : "time");
  if (splitKind !== "time" && splitKind !== "user") throw new RangeError(`--split must be time or user, got ${JSON.stringify(splitKind)}`);
  const split = splitKind === "user" ? { kind: "user" as const, seed: numFlag(flags, "split-seed", 0) } : { kind: "time" as const };
  // Loading takes seconds (ml-1m): a bar for the lines read, then one for the building steps.
  const dataBars = trainerProgressBars("", { enabled: !quiet });
  const onProgress = (stage: string, done: number, total: number) => dataBars({ phase: "prepare", stage: `data ${stage}`, epoch: 0, step: done, steps: total, etaS: undefined });
  const ds0 = fs.existsSync(src) && fs.statSync(src).isFile() ? loadSeqCsv(src, { split, onProgress }) : loadMovielensSeq({ dir: src, category, split, onProgress });
  const vocab = flags.vocab ?? (splitKind === "user" ? "train" : "all");
  if (vocab !== "train" && vocab !== "all") throw new RangeError(`--vocab must be train or all, got ${JSON.stringify(vocab)}`);
  const ds = vocab === "train" ? restrictToTrainingVocabulary(ds0) : ds0;
  const st = seqStats(ds);
  process.stderr.write(`data: ${ds.name}: ${st.users} users, ${st.items} items, ${st.categories} categories; targets train ${st.targets.train}, valid ${st.targets.valid}, test ${st.targets.test}\n`);
  const seed = numFlag(flags, "seed", 0);
  const hist = new CategoryHistory(ds);
  const model = createSeqModel(model0, ds, {
    seed, hidden: optNum(flags, "hidden"), window: optNum(flags, "window"), dropout: optNum(flags, "dropout"),
    longTerm: !flags["no-long-term"], phase2: !flags["no-phase2"], evalK: optNum(flags, "k"), trainK: optNum(flags, "train-k"),
    sampledSoftmax: optNum(flags, "sampled-softmax"), phase2After: optNum(flags, "phase2-after"),
    ...(model0 === "cta" ? ctaOptions(flags) : {}),
  });
  const def = defaultOptimizer(model0);
  const optimizer = (flags.optimizer ?? def.optimizer) as "adagrad" | "adam";
  const nValid = optNum(flags, "valid-targets");
  const selectK = optNum(flags, "select-k") ?? (model0 === "cta" ? 5 : undefined);
  if (selectK !== undefined && ![5, 20, 100].includes(selectK)) throw new RangeError(`--select-k must be a recall cut-off (5, 20 or 100), got ${selectK}`);
  const protocol = flags.protocol ?? "split";
  if (protocol !== "split" && protocol !== "loo") throw new RangeError(`--protocol must be split or loo, got ${JSON.stringify(protocol)}`);
  const loo = protocol === "loo" ? leaveOneOutTargets(ds) : null;
  const trainPos = loo ? loo.train : ds.split.train, testPos = loo ? loo.test : ds.split.test;
  let valid = loo ? loo.valid : ds.split.valid;
  if (nValid !== undefined && nValid < valid.length) {
    const step = valid.length / nValid; // evenly spaced: deterministic and spread over users and time
    const all = valid;
    valid = Int32Array.from({ length: nValid }, (_, i) => all[Math.floor(i * step)]);
  }
  let bar: ProgressBar | null = null, barEpoch = 0, evalBar: ProgressBar | null = null;
  // The loss curve for --plot: the training loss (EMA) against the step counted over all epochs.
  const curve: [number, number][] = [];
  let stepBase = 0, lastStep = 0;
  const r = await trainSeqRec({
    model, ds, hist, train: trainPos, valid, seed, optimizer, lr: optNum(flags, "lr") ?? (optimizer === def.optimizer ? def.lr : undefined),
    epochs: numFlag(flags, "epochs", 20), batchSize: numFlag(flags, "batch", 100), clip: optNum(flags, "clip"), patience: optNum(flags, "patience"),
    selectK,
    trainFraction: optNum(flags, "train-fraction"), checkpoint: typeof flags.checkpoint === "string" ? flags.checkpoint : undefined,
    checkpointEvery: optNum(flags, "checkpoint-every"),
    processGroup: pg ?? undefined,
    onProgress: (e: SeqProgress) => {
      if (quiet) return;
      if (e.phase === "train") {
        if (!bar || barEpoch !== e.epoch) {
          if (bar) stepBase += lastStep;
          bar = new ProgressBar(`epoch ${e.epoch}`, e.steps);
          barEpoch = e.epoch;
          evalBar = null;
        }
        lastStep = e.step;
        if (Number.isFinite(e.lossEma)) curve.push([stepBase + e.step, e.lossEma]);
        bar.update(e.step, `loss ${e.lossEma.toFixed(4)}`);
      } else {
        evalBar ??= new ProgressBar("validation", e.total);
        evalBar.update(e.done);
      }
    },
  });
  if (quiet) {
    // Every rank holds the same model; only rank 0 evaluates on test and prints.
    model.dispose();
    pg!.close();
    return { result: null };
  }
  for (const ep of r.epochs)
    process.stderr.write(`epoch ${ep.epoch}: loss ${Number.isNaN(ep.loss) ? "-" : ep.loss.toFixed(4)}, ${ep.seconds.toFixed(1)} s, valid Recall@20 ${ep.valid.recall["20"].toFixed(4)}${ep.report ? ` ${JSON.stringify(ep.report)}` : ""}\n`);
  const testBar = new ProgressBar("test", testPos.length);
  const test = evaluateRanking(model, ds, hist, testPos, { onProgress: (d) => testBar.update(d) });
  const sampled = loo ? hitRateNdcg(sampledRanks(model, ds, hist, testPos, { negatives: 100, seed })) : null;
  const out = {
    model: model0,
    config: model.config(),
    data: ds.name,
    seed,
    optimizer,
    epochs: r.epochs.length,
    best_epoch: r.bestEpoch,
    stopped_early: r.stoppedEarly,
    steps: r.steps,
    seconds_per_epoch: +r.secondsPerEpoch.toFixed(3),
    parameters: r.parameters,
    resumed_from: r.resumedFrom,
    ...(model0 === "gatedlongrec" ? { phase: (model as GatedLongRec).state } : {}),
    split: splitKind,
    vocab,
    ...(model0 === "cta" ? { temporal: (model as Cta).kernelReport() } : {}),
    valid: r.bestValid,
    protocol,
    ...(sampled ? { sampled100: { hr10: sampled.hr, ndcg10: sampled.ndcg, count: sampled.count } } : {}),
    test_targets: test.count,
    recall: test.recall,
    mrr: test.mrr,
    ndcg10: test.ndcg["10"],
    history: r.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, seconds: e.seconds, valid_recall20: e.valid.recall["20"], report: e.report })),
  };
  model.dispose();
  pg?.close();
  const chart = { kind: "line" as const, title: `train seqrec: ${model0} on ${ds.name}`, xLabel: "training step (all epochs)", yLabel: "training loss (EMA)", series: [{ name: model0, points: smoothCurve(curve, 300, 0) }] };
  return { result: out, chart };
}

function listFlag(flags: Parsed["flags"], name: string): string[] | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new RangeError(`--${name} needs a comma-separated list`);
  return v.split(",").map((s) => s.trim());
}

export async function runBenchSeqRec(flags: Parsed["flags"], argv: string[]): Promise<Record<string, unknown>> {
  const suite = flags.suite ?? "gatedlongrec";
  if (suite !== "gatedlongrec" && suite !== "cta" && suite !== "sanity")
    throw new RangeError(`--suite must be gatedlongrec (GatedLongRec's table, the default), cta (CTA's table) or sanity (SASRec's leave-one-out protocol), got ${JSON.stringify(suite)}`);
  const out = typeof flags.out === "string" ? flags.out : null;
  if (suite === "cta") {
    const { benchCta } = await import("../bench/cta.js");
    const windows = listFlag(flags, "windows")?.map((w) => {
      const n = Number(w);
      if (!Number.isInteger(n) || n < 2) throw new RangeError(`--windows: each window W must be an integer >= 2 (a target sees W − 1 earlier actions), got ${JSON.stringify(w)}`);
      return n;
    });
    const lr = listFlag(flags, "lr-fixed")?.map((kv) => {
      const i = kv.lastIndexOf("=");
      const v = Number(kv.slice(i + 1));
      if (i < 1 || !(v > 0)) throw new RangeError(`--lr-fixed takes variant=lr pairs, got ${JSON.stringify(kv)}`);
      return [kv.slice(0, i), v] as const;
    });
    return benchCta({
      quick: !!flags.quick, seeds: optNum(flags, "seeds"), epochs: optNum(flags, "epochs"), trainFraction: optNum(flags, "train-fraction"),
      windows, only: listFlag(flags, "only"), lr: lr ? Object.fromEntries(lr) : undefined, out, argv,
      name: typeof flags.name === "string" ? flags.name : undefined,
      seedFrom: optNum(flags, "seed-from"),
      noWindowCap: !!flags["no-window-cap"],
    });
  }
  if (suite === "sanity") {
    const { benchSeqRecSanity } = await import("../bench/seqrec_sanity.js");
    return benchSeqRecSanity({
      quick: !!flags.quick, seeds: optNum(flags, "seeds"), epochs: optNum(flags, "epochs"), trainFraction: optNum(flags, "train-fraction"),
      window: optNum(flags, "window"), only: listFlag(flags, "only"), out, argv,
      train: typeof flags.train === "string" ? (flags.train as "windows" | "sequences") : undefined,
      evalEvery: optNum(flags, "eval-every"), patience: optNum(flags, "patience"), maxMinutes: optNum(flags, "max-minutes"),
      seedFrom: optNum(flags, "seed-from"), tag: typeof flags.tag === "string" ? flags.tag : undefined,
    });
  }
  const { benchSeqRec } = await import("../bench/seqrec.js");
  return benchSeqRec({
    quick: !!flags.quick,
    seeds: optNum(flags, "seeds"),
    epochs: optNum(flags, "epochs"),
    trainFraction: optNum(flags, "train-fraction"),
    only: typeof flags.only === "string" ? flags.only.split(",").map((s) => s.trim()) : undefined,
    out: typeof flags.out === "string" ? flags.out : null,
    command: ["recforge", ...argv].join(" "),
  });
}
