// GREENer on the shared Amazon Musical Instruments data: examples built from the prepared
// data, relevance labels, real pair graphs, and the scorer inside the evaluation harness.
// Skips (with the reason) when the data set is not there.
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import * as rf from "../../dist/index.js";
import { musicalInstrumentsPath } from "../../dist/data/reviews.js";
import { prepareGreenerData } from "../../dist/methods/greener/prepare.js";
import { SentenceVectors, topKSelector, ilpSelector } from "../../dist/methods/greener/baselines.js";
import { IlpSelector } from "../../dist/methods/greener/ilp.js";
import { evaluateSelector, eligiblePairs } from "../../dist/methods/greener/evaluate.js";
import { bleu23, relevanceLevel } from "../../dist/text/bleu.js";
import { pairExample, trainingReviews, GreenerScorer, buildPairGraph, GreenerModel, TfidfProjectionEncoder, RelevanceScorer } from "../../dist/methods/greener/index.js";

const file = musicalInstrumentsPath();
const has = fs.existsSync(file);
const dtest = dataTest(has, file, { serial: true });

let prepared = null;
async function data() {
  prepared ??= (await prepareGreenerData(file)).data;
  return prepared;
}

dtest("training examples: pool with the pair's own sentences at level 3, labels = lib/text bleu23, leave-one-out user profile", async (t) => {
  const d = await data();
  const train = trainingReviews(d);
  t.true(train.length > 5000, `${train.length} training pairs`);
  const rel = new RelevanceScorer();
  for (const r of train.slice(0, 40)) {
    const ex = pairExample(d, r, { labels: true, relevance: rel });
    t.is(ex.levels.length, ex.candidates.length);
    const own = new Set(d.sentencesOf(r).filter((s) => d.sentenceAttributes(s).length > 0));
    for (let i = 0; i < ex.candidates.length; i++) {
      const s = ex.candidates[i];
      const want = relevanceLevel(bleu23(d.sentencesOf(r).map((x) => d.tokens(x)), d.tokens(s)));
      t.is(ex.levels[i], want, `review ${r} candidate ${s}`);
      if (own.has(s)) t.is(ex.levels[i], 3, "a pair's own sentence is an exact match");
    }
    // profile: attributes the user mentions in OTHER training reviews
    const others = new Set();
    for (const r2 of d.reviewsOf("train")) if (r2 !== r && d.reviewUser[r2] === d.reviewUser[r]) for (const s of d.sentencesOf(r2)) for (const a of d.sentenceAttributes(s)) others.add(a);
    t.deepEqual([...ex.userAttrs].sort((a, b) => a - b), [...others].sort((a, b) => a - b));
  }
});

dtest("real pair graphs are valid: every edge joins an attribute node to a user, item or sentence node", async (t) => {
  const d = await data();
  for (const r of eligiblePairs(d).slice(0, 20)) {
    const ex = pairExample(d, r);
    const p = buildPairGraph(ex);
    const ty = p.graph.nodeType;
    t.is(p.graph.numNodes, 2 + ex.candidates.length + p.attrIds.length);
    for (let e = 0; e < p.graph.src.length; e++) {
      const a = ty[p.graph.src[e]], b = ty[p.graph.dst[e]];
      t.true((a === 3) !== (b === 3), "attributes are the bridge");
    }
    t.true(p.attrIds.every((a) => ex.itemAttrs.has(a)));
  }
});

dtest("an (untrained) GREENer scorer plugs into the harness: top-K and ILP rows on 30 test pairs", async (t) => {
  const d = await data();
  const vectors = new SentenceVectors(d);
  const enc = new TfidfProjectionEncoder(vectors.tfidf, { dim: 32 });
  const pairs = eligiblePairs(d).slice(0, 30);
  // only the sentences these pairs need, to keep the test fast: a table over all ids with zeros elsewhere
  const W = enc.width; // 32 + the 2 surface features
  const table = rf.zeros([d.sentences.length, W]);
  const need = new Set(pairs.flatMap((r) => Array.from(d.pool(r))));
  const rows = [...need];
  const feats = enc.encodeAll(rows.map((s) => d.tokens(s)));
  const filled = rf.scatterAdd(table, 0, rf.expand(rf.reshape(rf.tensor(Int32Array.from(rows)), [rows.length, 1]), [rows.length, W]), feats);
  const model = new GreenerModel({ numUsers: d.users.length, numItems: d.items.length, numAttributes: d.attributes.names.length, sentenceDim: W, hidden: 16, embedDim: 8, dcnDeep: [8] });
  const scorer = new GreenerScorer(model, d, filled);
  scorer.precompute(pairs);
  for (const r of pairs) t.is(scorer.scores(r).sentence.length, d.pool(r).length);
  const solver = await IlpSelector.create();
  for (const [name, sel] of [["greener-topk", topKSelector(scorer.scorer)], ["greener-ilp", ilpSelector(scorer.scorer, vectors, solver, { solver: "bnb" })]]) {
    const row = evaluateSelector(d, name, sel, { k: 5, limit: 30 });
    t.is(row.pairs, 30);
    t.true(row.bleu1 > 0 && row.rougeL > 0, `${name}: ${JSON.stringify(row)}`);
  }
  model.dispose();
});
