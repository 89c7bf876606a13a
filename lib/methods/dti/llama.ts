// LLaMA-architecture checkpoints in the Hugging Face layout: a folder with config.json and
// model.safetensors (or shards listed by model.safetensors.index.json), tensor names
// "model.embed_tokens.weight", "model.layers.{i}.self_attn.{q,k,v,o}_proj.weight",
// "model.layers.{i}.mlp.{gate,up,down}_proj.weight", "model.layers.{i}.input_layernorm.weight",
// "model.layers.{i}.post_attention_layernorm.weight", "model.norm.weight".
//
// RoPE: DTIModel rotates in the rotate-half layout of HF's LlamaAttention (pairs (i, i + D/2)),
// the layout HF's conversion script permutes q_proj / k_proj into, so the weights are used as
// stored (no un-permuting). The [SUM] score head ("score.weight" [1, dim], "score.bias" [1]) is
// loaded when the checkpoint has it (a checkpoint saved by saveLlamaCheckpoint), otherwise it is
// new: weight ~ Normal(0, initializer_range or 0.02), bias 0. lm_head.weight and
// rotary_emb.inv_freq are not used.
import fs from "node:fs";
import nodePath from "node:path";
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { shapeStr } from "../../tensor/shape.js";
import { loadSafetensors, readSafetensorsHeader, saveSafetensors } from "../../io/safetensors.js";
import { cast } from "../../ops/index.js";
import { noGrad } from "../../autograd/engine.js";
import { DTIModel, type DTIModelConfig, type ResolvedDTIModelConfig } from "./model.js";

/** The config.json fields read (HF LlamaConfig names). */
export interface LlamaConfigJson {
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  intermediate_size: number;
  vocab_size: number;
  rms_norm_eps?: number;
  rope_theta?: number;
  head_dim?: number;
  hidden_act?: string;
  attention_bias?: boolean;
  mlp_bias?: boolean;
  rope_scaling?: unknown;
  initializer_range?: number;
  [key: string]: unknown;
}

export interface LoadLlamaOptions extends Partial<Pick<DTIModelConfig, "positionEncoding" | "dtype" | "seed" | "generator" | "scoreBias" | "initStd">> {}

/** DTIModel config from a HF LLaMA config.json object (unsupported features are Errors). */
export function dtiConfigFromLlama(json: LlamaConfigJson, opts: LoadLlamaOptions = {}): DTIModelConfig {
  if (json === null || typeof json !== "object") throw new TypeError("recforge: LLaMA config must be an object (config.json)");
  for (const k of ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size"] as const)
    if (!Number.isInteger(json[k])) throw new Error(`recforge: LLaMA config: ${k} must be an integer, got ${JSON.stringify(json[k])}`);
  if (json.hidden_act !== undefined && json.hidden_act !== "silu")
    throw new Error(`recforge: LLaMA config: hidden_act ${JSON.stringify(json.hidden_act)} is not supported (DTIModel's MLP is SwiGLU with silu)`);
  if (json.attention_bias) throw new Error("recforge: LLaMA config: attention_bias = true is not supported (projections have no bias)");
  if (json.mlp_bias) throw new Error("recforge: LLaMA config: mlp_bias = true is not supported");
  if (json.rope_scaling !== undefined && json.rope_scaling !== null)
    throw new Error(`recforge: LLaMA config: rope_scaling ${JSON.stringify(json.rope_scaling)} is not supported (plain RoPE only)`);
  return {
    vocabSize: json.vocab_size,
    dim: json.hidden_size,
    layers: json.num_hidden_layers,
    heads: json.num_attention_heads,
    kvHeads: json.num_key_value_heads ?? json.num_attention_heads,
    headDim: json.head_dim ?? json.hidden_size / json.num_attention_heads,
    ffnHidden: json.intermediate_size,
    normEps: json.rms_norm_eps ?? 1e-6,
    ropeTheta: json.rope_theta ?? 10000,
    initStd: opts.initStd ?? json.initializer_range ?? 0.02,
    positionEncoding: opts.positionEncoding ?? "rope",
    scoreBias: opts.scoreBias,
    dtype: opts.dtype,
    seed: opts.seed,
    generator: opts.generator,
  };
}

/** The HF config.json of a DTIModel config (LlamaForCausalLM fields plus recforge's own). */
export function llamaConfigJson(cfg: ResolvedDTIModelConfig): LlamaConfigJson {
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: cfg.dim,
    num_hidden_layers: cfg.layers,
    num_attention_heads: cfg.heads,
    num_key_value_heads: cfg.kvHeads,
    head_dim: cfg.headDim,
    intermediate_size: cfg.ffnHidden,
    vocab_size: cfg.vocabSize,
    rms_norm_eps: cfg.normEps,
    rope_theta: cfg.ropeTheta,
    hidden_act: "silu",
    attention_bias: false,
    mlp_bias: false,
    rope_scaling: null,
    initializer_range: cfg.initStd,
    tie_word_embeddings: false,
    recforge_position_encoding: cfg.positionEncoding,
    recforge_score_bias: cfg.scoreBias,
  };
}

