import test from "ava";
import { dti, tinyData, tinyVocab, visible, lcg } from "./helpers.js";

// One user, 12 interactions over items of 1..3 words; labels alternate-ish.
const lens = [2, 1, 3, 2, 1, 2, 3, 1, 2, 2, 1, 3];
const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const labels = [1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1];
const data = tinyData(lens, [[items, labels]]);

function build(opts, unit, prefix = []) {
  const pb = new dti.PromptBuilder(data, tinyVocab(data, prefix), opts);
  const [row] = pb.pack([unit]);
  return { pb, row };
}

// Token-level description of a DTI prompt, written independently of the builder: which
// interaction each token belongs to and in what role.
function describeDti(s, count, n, prefixLen) {
  const first = Math.max(0, s - n), last = s + count - 1;
  const toks = [];
  for (let i = 0; i < prefixLen; i++) toks.push({ role: "prefix" });
  for (let p = first; p < last; p++) for (let w = 0; w < lens[p] + 1; w++) toks.push({ role: "ctx", p });
  for (let j = s; j <= last; j++) for (let w = 0; w < lens[j] + 1; w++) toks.push({ role: "tgt", j, sum: w === lens[j] });
  return { toks, first, last };
}

function expectedVisible(desc, i, { n, reach, isolation }) {
  const { toks, first } = desc;
  const me = toks[i];
  const out = [];
  toks.forEach((t, j) => {
    let ok = false;
    if (me.role === "prefix") ok = t.role === "prefix" && j <= i;
    else if (t.role === "prefix") ok = true;
    else if (me.role === "ctx") {
      const lo = reach === "window" ? Math.max(first, me.p - n) : typeof reach === "number" ? Math.max(first, me.p - reach) : first;
      ok = t.role === "ctx" && ((t.p >= lo && t.p < me.p) || (t.p === me.p && j <= i));
    } else {
      if (t.role === "ctx") ok = t.p >= me.j - n && t.p < me.j;
      else if (t.role === "tgt") ok = j <= i && (isolation ? t.j === me.j : true);
    }
    if (ok) out.push(j);
  });
  return out;
}

test("SW prompt: [prefix] ctx(j-n)..ctx(j-1) tgt(j) [SUM], plain causal, positions 0..L-1", (t) => {
  const n = 3, j = 7;
  const { pb, row } = build({ n }, { kind: "sw", user: 0, target: j }, [900, 901]);
  const v = pb.vocab;
  const expect = [900, 901];
  for (let p = j - n; p < j; p++) expect.push(...v.itemTokens[p], labels[p] ? 1 : 2);
  expect.push(...v.itemTokens[j], 3);
  t.deepEqual([...row.tokens], expect);
  t.deepEqual([...row.positions], expect.map((_, i) => i));
  for (let i = 0; i < expect.length; i++) t.deepEqual(visible(row, i), Array.from({ length: i + 1 }, (_, x) => x));
  t.deepEqual([...row.sumIndex], [expect.length - 1]);
  t.deepEqual([...row.labels], [labels[j]]);
  t.deepEqual([...row.targetIds], [j]);
  t.is(pb.length({ kind: "sw", user: 0, target: j }), expect.length);
});

test("SW prompt of an early target clips its window at the start of the history", (t) => {
  const { row } = build({ n: 5 }, { kind: "sw", user: 0, target: 2 });
  t.is(row.tokens.length, lens[0] + 1 + lens[1] + 1 + lens[2] + 1);
  const { row: r0 } = build({ n: 5 }, { kind: "sw", user: 0, target: 0 });
  t.is(r0.tokens.length, lens[0] + 1);
});

for (const reach of ["causal", "window", "chunk", 0, 1, 2])
  for (const isolation of [true, false])
    for (const [s, count, n] of [[5, 4, 3], [0, 3, 2], [2, 5, 4], [6, 6, 2]])
      test(`DTI intervals: reach ${reach}, isolation ${isolation}, targets [${s}, ${s + count}), n ${n}`, (t) => {
        const P = 2;
        const { row } = build({ n, contextReach: reach, isolation }, { kind: "dti", user: 0, start: s, count }, [900, 901]);
        const desc = describeDti(s, count, n, P);
        t.is(row.tokens.length, desc.toks.length);
        for (let i = 0; i < desc.toks.length; i++) t.deepEqual(visible(row, i), expectedVisible(desc, i, { n, reach, isolation }), `token ${i} (${JSON.stringify(desc.toks[i])})`);
        t.deepEqual([...row.sumIndex], desc.toks.flatMap((x, i) => (x.sum ? [i] : [])));
        t.deepEqual([...row.targetIds], Array.from({ length: count }, (_, i) => s + i));
        t.deepEqual([...row.labels], labels.slice(s, s + count));
      });

