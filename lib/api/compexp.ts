// trainCompExp: the public async CompExp trainer, all stages in order (../shared/reference/compexp.md).
import type { GreenerData } from "../methods/greener/prepare.js";
import { CompExpModel, type CompExpConfig } from "../methods/compexp/model.js";
import {
  buildCorpusSteps, computeRewriteSteps, plannedStageSteps, trainCompExpSteps,
  type CompExpCorpus, type CompExpStage, type CompExpTrainOptions, type CompExpTrainReport,
} from "../methods/compexp/train.js";
import { runAsync, type Steps } from "../methods/step_loop.js";
import { progressLoop, type TrainerControl } from "./progress.js";

/** Options of every stage (each stage's own defaults apply where unset; see CompExpTrainOptions). */
export type CompExpStageOptions = Omit<CompExpTrainOptions, "stage" | "log">;

export interface TrainCompExpOptions extends CompExpStageOptions, TrainerControl {
  /** Prepared reviews (prepareGreenerData(file).data): the vocabulary, IDF and examples are built from them... */
  data?: GreenerData;
  /** ...or a corpus built already (buildCorpus(data), possibly edited). One of data / corpus. */
  corpus?: CompExpCorpus;
  /** Vocabulary: words seen at least this often in training sentences (default 3). */
  minCount?: number;
  /** Model shape (vocabSize comes from the corpus; default embeddings and GRUs 300 wide). */
  model?: Omit<CompExpConfig, "vocabSize">;
  /** Stages in order (default extractor → pretrain → e2e); rewrite pairs are computed after the extractor. */
  stages?: CompExpStage[];
  /** Per-stage overrides of the options above. */
  stageOptions?: Partial<Record<CompExpStage, CompExpStageOptions>>;
}

export interface TrainCompExpResult {
  /** The trained model (eval mode; the caller disposes it). */
  model: CompExpModel;
  corpus: CompExpCorpus;
  /** One report per stage run. */
  reports: CompExpTrainReport[];
}

function* compexpSteps(o: Omit<TrainCompExpOptions, keyof TrainerControl>): Steps<TrainCompExpResult> {
  const { data, corpus: given, minCount, model: shape, stages = ["extractor", "pretrain", "e2e"], stageOptions = {}, ...common } = o;
  if (!given && !data) throw new TypeError("recforge: trainCompExp: pass data (prepared reviews) or corpus (buildCorpus(data))");
  // The corpus (vocabulary, IDF, examples): a boundary after each part.
  const corpus = given ?? (yield* buildCorpusSteps(data!, minCount ?? 3));
  if (given) yield { phase: "prepare", stage: "corpus", epoch: 0, step: 1, steps: 1 };
  const model = new CompExpModel({ ...(shape ?? {}), vocabSize: corpus.vocab.size });
  let finished = false;
  try {
    const reports: CompExpTrainReport[] = [];
    const optsOf = (stage: CompExpStage): CompExpTrainOptions => ({ ...common, ...(stageOptions[stage] ?? {}), stage });
    // "train" steps count over all stages: each stage's ticks are shifted by the stages before it.
    const planned = stages.reduce((a, s) => a + plannedStageSteps(corpus, optsOf(s)), 0);
    let before = 0;
    for (const stage of stages) {
      if (stage !== "extractor" && corpus.rewrites.length === 0 && reports.some((r) => r.stage === "extractor")) corpus.rewrites = yield* computeRewriteSteps(model, corpus);
      const core = trainCompExpSteps(model, corpus, optsOf(stage));
      let last = 0;
      const report = yield* (function* (): Steps<CompExpTrainReport> {
        try {
          for (;;) {
            const r = core.next();
            if (r.done) return r.value;
            if (r.value?.phase === "train") {
              last = r.value.step;
              yield { ...r.value, step: before + r.value.step, steps: planned };
            } else yield r.value;
          }
        } finally {
          core.return(undefined as never); // closed early (aborted): the stage's `finally` disposes its optimiser
        }
      })();
      before += Math.max(last, plannedStageSteps(corpus, optsOf(stage)));
      reports.push(report);
    }
    finished = true;
    return { model, corpus, reports };
  } finally {
    if (!finished) model.dispose();
  }
}

/**
 * Trains CompExp's stages in order (extractor, then rewrite pairs from its encoder, pretrain,
 * e2e; each selects its epoch on validation), pausing after every optimiser step, validation
 * batch and chunk of rewrite-pair encoding and search. Progress: "prepare" (stages "corpus", "encoding",
 * "rewrite pairs"), "train"
 * per step (step counts within the stage; epoch within the stage; e2e: metrics.reward), "valid".
 * An aborted run disposes the model and rejects with the signal's reason.
 */
export async function trainCompExp(opts: TrainCompExpOptions): Promise<TrainCompExpResult> {
  const { signal, onProgress, events, ...rest } = opts;
  const loop = progressLoop("compexp", { signal, onProgress, events });
  return runAsync(compexpSteps(rest), loop);
}
