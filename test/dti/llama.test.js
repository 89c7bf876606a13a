// LLaMA checkpoints in the Hugging Face layout, written by the test itself (no download): save a
// tiny model under HF names + config.json, load it back (same logits); a backbone-only
// checkpoint (new score head); sharded checkpoints; missing / misshapen / unexpected tensors and
// unsupported configs are Errors naming what is wrong.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as rf from "../../dist/index.js";
import { rng } from "../helpers/reference.js";
import { dtiBatch, randomUser } from "./layouts.js";

const r = rng(5);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "recforge-llama-"));
const user = randomUser(r, 16);
const batch = dtiBatch(user, 6, 6, 4);
const cfg = { vocabSize: 50, dim: 16, layers: 2, heads: 4, kvHeads: 2, ffnHidden: 40, ropeTheta: 5000, normEps: 1e-5, seed: 4, initStd: 0.2 };

/** An HF-style folder: config.json + model.safetensors with the given tensors. */
function writeHf(dir, model, tensors) {
  rf.saveSafetensors(path.join(dir, "model.safetensors"), tensors);
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({
    architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: model.config.dim, intermediate_size: model.config.ffnHidden,
    num_hidden_layers: model.config.layers, num_attention_heads: model.config.heads, num_key_value_heads: model.config.kvHeads,
    rms_norm_eps: model.config.normEps, rope_theta: model.config.ropeTheta, vocab_size: model.config.vocabSize, hidden_act: "silu",
    max_position_embeddings: 2048, tie_word_embeddings: false, torch_dtype: "float32",
  }));
}
const backbone = (model) => Object.fromEntries(Object.entries(model.stateDict()).filter(([k]) => k.startsWith("model.")));

test("save and load a LLaMA checkpoint folder: same config, same logits", (t) => {
  const dir = tmp();
  const model = new rf.DTIModel(cfg);
  const want = Array.from(model.call(batch).toTypedArray());
  rf.saveLlamaCheckpoint(model, dir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  t.is(json.hidden_size, 16);
  t.is(json.num_key_value_heads, 2);
  t.is(json.rope_theta, 5000);
  const names = Object.keys(rf.readSafetensorsHeader(path.join(dir, "model.safetensors")).tensors);
  for (const n of ["model.embed_tokens.weight", "model.layers.1.self_attn.o_proj.weight", "model.layers.0.mlp.gate_proj.weight",
    "model.layers.1.post_attention_layernorm.weight", "model.norm.weight", "score.weight", "score.bias"])
    t.true(names.includes(n), n);
  const back = rf.loadLlamaCheckpoint(dir);
  t.deepEqual(back.config, model.config);
  t.deepEqual(Array.from(back.call(batch).toTypedArray()), want);
  back.dispose();
  // ALiBi and the score bias setting travel in config.json too
  const alibi = new rf.DTIModel({ ...cfg, positionEncoding: "alibi", scoreBias: false });
  rf.saveLlamaCheckpoint(alibi, dir);
  const back2 = rf.loadLlamaCheckpoint(dir);
  t.is(back2.config.positionEncoding, "alibi");
  t.is(back2.score.bias, null);
  t.deepEqual(Array.from(back2.call(batch).toTypedArray()), Array.from(alibi.call(batch).toTypedArray()));
  [model, alibi, back2].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("a backbone-only HF checkpoint (with lm_head) loads; the [SUM] head is new", (t) => {
  const dir = tmp();
  const model = new rf.DTIModel(cfg);
  const lmHead = rf.randn([cfg.vocabSize, cfg.dim]);
  const inv = rf.randn([2]);
  writeHf(dir, model, { ...backbone(model), "lm_head.weight": lmHead, "model.layers.0.self_attn.rotary_emb.inv_freq": inv });
  const back = rf.loadLlamaCheckpoint(dir, { seed: 11, initStd: 0.05 });
  t.is(back.config.ffnHidden, 40);
  t.is(back.config.initStd, 0.05);
  // same hidden states, a freshly initialised head: weight ~ N(0, 0.05), bias 0
  const h1 = model.hidden(batch, true).toTypedArray(), h2 = back.hidden(batch, true).toTypedArray();
  t.deepEqual(Array.from(h2), Array.from(h1));
  t.is(back.score.bias.item(), 0);
  const w = back.score.weight.toTypedArray();
  t.true(w.some((x) => x !== 0) && w.every((x) => Math.abs(x) < 0.05 * 6));
  [model, back, lmHead, inv].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("sharded checkpoints (model.safetensors.index.json) load", (t) => {
  const dir = tmp();
  const model = new rf.DTIModel(cfg);
  const all = Object.entries(model.stateDict());
  const parts = [all.slice(0, 9), all.slice(9)];
  const weightMap = {};
  parts.forEach((p, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    rf.saveSafetensors(path.join(dir, file), Object.fromEntries(p));
    for (const [k] of p) weightMap[k] = file;
  });
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  rf.saveLlamaCheckpoint(model, path.join(dir, "x")); // borrow its config.json
  fs.copyFileSync(path.join(dir, "x", "config.json"), path.join(dir, "config.json"));
  const back = rf.loadLlamaCheckpoint(dir);
  t.deepEqual(Array.from(back.call(batch).toTypedArray()), Array.from(model.call(batch).toTypedArray()));
  [model, back].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});

test("missing, misshapen and unexpected tensors, bad configs: Errors naming them", (t) => {
  const dir = tmp();
  const model = new rf.DTIModel(cfg);
  const sd = backbone(model);
  const live = rf.memory().liveTensors;
  const { ["model.layers.1.mlp.up_proj.weight"]: _, ...missing } = sd;
  writeHf(dir, model, missing);
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /missing tensor "model\.layers\.1\.mlp\.up_proj\.weight" \(expected shape \[40, 16\]\)/ });
  const wrong = rf.zeros([16, 8]);
  writeHf(dir, model, { ...sd, "model.layers.0.self_attn.k_proj.weight": wrong });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /"model\.layers\.0\.self_attn\.k_proj\.weight" has shape \[16, 8\], expected \[8, 16\]/ });
  const extra = rf.zeros([8]);
  writeHf(dir, model, { ...sd, "model.layers.0.self_attn.q_proj.bias": extra });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /unexpected tensors "model\.layers\.0\.self_attn\.q_proj\.bias"/ });
  const head = rf.zeros([2, 16]);
  writeHf(dir, model, { ...sd, "score.weight": head });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /"score\.weight" has shape \[2, 16\], expected \[1, 16\]/ });
  t.is(rf.memory().liveTensors, live + 3, "failed loads free the model they built");
  writeHf(dir, model, sd);
  const setConfig = (patch) => {
    const p = path.join(dir, "config.json");
    fs.writeFileSync(p, JSON.stringify({ ...JSON.parse(fs.readFileSync(p, "utf8")), ...patch }));
  };
  setConfig({ rope_scaling: { type: "linear", factor: 2 } });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /rope_scaling/ });
  setConfig({ rope_scaling: null, hidden_act: "gelu" });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /hidden_act/ });
  setConfig({ hidden_act: "silu", num_hidden_layers: 3 });
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /missing tensor "model\.layers\.2\./ });
  fs.rmSync(path.join(dir, "model.safetensors"));
  t.throws(() => rf.loadLlamaCheckpoint(dir), { message: /neither model\.safetensors nor/ });
  t.throws(() => rf.loadLlamaCheckpoint(path.join(dir, "nope")), { message: /config\.json/ });
  [model, wrong, extra, head].forEach((m) => m.dispose());
  fs.rmSync(dir, { recursive: true });
});