test("DTI positions: 'stream' counts along the prompt; 'window-relative' gives every target its SW distances", (t) => {
  const n = 3, s = 4, count = 5;
  for (const mode of ["stream", "window-relative", "alibi"]) {
    const { pb, row } = build({ n, positions: mode }, { kind: "dti", user: 0, start: s, count });
    const desc = describeDti(s, count, n, 0);
    let sameAsSw = true, streamIdx = true;
    desc.toks.forEach((tk, i) => {
      if (row.positions[i] !== i) streamIdx = false;
      if (tk.role !== "tgt") return;
      // The SW prompt of target tk.j: the query sits at the same offset within tgt(j) [SUM],
      // and its context keys are the SW prompt's first tokens, in order.
      const [sw] = pb.pack([{ kind: "sw", user: 0, target: tk.j }]);
      const w = i - desc.toks.findIndex((x) => x.role === "tgt" && x.j === tk.j);
      const swQuery = sw.tokens.length - (lens[tk.j] + 1) + w;
      t.is(sw.tokens[swQuery], row.tokens[i]);
      const ctxKeys = visible(row, i).filter((j) => desc.toks[j].role === "ctx");
      t.is(ctxKeys.length, sw.tokens.length - lens[tk.j] - 1);
      ctxKeys.forEach((kk, x) => {
        t.is(row.tokens[kk], sw.tokens[x]);
        if (row.positions[i] - row.positions[kk] !== sw.positions[swQuery] - sw.positions[x]) sameAsSw = false;
      });
    });
    if (mode === "stream") {
      t.true(streamIdx, "stream positions are the token index");
      t.false(sameAsSw, "stream positions shift later targets away from their context");
    } else {
      t.true(sameAsSw, `${mode}: distances equal the SW prompt's`);
      t.false(streamIdx);
    }
  }
});

test("packing: prompts back to back, no padding, rows within budget, intervals inside their prompt", (t) => {
  const rand = lcg(3);
  const users = Array.from({ length: 6 }, () => {
    const m = 15 + Math.floor(rand() * 20);
    return [Array.from({ length: m }, () => Math.floor(rand() * 12)), Array.from({ length: m }, () => (rand() < 0.5 ? 1 : 0))];
  });
  const d = tinyData(lens, users);
  const pb = new dti.PromptBuilder(d, tinyVocab(d, [7]), { n: 4, contextReach: "window" });
  const units = [];
  d.users.forEach((h, u) => {
    for (let s = 0; s < h.items.length; s += 5) units.push({ kind: "dti", user: u, start: s, count: Math.min(5, h.items.length - s) });
    for (let j = 0; j < h.items.length; j += 3) units.push({ kind: "sw", user: u, target: j });
  });
  const budget = 120;
  const rows = pb.pack(units, budget);
  const total = units.reduce((s, u) => s + pb.length(u), 0);
  t.is(rows.reduce((s, r) => s + r.tokens.length, 0), total);
  t.is(rows.reduce((s, r) => s + r.sumIndex.length, 0), units.reduce((s, u) => s + (u.kind === "sw" ? 1 : u.count), 0));
  let at = 0;
  for (const r of rows) {
    const L = r.tokens.length;
    // a row exceeds the budget only when it holds a single prompt
    if (L > budget) t.is(pb.length(units[at]), L);
    // prompt boundaries inside the row: every interval stays inside [start, end) of its own prompt
    let start = 0;
    while (start < L) {
      const len = pb.length(units[at++]);
      for (let i = start; i < start + len; i++) {
        for (const j of visible(r, i)) t.true(j >= start && j <= i, `row token ${i} sees ${j} outside its prompt [${start}, ${start + len})`);
        t.true(r.intervals[4 * L + i] >= start);
      }
      start += len;
    }
    t.is(start, L);
    t.true([...r.tokens].every((x) => x !== 0), "no padding tokens");
  }
});

test("token counts of SW and DTI prompts follow the cost model", (t) => {
  const tLen = 3; // every item 3 tokens, label 1 token: c = 4, target t = 3
  const m = 60;
  const d = tinyData(Array(4).fill(tLen), [[Array.from({ length: m }, (_, i) => i % 4), Array.from({ length: m }, (_, i) => i % 2)]]);
  for (const P of [0, 5])
    for (const [n, k] of [[10, 5], [20, 20], [8, 30]]) {
      const pb = new dti.PromptBuilder(d, tinyVocab(d, Array(P).fill(9)), { n });
      const cm = dti.costModel({ P, n, k, c: tLen + 1, t: tLen });
      const s = n + 1; // a full window
      t.is(pb.length({ kind: "sw", user: 0, target: s }), cm.sw);
      t.is(pb.length({ kind: "dti", user: 0, start: s, count: k }), cm.dti * k);
      const [row] = pb.pack([{ kind: "dti", user: 0, start: s, count: k }]);
      t.is(row.tokens.length, cm.dti * k);
    }
  const ex = dti.costModel({ P: 0, n: 40, k: 40, c: 12, t: 12 });
  t.is(ex.sw, 493);
  t.is(Math.round(ex.dti * 10) / 10, 36.7);
});

test("prompt builders reject bad options and out-of-range targets", (t) => {
  const v = tinyVocab(data);
  t.throws(() => new dti.PromptBuilder(data, v, { n: -1 }), { instanceOf: RangeError });
  t.throws(() => new dti.PromptBuilder(data, v, { n: 2, contextReach: "everything" }), { instanceOf: RangeError, message: /contextReach/ });
  for (const bad of [3, -1, 1.5, NaN]) t.throws(() => new dti.PromptBuilder(data, v, { n: 2, contextReach: bad }), { instanceOf: RangeError, message: /contextReach.*\[0, n = 2\]/ });
  t.throws(() => new dti.PromptBuilder(data, v, { n: 2, positions: "absolute" }), { instanceOf: RangeError, message: /positions/ });
  const pb = new dti.PromptBuilder(data, v, { n: 2 });
  t.throws(() => pb.pack([{ kind: "sw", user: 0, target: 12 }]), { instanceOf: RangeError, message: /out of range/ });
  t.throws(() => pb.pack([{ kind: "dti", user: 0, start: 10, count: 3 }]), { instanceOf: RangeError, message: /out of range/ });
  t.throws(() => pb.pack([{ kind: "sw", user: 3, target: 0 }]), { instanceOf: RangeError, message: /user index/ });
});
