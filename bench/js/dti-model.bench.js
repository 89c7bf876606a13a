// Times one DTI training step (forward + backward + AdamW) of the DTIModel on a synthetic packed
// batch of about L tokens, and profiles where the time goes (per native kernel, by wrapping the
// addon's functions). Run: npm run build && node bench/js/dti-model.bench.js [--layout dti|sw]
//   [--L 2000] [--dim 128] [--layers 2] [--heads 4] [--ffn 0 (default 8/3·dim)] [--steps 20] [--pos rope|alibi] [--full]
import * as rf from "../../dist/index.js";
import { native } from "../../dist/native.js";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const layout = arg("layout", "dti");
const targetL = Number(arg("L", 2000));
const dim = Number(arg("dim", 128)), layers = Number(arg("layers", 2)), heads = Number(arg("heads", 4));
const ffn = Number(arg("ffn", 0)) || undefined;
const steps = Number(arg("steps", 20));
const pos = arg("pos", "rope");
// --full: run the last layer on every token (what the [SUM]-only fast path saves)
const full = process.argv.includes("--full");
const vocab = 4000;

/** A packed batch: SW prompts (prefix, n contexts, target, [SUM]) or DTI chunks (n + k − 1 contexts, k targets). */
function buildBatch({ P = 8, c = 12, t = 11, n = 20, k = 20 }) {
  const tokens = [], positions = [], rows = [[], [], [], [], []], sumIndex = [];
  const push = (tok, p, iv) => {
    tokens.push(tok);
    positions.push(p);
    iv.forEach((v, r) => rows[r].push(v));
  };
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % (vocab - 10) + 10;
  while (tokens.length < targetL) {
    const base = tokens.length;
    for (let i = 0; i < P; i++) push(rnd(), i, [0, 0, 0, 0, base]);
    const pre = [base, base + P];
    if (layout === "sw") {
      for (let i = 0; i < n * c; i++) push(rnd(), P + i, [...pre, 0, 0, base]);
      for (let i = 0; i <= t; i++) push(i === t ? 2 : rnd(), P + n * c + i, [...pre, 0, 0, base]);
      sumIndex.push(tokens.length - 1);
    } else {
      const m = n + k - 1, ctx0 = base + P;
      for (let p = 0; p < m; p++)
        for (let i = 0; i < c; i++) push(rnd(), P + p * c + i, [...pre, ctx0 + Math.max(0, p - n) * c, ctx0 + p * c, ctx0 + p * c]);
      for (let j = 0; j < k; j++) {
        const self = tokens.length;
        for (let i = 0; i <= t; i++) push(i === t ? 2 : rnd(), P + (j + n) * c + i, [...pre, ctx0 + j * c, ctx0 + (j + n) * c, self]);
        sumIndex.push(tokens.length - 1);
      }
    }
  }
  const L = tokens.length;
  const intervals = new Int32Array(5 * L);
  rows.forEach((r, i) => intervals.set(r, i * L));
  return {
    tokens: Int32Array.from(tokens), positions: Int32Array.from(positions), intervals, sumIndex: Int32Array.from(sumIndex),
    labels: Float32Array.from(sumIndex, (_, i) => i % 3 === 0 ? 1 : 0), targetIds: Int32Array.from(sumIndex, (_, i) => i),
  };
}

// ---- profiling by wrapping the addon -----------------------------------------------------------
const prof = new Map();
let profiling = false;
for (const [name, fn] of Object.entries(native)) {
  if (typeof fn !== "function" || ["alloc", "free", "read", "write", "memoryStats"].includes(name)) continue;
  native[name] = function (...a) {
    if (!profiling) return fn.apply(this, a);
    const t0 = process.hrtime.bigint();
    try {
      return fn.apply(this, a);
    } finally {
      const e = prof.get(name) ?? { ms: 0, calls: 0 };
      e.ms += Number(process.hrtime.bigint() - t0) / 1e6;
      e.calls++;
      prof.set(name, e);
    }
  };
}

const batch = buildBatch({});
const model = new rf.DTIModel({ vocabSize: vocab, dim, layers, heads, ffnHidden: ffn, positionEncoding: pos, seed: 1 });
const opt = new rf.AdamW(model.parameters(), { lr: 1e-3 });
const labels = rf.tensor(batch.labels);
const sumIdx = rf.tensor(batch.sumIndex);
const now = () => Number(process.hrtime.bigint()) / 1e6;
function step() {
  const t = [now()];
  rf.tidy(() => {
    const logits = full ? model.scoreRows(rf.indexSelect(model.hidden(batch, false), 0, sumIdx)) : model.call(batch);
    const loss = rf.bceWithLogits(logits, labels);
    t.push(now());
    loss.backward();
    t.push(now());
    opt.step();
    opt.zeroGrad();
  });
  t.push(now());
  return [t[1] - t[0], t[2] - t[1], t[3] - t[2], t[3] - t[0]];
}
for (let i = 0; i < 3; i++) step();
const phases = [];
for (let i = 0; i < steps; i++) {
  profiling = i === steps - 1;
  phases.push(step());
}
const median = (k) => phases.map((p) => p[k]).sort((a, b) => a - b)[phases.length >> 1];
const min = (k) => Math.min(...phases.map((p) => p[k]));
const L = batch.tokens.length;
console.log(`${full ? "FULL last layer, " : ""}layout ${layout}, L = ${L}, [SUM] = ${batch.sumIndex.length}, dim ${dim}, layers ${layers}, heads ${heads}, ffn ${model.config.ffnHidden}, ${pos}, ` +
  `${model.numParameters()} params, ${rf.getNumThreads()} threads, gemm ${rf.backends().cpu.gemm}`);
console.log(`step: median ${median(3).toFixed(1)} ms (forward ${median(0).toFixed(1)}, backward ${median(1).toFixed(1)}, AdamW ${median(2).toFixed(1)}), ` +
  `min ${min(3).toFixed(1)} ms over ${steps} steps`);
const last = phases[phases.length - 1][3];
const total = [...prof.values()].reduce((s, e) => s + e.ms, 0);
console.log(`native calls in the last step (profiled): ${total.toFixed(1)} ms of ${last.toFixed(1)} ms (rest: JS, autograd, allocation)`);
for (const [name, e] of [...prof.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14))
  console.log(`  ${name.padEnd(30)} ${e.ms.toFixed(2).padStart(8)} ms  ${String(e.calls).padStart(4)} calls`);
