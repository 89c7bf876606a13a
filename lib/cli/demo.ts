// The main job on the embedded default: a small recommender (user/item embeddings + MLP
// scorer, BCE) trained end to end on synthetic interactions generated in-process, with
// progress bars, a summary table and an SVG loss curve. No download.
import fs from "node:fs";
import path from "node:path";
import * as rf from "../index.js";
import { ProgressBar } from "./progress.js";
import { lineChart } from "./svg.js";

export interface DemoResult {
  steps: number;
  seconds: number;
  initialLoss: number;
  finalLoss: number;
  testAccuracy: number;
  chart: string | null;
}

// Users and items have hidden taste vectors; a click happens when they agree.
function tastes(nUsers: number, nItems: number, gen: rf.Generator) {
  return { user: rf.randn([nUsers, 8], { generator: gen }), item: rf.randn([nItems, 8], { generator: gen }) };
}

function synthetic(taste: { user: rf.Tensor; item: rf.Tensor }, n: number, gen: rf.Generator) {
  const [nUsers, nItems] = [taste.user.shape[0], taste.item.shape[0]];
  const [uTaste, iTaste] = [taste.user, taste.item];
  return rf.tidy(() => {
    const u = rf.randint(0, nUsers, [n], { generator: gen });
    const i = rf.randint(0, nItems, [n], { generator: gen });
    const score = rf.embedding(u, uTaste).mul(rf.embedding(i, iTaste)).sum(1);
    const y = score.gt(0);
    return { u, i, y };
  });
}

class Recommender extends rf.Module<[rf.Tensor, rf.Tensor], rf.Tensor> {
  users: rf.Embedding;
  items: rf.Embedding;
  mlp: rf.MLP;
  constructor(nUsers: number, nItems: number, dim: number, gen: rf.Generator) {
    super();
    this.users = this.module("users", new rf.Embedding(nUsers, dim, { generator: gen, std: 0.1 }));
    this.items = this.module("items", new rf.Embedding(nItems, dim, { generator: gen, std: 0.1 }));
    this.mlp = this.module("mlp", new rf.MLP([3 * dim, 64, 1], { generator: gen }));
  }
  forward(u: rf.Tensor, i: rf.Tensor): rf.Tensor {
    const eu = this.users.call(u), ei = this.items.call(i);
    const h = rf.concat([eu, ei, eu.mul(ei)], 1);
    return this.mlp.call(h).reshape([-1]);
  }
}

export async function runDemo(opts: { quick?: boolean; outDir?: string; json?: boolean } = {}): Promise<DemoResult> {
  const gen = new rf.Generator(7);
  const nUsers = 500, nItems = 400, batch = 256;
  const steps = opts.quick ? 1500 : 6000;
  const taste = tastes(nUsers, nItems, gen);
  const train = synthetic(taste, 60000, gen);
  const test = synthetic(taste, 10000, gen);
  const model = new Recommender(nUsers, nItems, 16, gen);
  const opt = new rf.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const bar = new ProgressBar("train", steps);
  const curve: [number, number][] = [];
  const t0 = Date.now();
  let first = NaN, ema = NaN;
  for (let s = 0; s < steps; s++) {
    const loss = rf.tidy(() => {
      const idx = rf.randint(0, 60000, [batch], { generator: gen });
      const logits = model.call(rf.indexSelect(train.u, 0, idx), rf.indexSelect(train.i, 0, idx));
      const y = rf.indexSelect(train.y, 0, idx);
      const l = rf.bceWithLogits(logits, y);
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.item();
    });
    if (s === 0) first = loss;
    ema = Number.isNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
    if (s % 20 === 0 || s === steps - 1) curve.push([s, ema]);
    bar.update(s + 1, `loss ${ema.toFixed(4)}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const acc = rf.noGrad(() =>
    rf.tidy(() => {
      model.eval();
      const p = model.call(test.u, test.i).gt(0);
      return p.eq(test.y).mean().item();
    }),
  );
  let chart: string | null = null;
  if (opts.outDir !== undefined || !opts.json) {
    const dir = opts.outDir ?? "recforge-demo";
    fs.mkdirSync(dir, { recursive: true });
    chart = path.join(dir, "loss.svg");
    fs.writeFileSync(chart, lineChart("recforge demo: training loss (EMA)", "step", "BCE loss", [{ name: "train loss", points: curve }]));
  }
  const result = { steps, seconds, initialLoss: first, finalLoss: ema, testAccuracy: acc, chart };
  if (!opts.json) {
    process.stdout.write(
      `\nrecforge demo — embeddings + MLP recommender on synthetic clicks (${nUsers} users, ${nItems} items)\n` +
        `  steps            ${steps} (batch ${batch})\n  time             ${seconds.toFixed(1)} s\n` +
        `  loss             ${first.toFixed(4)} → ${ema.toFixed(4)}\n  test accuracy    ${(acc * 100).toFixed(1)}%\n` +
        (chart ? `  chart            ${chart}\n` : ""),
    );
  }
  [taste.user, taste.item, train.u, train.i, train.y, test.u, test.i, test.y].forEach((t) => t.dispose());
  model.dispose();
  opt.dispose();
  return result;
}
