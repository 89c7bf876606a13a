// `bench dti-e2e --op-profile` (bench/harness/op_profile.ts): ops are attributed to the run whose
// step is executing and to nothing between steps; the visible-pair count equals a brute-force
// count of the kernel's rule; the decomposition's parts add up. No timing is checked.
import test from "ava";
import { OpProfiler, decomposePremium } from "../../dist/bench/op_profile.js";
import { benchDtiE2e } from "../../dist/bench/dti_e2e.js";
import { syntheticCtr } from "../../dist/methods/dti/synthetic.js";
import { native } from "../../dist/native.js";
import { tensor, randn, intervalAttention } from "../../dist/index.js";

test("OpProfiler: counts ops only between begin and end, under the current label; uninstall restores the table", (t) => {
  const before = native.gemm;
  const p = new OpProfiler();
  p.install();
  try {
    t.not(native.gemm, before);
    const a = randn([7, 5]), b = randn([5, 3]);
    const mm = () => a.matmul(b).dispose();
    mm(); // before begin: nowhere
    p.begin("x");
    mm();
    mm();
    p.end();
    mm(); // after end: nowhere
    p.begin("y");
    mm();
    p.end();
    const x = p.get("x"), y = p.get("y");
    t.is(x.ops["gemm ([SUM] rows: M <= 512)"].calls, 2);
    t.is(y.ops["gemm ([SUM] rows: M <= 512)"].calls, 1);
    t.is(y.ops["gemm ([SUM] rows: M <= 512)"].flops, 2 * 7 * 3 * 5);
    t.true(x.native_seconds > 0);
    t.is(p.get("z"), null);
    a.dispose();
    b.dispose();
  } finally {
    p.uninstall();
  }
  t.is(native.gemm, before);
});

test("OpProfiler: visible pairs of interval attention equal a brute-force count of the rule (union of three intervals, heads counted)", (t) => {
  const L = 37, H = 3, D = 4;
  // Overlapping, adjacent, empty and disjoint intervals, every row different.
  const iv = new Int32Array(5 * L);
  const rule = [];
  for (let i = 0; i < L; i++) {
    const pl = i % 5, ph = pl + (i % 7), cl = Math.max(0, i - 9), ch = Math.max(0, i - (i % 4)), sl = Math.max(0, i - (i % 3));
    [pl, ph, cl, ch, sl].forEach((v, r) => (iv[r * L + i] = v));
    let n = 0;
    for (let j = 0; j < L; j++) if ((j >= pl && j < ph) || (j >= cl && j < ch) || (j >= sl && j <= i)) n++;
    rule.push(n);
  }
  const want = H * rule.reduce((a, b) => a + b, 0);
  const q = randn([H, L, D]), k = randn([H, L, D]), v = randn([H, L, D]);
  const intervals = tensor(iv, { shape: [5, L], dtype: "int32" });
  const p = new OpProfiler();
  p.install();
  try {
    p.begin("a");
    intervalAttention(q, k, v, intervals).dispose();
    p.end();
  } finally {
    p.uninstall();
  }
  t.is(p.get("a").attention_visible_pairs, want);
  for (const x of [q, k, v, intervals]) x.dispose();
});

test("decomposePremium: premium, op shares and the attention-only premium follow from the parts", (t) => {
  const prof = (attnF, attnB, gemm, pairs) => ({ ops: { intervalAttentionForward: { calls: 1, seconds: attnF }, intervalAttentionBackward: { calls: 1, seconds: attnB }, gemm: { calls: 2, seconds: gemm } }, native_seconds: attnF + attnB + gemm, attention_visible_pairs: pairs });
  // SW: 1000 tokens in 10 s (attention 3 s); DTI: 100 tokens in 1.3 s (attention 0.45 s), 1.5x the pairs per token.
  const d = decomposePremium({ profile: prof(1, 2, 5, 100_000), seconds: 10, tokens: 1000 }, { profile: prof(0.2, 0.25, 0.6, 15_000), seconds: 1.3, tokens: 100 });
  t.true(Math.abs(d.premium - 1.3) < 1e-12);
  t.true(Math.abs(d.visible_pairs_per_token.ratio - 1.5) < 1e-12);
  t.true(Math.abs(d.attention_cost_per_pair_ratio - 1) < 1e-12); // (4.5e-3 / 150) / (3e-3 / 100)
  t.true(Math.abs(d.premium_if_only_attention_differed - 1.15) < 1e-12);
  // Shares over the ops and outside them add up to the premium above 1.
  const sum = d.ops.reduce((a, o) => a + o.premium_share, 0) + d.outside_native.premium_share;
  t.true(Math.abs(sum - 0.3) < 1e-12);
});

test("benchDtiE2e --op-profile (synthetic): each row carries a decomposition whose tokens are the runs' tokens, and the table is restored", async (t) => {
  const before = native.intervalAttentionForward;
  const data = syntheticCtr({ users: 20, minLength: 24, maxLength: 30, seed: 3 });
  const r = await benchDtiE2e({ data, ns: [4], ks: [3], seeds: 1, model: { dim: 16, layers: 1, heads: 2 }, targetsPerStep: 16, replicates: 50, opProfile: true, command: "test", say: () => {} });
  t.is(native.intervalAttentionForward, before);
  const op = r.rows[0].op_profile;
  t.truthy(op);
  t.true(op.ops.some((o) => o.op === "intervalAttentionForward" && o.dti_ns_per_token > 0 && o.sw_ns_per_token > 0));
  t.true(op.visible_pairs_per_token.sw > 0 && op.visible_pairs_per_token.dti > 0);
  const sw = r.sw_by_n[0].runs[0], dti = r.rows[0].runs[0];
  t.true(Math.abs(op.sw_ns_per_token - (sw.seconds * 1e9) / sw.tokens) < 1e-6 * op.sw_ns_per_token);
  t.true(Math.abs(op.dti_ns_per_token - (dti.seconds * 1e9) / dti.tokens) < 1e-6 * op.dti_ns_per_token);
  t.is(r.protocol.op_profile.slice(0, 2), "on");
  // Without the flag: no decomposition.
  const plain = await benchDtiE2e({ data, ns: [4], ks: [3], seeds: 1, model: { dim: 16, layers: 1, heads: 2 }, targetsPerStep: 16, replicates: 50, command: "test", say: () => {} });
  t.is(plain.rows[0].op_profile, undefined);
});
