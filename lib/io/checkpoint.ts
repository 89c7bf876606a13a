// Training checkpoints as ONE safetensors file (readable by any safetensors tool):
//   tensors   "model.<name>"                 model parameters and buffers (Module.stateDict())
//             "optimizer.state.<i>.<key>"    optimiser state tensors of flat parameter i (moments, buffers)
//   metadata  "format": "recforge.checkpoint", "format_version": "1"
//             "optimizer": JSON {type, paramGroups, state: {i: {numeric state, e.g. step}}}
//             "generator": JSON {seed, offset} of the random generator
//             "extra":     JSON of whatever the caller passed (epoch, scheduler.stateDict(), ...)
// Loading validates the whole file against the model / optimiser / generator BEFORE
// assigning anything: a corrupt or mismatched checkpoint throws and changes nothing.
import { Tensor } from "../tensor/tensor.js";
import { Generator, defaultGenerator } from "../tensor/random.js";
import type { Module } from "../nn/module.js";
import type { Optimizer, OptimizerState, OptimizerStateDict } from "../optim/optimizer.js";
import { loadSafetensors, saveSafetensors } from "./safetensors.js";

export const CHECKPOINT_FORMAT = "recforge.checkpoint";
export const CHECKPOINT_VERSION = "1";

export interface SaveCheckpointOptions {
  model?: Module<any, any>;
  optimizer?: Optimizer<any>;
  /** Any JSON-serialisable value (epoch, best metric, scheduler.stateDict(), ...). */
  extra?: unknown;
  /** Generator whose state is stored (default: the default generator; null: none). */
  generator?: Generator | null;
}

export interface LoadCheckpointOptions {
  model?: Module<any, any>;
  optimizer?: Optimizer<any>;
  /** Generator to restore (default: the default generator; null: leave generators alone). */
  generator?: Generator | null;
  /** Model keys must match exactly (default true). */
  strict?: boolean;
}

export interface LoadedCheckpoint {
  extra: unknown;
  metadata: Record<string, string>;
}

const MODEL = "model.";
const OPT = "optimizer.state.";

/** Writes model parameters, optimiser state, generator state and `extra` atomically to `path`. */
export function saveCheckpoint(path: string, opts: SaveCheckpointOptions): void {
  const tensors: Record<string, Tensor> = {};
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, format_version: CHECKPOINT_VERSION };
  if (opts.model) for (const [k, t] of Object.entries(opts.model.stateDict())) tensors[MODEL + k] = t;
  if (opts.optimizer) {
    const sd = opts.optimizer.stateDict();
    const scalars: Record<string, Record<string, number>> = {};
    for (const [ix, st] of Object.entries(sd.state))
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor) tensors[`${OPT}${ix}.${k}`] = v;
        else (scalars[ix] ??= {})[k] = v;
      }
    metadata.optimizer = JSON.stringify({ type: sd.type, paramGroups: sd.paramGroups, state: scalars });
  }
  const gen = opts.generator === undefined ? defaultGenerator : opts.generator;
  if (gen) metadata.generator = JSON.stringify(gen.getState());
  if (opts.extra !== undefined) {
    const s = JSON.stringify(opts.extra);
    if (s === undefined) throw new TypeError("recforge: saveCheckpoint: extra must be JSON-serialisable");
    metadata.extra = s;
  }
  saveSafetensors(path, tensors, metadata);
}

function parseJson(path: string, key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`recforge: checkpoint ${JSON.stringify(path)}: metadata ${JSON.stringify(key)} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Restores what `opts` names from a checkpoint written by saveCheckpoint. Every part is
 * checked first (file format, model keys / shapes / dtypes, optimiser kind / groups / state
 * shapes, generator state); only when all pass are the model, optimiser and generator
 * updated. Returns the stored `extra` and raw metadata.
 */
export function loadCheckpoint(path: string, opts: LoadCheckpointOptions = {}): LoadedCheckpoint {
  const file = loadSafetensors(path);
  const fail = (msg: string) => new Error(`recforge: checkpoint ${JSON.stringify(path)}: ${msg}`);
  try {
    const md = file.metadata;
    if (md.format !== CHECKPOINT_FORMAT) throw fail(`not a recforge checkpoint (metadata format is ${JSON.stringify(md.format)})`);
    if (md.format_version !== CHECKPOINT_VERSION) throw fail(`unsupported checkpoint version ${JSON.stringify(md.format_version)} (this recforge reads ${CHECKPOINT_VERSION})`);

    const modelDict: Record<string, Tensor> = {};
    const optTensors: Record<string, Record<string, Tensor>> = {};
    for (const [name, t] of Object.entries(file.tensors)) {
      if (name.startsWith(MODEL)) modelDict[name.slice(MODEL.length)] = t;
      else if (name.startsWith(OPT)) {
        const m = /^(\d+)\.([^.]+)$/.exec(name.slice(OPT.length));
        if (!m) throw fail(`malformed optimizer tensor name ${JSON.stringify(name)}`);
        (optTensors[m[1]] ??= {})[m[2]] = t;
      } else throw fail(`unexpected tensor ${JSON.stringify(name)} (expected "model.*" or "optimizer.state.*")`);
    }

    // ---- check everything -------------------------------------------------------------
    if (opts.model) {
      try {
        opts.model.checkStateDict(modelDict, { strict: opts.strict ?? true });
      } catch (e) {
        throw fail(`model state does not fit: ${(e as Error).message}`);
      }
    }

    let optSd: OptimizerStateDict | null = null;
    if (opts.optimizer) {
      if (md.optimizer === undefined) throw fail("has no optimizer state, but an optimizer was given to restore");
      const o = parseJson(path, "optimizer", md.optimizer) as { type?: unknown; paramGroups?: unknown; state?: unknown };
      if (o === null || typeof o !== "object" || typeof o.type !== "string" || !Array.isArray(o.paramGroups) || o.state === null || typeof o.state !== "object")
        throw fail('metadata "optimizer" must be {type, paramGroups, state}');
      const state: Record<string, OptimizerState> = {};
      for (const [ix, sc] of Object.entries(o.state as Record<string, unknown>)) {
        if (sc === null || typeof sc !== "object") throw fail(`optimizer state ${JSON.stringify(ix)} must be an object`);
        state[ix] = { ...(sc as Record<string, number>) };
      }
      for (const [ix, ts] of Object.entries(optTensors)) state[ix] = { ...(state[ix] ?? {}), ...ts };
      optSd = { type: o.type, paramGroups: o.paramGroups as OptimizerStateDict["paramGroups"], state };
      try {
        opts.optimizer.checkStateDict(optSd);
      } catch (e) {
        throw fail(`optimizer state does not fit: ${(e as Error).message}`);
      }
    }

    const gen = opts.generator === undefined ? defaultGenerator : opts.generator;
    let genState: { seed: number; offset: number } | null = null;
    if (gen && md.generator !== undefined) {
      genState = parseJson(path, "generator", md.generator) as { seed: number; offset: number };
      try {
        new Generator().setState(genState); // validation only
      } catch (e) {
        throw fail(`bad generator state: ${(e as Error).message}`);
      }
    }
    const extra = md.extra === undefined ? undefined : parseJson(path, "extra", md.extra);

    // ---- all checks passed: assign ------------------------------------------------------
    if (opts.model) opts.model.loadStateDict(modelDict, { strict: opts.strict ?? true });
    if (opts.optimizer && optSd) opts.optimizer.loadStateDict(optSd);
    if (gen && genState) gen.setState(genState);
    return { extra, metadata: md };
  } finally {
    for (const t of Object.values(file.tensors)) t.dispose();
  }
}