/** Tensor name → safetensors file, for a single file or a sharded checkpoint. */
function weightFiles(dir: string): Map<string, string> {
  const single = nodePath.join(dir, "model.safetensors");
  const index = nodePath.join(dir, "model.safetensors.index.json");
  const out = new Map<string, string>();
  if (fs.existsSync(single)) {
    for (const name of Object.keys(readSafetensorsHeader(single).tensors)) out.set(name, single);
  } else if (fs.existsSync(index)) {
    const map = (JSON.parse(fs.readFileSync(index, "utf8")) as { weight_map?: Record<string, string> }).weight_map;
    if (!map || typeof map !== "object") throw new Error(`recforge: ${index}: no weight_map`);
    for (const [name, file] of Object.entries(map)) out.set(name, nodePath.join(dir, file));
  } else throw new Error(`recforge: loadLlamaCheckpoint: ${JSON.stringify(dir)} has neither model.safetensors nor model.safetensors.index.json`);
  return out;
}

const IGNORED = [/^lm_head\./, /\.rotary_emb\.inv_freq$/];

/**
 * Loads a LLaMA-architecture checkpoint folder (config.json + safetensors) into a new DTIModel.
 * Every backbone tensor must be present with its expected shape (an Error names the tensor, the
 * expected and the actual shape); BF16/F16 weights are converted to the model's dtype.
 */
export function loadLlamaCheckpoint(dir: string, opts: LoadLlamaOptions = {}): DTIModel {
  const cfgPath = nodePath.join(dir, "config.json");
  if (!fs.existsSync(cfgPath)) throw new Error(`recforge: loadLlamaCheckpoint: ${JSON.stringify(cfgPath)} not found`);
  const json = JSON.parse(fs.readFileSync(cfgPath, "utf8")) as LlamaConfigJson;
  const pe = json.recforge_position_encoding;
  const sb = json.recforge_score_bias;
  const model = new DTIModel(dtiConfigFromLlama(json, {
    positionEncoding: pe === "rope" || pe === "alibi" ? pe : undefined,
    scoreBias: typeof sb === "boolean" ? sb : undefined,
    ...opts,
  }));
  try {
    loadLlamaWeights(model, weightFiles(dir));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

function loadLlamaWeights(model: DTIModel, files: Map<string, string>): void {
  const own = model.stateDict();
  const headers = new Map<string, ReturnType<typeof readSafetensorsHeader>>();
  const header = (file: string) => {
    let h = headers.get(file);
    if (!h) headers.set(file, (h = readSafetensorsHeader(file)));
    return h;
  };
  // Validate names and shapes from the headers before reading any data.
  const wanted = new Map<string, string[]>(); // file -> names
  for (const [name, t] of Object.entries(own)) {
    const file = files.get(name);
    if (!file) {
      if (name.startsWith("score.")) continue; // a new head (initialised)
      throw new Error(`recforge: loadLlamaCheckpoint: missing tensor ${JSON.stringify(name)} (expected shape ${shapeStr(t.shape)})`);
    }
    const info = header(file).tensors[name];
    if (!info) throw new Error(`recforge: loadLlamaCheckpoint: tensor ${JSON.stringify(name)} is listed for ${file} but not in it`);
    if (info.shape.length !== t.ndim || info.shape.some((d, i) => d !== t.shape[i]))
      throw new Error(`recforge: loadLlamaCheckpoint: tensor ${JSON.stringify(name)} has shape ${shapeStr(info.shape)}, expected ${shapeStr(t.shape)}`);
    wanted.set(file, [...(wanted.get(file) ?? []), name]);
  }
  const unexpected = [...files.keys()].filter((n) => !(n in own) && !IGNORED.some((re) => re.test(n)));
  if (unexpected.length)
    throw new Error(`recforge: loadLlamaCheckpoint: unexpected tensors ${unexpected.slice(0, 6).map((n) => JSON.stringify(n)).join(", ")}${unexpected.length > 6 ? ` (+${unexpected.length - 6} more)` : ""} (not part of a LLaMA model of this config)`);
  const hasScore = files.has("score.weight");
  if (!hasScore && files.has("score.bias")) throw new Error("recforge: loadLlamaCheckpoint: score.bias without score.weight");
  noGrad(() =>
    tidy(() => {
      for (const [file, names] of wanted) {
        const { tensors } = loadSafetensors(file, { names });
        const dict: Record<string, Tensor> = {};
        for (const n of names) dict[n] = tensors[n].dtype === own[n].dtype ? tensors[n] : cast(tensors[n], own[n].dtype);
        model.loadStateDict(dict, { strict: false });
      }
    }),
  );
}

/**
 * Writes a DTIModel as a HF-style LLaMA checkpoint folder: config.json (LlamaConfig fields plus
 * recforge_position_encoding / recforge_score_bias) and model.safetensors with HF tensor names
 * and the score head. loadLlamaCheckpoint reads it back to the same model.
 */
export function saveLlamaCheckpoint(model: DTIModel, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  saveSafetensors(nodePath.join(dir, "model.safetensors"), model.stateDict(), { format: "pt" });
  fs.writeFileSync(nodePath.join(dir, "config.json"), JSON.stringify(llamaConfigJson(model.config), null, 2) + "\n");
}
