// LS-DQN instance I/O: Gset (rudy) and its best-known file, strict .npy / .npz parsing (fflate),
// ECO-DQN validation sets with their reference cuts, TSPLIB .tsp / .tour, seeded generators — and
// deliberately broken files (truncated, corrupt, unsupported) refused with InstanceFormatError.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { zipSync } from "fflate";
import * as rf from "../../dist/index.js";
import { dataTest } from "./data.js";

const { lsdqn } = rf;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-lsdqn-io-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
let no = 0;
const write = (data, ext) => {
  const f = path.join(dir, `f${no++}${ext}`);
  fs.writeFileSync(f, data);
  return f;
};

function npy(descr, shape, body, { fortran = "False", version = 1, extra = "" } = {}) {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), ${extra}}`;
  const pre = version === 1 ? 10 : 12;
  const pad = 64 - ((pre + dict.length + 1) % 64);
  const header = dict + " ".repeat(pad) + "\n";
  const out = new Uint8Array(pre + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(body, pre + header.length);
  return out;
}
const bytesOf = (ta) => new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);

test("npy: dtypes, shapes, versions parsed; every malformed header or body refused", (t) => {
  const a = lsdqn.parseNpy(npy("<f8", [2, 3], bytesOf(Float64Array.of(1, 2, 3, 4, 5, 6.5))));
  t.is(a.dtype, "float64");
  t.deepEqual(a.shape, [2, 3]);
  t.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6.5]);
  const b = lsdqn.parseNpy(npy("|i1", [4], bytesOf(Int8Array.of(-1, 0, 1, 127)), { version: 2 }));
  t.deepEqual(Array.from(b.data), [-1, 0, 1, 127]);
  t.deepEqual(lsdqn.parseNpy(npy("<i8", [2], bytesOf(BigInt64Array.of(-5n, 9n)))).data, Float64Array.of(-5, 9));
  t.deepEqual(lsdqn.parseNpy(npy("<i4", [], bytesOf(Int32Array.of(42)))).shape, []);
  const E = { instanceOf: lsdqn.InstanceFormatError };
  const good = npy("<f4", [3], bytesOf(Float32Array.of(1, 2, 3)));
  t.throws(() => lsdqn.parseNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), { ...E, message: /bad magic/ });
  t.throws(() => lsdqn.parseNpy(good.subarray(0, good.length - 1)), { ...E, message: /has 11 bytes.*needs 12 \(truncated\)/ });
  t.throws(() => lsdqn.parseNpy(good.subarray(0, 30)), { ...E, message: /truncated \.npy header/ });
  t.throws(() => lsdqn.parseNpy(npy(">f8", [1], new Uint8Array(8))), { ...E, message: /unsupported \.npy dtype '>f8'/ });
  t.throws(() => lsdqn.parseNpy(npy("|O", [1], new Uint8Array(8))), { ...E, message: /unsupported \.npy dtype '\|O'/ });
  t.throws(() => lsdqn.parseNpy(npy("<f8", [2, 2], new Uint8Array(32), { fortran: "True" })), { ...E, message: /fortran_order/ });
  t.throws(() => lsdqn.parseNpy(npy("<f8", [1], new Uint8Array(8), { extra: "'x': True, " })), { ...E, message: /exactly descr, fortran_order, shape/ });
  t.throws(() => lsdqn.parseNpy(npy("<f8", ["a"], new Uint8Array(8))), { ...E, message: /shape entry/ });
  const v9 = good.slice();
  v9[6] = 9;
  t.throws(() => lsdqn.parseNpy(v9), { ...E, message: /unsupported \.npy version 9\.0/ });
  t.throws(() => lsdqn.parseNpy(npy("|b1", [2], Uint8Array.of(0, 2))), { ...E, message: /bool/ });
});

test("npz: arrays by key; corrupt, truncated or foreign archives refused", (t) => {
  const arr = npy("|i1", [1, 2, 2], bytesOf(Int8Array.of(0, 1, 1, 0)));
  const zip = zipSync({ "adj.npy": arr, "other.npy": npy("<f8", [1], bytesOf(Float64Array.of(3))) });
  const m = lsdqn.readNpz(write(zip, ".npz"));
  t.deepEqual([...m.keys()].sort(), ["adj", "other"]);
  t.deepEqual(m.get("adj").shape, [1, 2, 2]);
  const E = { instanceOf: lsdqn.InstanceFormatError };
  t.throws(() => lsdqn.readNpz(write(zip.subarray(0, zip.length - 30), ".npz")), { ...E, message: /not a readable \.npz/ });
  const flipped = zip.slice();
  flipped[40] ^= 0xff; // inside the first entry's data: the CRC no longer matches
  t.throws(() => lsdqn.readNpz(write(flipped, ".npz")), E);
  t.throws(() => lsdqn.readNpz(write(Buffer.from("hello"), ".npz")), { ...E, message: /not a readable \.npz/ });
  t.throws(() => lsdqn.readNpz(write(zipSync({ "readme.txt": new Uint8Array(3) }), ".npz")), { ...E, message: /not a \.npy array/ });
  // An ECO-style set with a broken adj is refused by the set reader.
  const eco = path.join(dir, "eco");
  fs.mkdirSync(path.join(eco, "validation", "opts"), { recursive: true });
  fs.writeFileSync(path.join(eco, "validation", "X.npz"), zipSync({ "adj.npy": npy("|i1", [1, 2, 2], bytesOf(Int8Array.of(0, 1, -1, 0))) }));
  fs.writeFileSync(path.join(eco, "validation", "opts", "cuts_X.txt"), "1\n");
  t.throws(() => lsdqn.readEcoSet(eco, "X"), { ...E, message: /not symmetric at \(0, 1\)/ });
  fs.writeFileSync(path.join(eco, "validation", "X.npz"), zipSync({ "adj.npy": npy("|i1", [2, 2, 2], bytesOf(Int8Array.of(0, 1, 1, 0, 0, 0, 0, 0))) }));
  t.throws(() => lsdqn.readEcoSet(eco, "X"), { ...E, message: /1 cuts for 2 graphs/ });
});

test("rudy / best-known / TSPLIB text: parsed, and truncated or corrupt files refused naming the line", (t) => {
  const g = lsdqn.readGset(write("3 2\n1 2 1\n2 3 -1\n", ""));
  t.is(g.n, 3);
  t.deepEqual(Array.from(lsdqn.denseWeights(g)), [0, 1, 0, 1, 0, -1, 0, -1, 0]);
  t.is(lsdqn.cutValue(g, [1, -1, -1]), 1);
  const E = { instanceOf: lsdqn.InstanceFormatError };
  t.throws(() => lsdqn.readGset(write("3 3\n1 2 1\n2 3 -1\n", "")), { ...E, message: /promises 3 edges but the file has 2 edge lines \(truncated\?\)/ });
  t.throws(() => lsdqn.readGset(write("3 1\n1 4 1\n", "")), { ...E, message: /line 2 \(v\): expected an integer in \[1, 3\], got 4/ });
  t.throws(() => lsdqn.readGset(write("3 1\n1 2 x\n", "")), { ...E, message: /line 2 \(w\): expected a number/ });
  t.throws(() => lsdqn.readGset(write("", "")), { ...E, message: /empty file/ });
  t.throws(() => lsdqn.readGset(write("3 2\n1 2 1\n2 1 1\n", "")), { ...E, message: /appears twice/ });
  t.throws(() => lsdqn.readBestKnown(write("G1 11624\nG2\n", ".txt")), { ...E, message: /line 2/ });
  const tsp = "NAME : t\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 4.4\nEOF\n";
  const inst = lsdqn.readTsp(write(tsp, ".tsp"));
  t.deepEqual(Array.from(inst.coords), [0, 0, 3, 4, 0, 4.4]);
  t.is(lsdqn.euc2dLength(inst, Int32Array.of(0, 1, 2)), 5 + 3 + 4); // nint(3.03) = 3, nint(4.4) = 4
  t.throws(() => lsdqn.readTsp(write(tsp.replace("3 0 4.4\n", ""), ".tsp")), { ...E, message: /2 of 3 nodes \(truncated\)/ });
  t.throws(() => lsdqn.readTsp(write(tsp.replace("EUC_2D", "GEO"), ".tsp")), { ...E, message: /GEO is not supported/ });
  t.throws(() => lsdqn.readTsp(write(tsp.slice(0, tsp.indexOf("NODE_COORD")), ".tsp")), { ...E, message: /no NODE_COORD_SECTION/ });
  t.throws(() => lsdqn.readTsp(write(tsp.replace("2 3 4", "1 3 4"), ".tsp")), { ...E, message: /node 1 appears twice/ });
  const tour = "NAME : t.tour\nTYPE : TOUR\nDIMENSION : 3\nTOUR_SECTION\n1\n3\n2\n-1\nEOF\n";
  t.deepEqual(Array.from(lsdqn.readTour(write(tour, ".tour"))), [0, 2, 1]);
  t.throws(() => lsdqn.readTour(write(tour.replace("-1\nEOF\n", ""), ".tour")), { ...E, message: /does not end with -1/ });
  t.throws(() => lsdqn.readTour(write(tour.replace("3\n2\n", "3\n3\n"), ".tour")), { ...E, message: /visited twice/ });
  t.throws(() => lsdqn.readTour(write(tour.replace("2\n-1", "-1"), ".tour")), { ...E, message: /2 nodes, DIMENSION says 3/ });
});

test("generators: seeded, reproducible, of the spec's laws", (t) => {
  const a = lsdqn.uniformPoints(7, lsdqn.instanceRng(3, 5)), b = lsdqn.uniformPoints(7, lsdqn.instanceRng(3, 5));
  t.deepEqual(a.matrix, b.matrix);
  t.notDeepEqual(a.matrix, lsdqn.uniformPoints(7, lsdqn.instanceRng(3, 6)).matrix);
  t.true(Math.abs(a.matrix[1] - Math.hypot(a.coords[0] - a.coords[2], a.coords[1] - a.coords[3])) < 1e-15);
  const er = lsdqn.erdosRenyi(200, lsdqn.instanceRng(1, 0));
  let edges = 0, pos = 0;
  for (let i = 0; i < 200; i++) for (let j = i + 1; j < 200; j++) if (er.matrix[i * 200 + j]) { edges++; if (er.matrix[i * 200 + j] > 0) pos++; t.is(er.matrix[j * 200 + i], er.matrix[i * 200 + j]); }
  t.true(Math.abs(edges / 19900 - 0.15) < 0.02, `ER density ${edges / 19900}`);
  t.true(Math.abs(pos / edges - 0.5) < 0.05);
  const ba = lsdqn.barabasiAlbert(60, lsdqn.instanceRng(1, 1));
  let baEdges = 0;
  for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) if (ba.matrix[i * 60 + j]) baEdges++;
  t.is(baEdges, 4 * (60 - 4)); // m edges per node added after the m seeds
  const kc = lsdqn.gaussianClusters(5, 6, lsdqn.instanceRng(2, 0));
  t.is(kc.n, 30);
  const lab = lsdqn.randomEqualLabels(30, 5, lsdqn.instanceRng(2, 1));
  t.deepEqual(Array.from({ length: 5 }, (_, c) => lab.filter((v) => v === c).length), [6, 6, 6, 6, 6]);
  t.deepEqual(Array.from(lsdqn.randomTour(9, lsdqn.instanceRng(0, 0))).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("generators: the Gset-like laws (ER weight 1, torus, geometric k-NN): symmetric, zero diagonal, the stated degrees and weights", (t) => {
  const stats = (x) => {
    const n = x.n, deg = new Array(n).fill(0), weights = new Set();
    for (let i = 0; i < n; i++) {
      t.is(x.matrix[i * n + i], 0);
      for (let j = 0; j < n; j++) if (x.matrix[i * n + j]) { deg[i]++; weights.add(x.matrix[i * n + j]); if (x.matrix[j * n + i] !== x.matrix[i * n + j]) t.fail(`asymmetric at ${i},${j}`); }
    }
    return { deg, weights: [...weights].sort() };
  };
  const er1 = stats(lsdqn.erdosRenyi(120, lsdqn.instanceRng(4, 0), 0.1, false));
  t.deepEqual(er1.weights, [1]);
  const mean = er1.deg.reduce((a, b) => a + b, 0) / 120;
  t.true(Math.abs(mean / 119 - 0.1) < 0.02, `ER weight-1 density ${mean / 119}`);
  // Torus 7 × 5 (odd sizes): every node exactly 4 neighbours, weights ±1, node (r, c) joined to (r, c+1 mod 5).
  const tg = lsdqn.torusGrid(7, 5, lsdqn.instanceRng(4, 1));
  const ts = stats(tg);
  t.deepEqual([...new Set(ts.deg)], [4]);
  t.deepEqual(ts.weights, [-1, 1]);
  t.not(tg.matrix[(2 * 5 + 4) * 35 + 2 * 5], 0, "wraps around a row");
  t.not(tg.matrix[(6 * 5 + 3) * 35 + 3], 0, "wraps around a column");
  t.deepEqual([...new Set(stats(lsdqn.torusGrid(3, 4, lsdqn.instanceRng(4, 2), false)).weights)], [1]);
  // k-NN: every node has at least k neighbours (its own k nearest), and its k nearest are among them.
  const g = lsdqn.geometricKnn(41, 5, lsdqn.instanceRng(4, 3));
  const gs = stats(g);
  t.true(gs.deg.every((d) => d >= 5), `min degree ${Math.min(...gs.deg)}`);
  t.deepEqual(gs.weights, [-1, 1]);
  t.deepEqual(lsdqn.geometricKnn(41, 5, lsdqn.instanceRng(4, 3)).matrix, g.matrix, "seeded");
  t.deepEqual(stats(lsdqn.geometricKnn(30, 3, lsdqn.instanceRng(4, 4), false)).weights, [1]);
  // gsetMix: law i mod 5 (ER w1, ER ±1, torus ±1, k-NN w1, k-NN ±1); torusShape picks rows × cols.
  t.deepEqual([lsdqn.torusShape(50), lsdqn.torusShape(20), lsdqn.torusShape(100), lsdqn.torusShape(7), lsdqn.torusShape(22)], [[10, 5], [5, 4], [10, 10], null, null]);
  const mix = [0, 1, 2, 3, 4].map((i) => stats(lsdqn.gsetMix(20, lsdqn.instanceRng(5, i), i)));
  t.deepEqual(mix.map((m) => m.weights.length), [1, 2, 2, 1, 2]);
  t.deepEqual([...new Set(mix[2].deg)], [4], "law 2 is the 5 × 4 torus");
  t.true(mix[3].deg.every((d) => d >= 5), "law 3: 5-NN (k = min(10, n / 4))");
  t.deepEqual(lsdqn.gsetMix(20, lsdqn.instanceRng(5, 7), 7).matrix, lsdqn.gsetMix(20, lsdqn.instanceRng(5, 7), 2).matrix, "law = i mod 5");
  t.throws(() => lsdqn.gsetMix(7, lsdqn.instanceRng(0, 0), 0), { instanceOf: RangeError, message: /gsetMix: n must be rows × cols/ });
  t.throws(() => lsdqn.gsetLaw(2, 20, lsdqn.instanceRng(0, 0), { p: 0.1, torus: [3, 5], k: 4 }), { instanceOf: RangeError, message: /gsetLaw: the torus 3 × 5 does not have n = 20 nodes/ });
  for (const f of [() => lsdqn.torusGrid(2, 5, lsdqn.instanceRng(0, 0)), () => lsdqn.geometricKnn(5, 5, lsdqn.instanceRng(0, 0)), () => lsdqn.geometricKnn(10, 0, lsdqn.instanceRng(0, 0))])
    t.throws(f, { instanceOf: RangeError, message: /recforge: (torusGrid|geometricKnn)/ });
});

// Exhaustive Max-Cut by Gray code (O(n) per flip): the exact optimum of a small graph.
function bruteForceCut(w, n) {
  const s = new Int8Array(n).fill(1);
  const gain = new Float64Array(n);
  let cut = 0, best = 0;
  for (let v = 0; v < n; v++) { let a = 0; for (let u = 0; u < n; u++) a += w[v * n + u] * s[u]; gain[v] = s[v] * a; }
  for (let k = 1; k < 2 ** (n - 1); k++) {
    const v = 31 - Math.clz32(k & -k);
    cut += gain[v];
    for (let u = 0; u < n; u++) gain[u] -= 2 * w[v * n + u] * s[u] * s[v];
    gain[v] = -gain[v];
    s[v] = -s[v];
    if (cut > best) best = cut;
  }
  return best;
}

dataTest(test, "ECO-DQN validation sets: shapes, ±1 weights, one reference cut per graph; ER20's first cuts are exact optima", "maxcut-eco-dqn", (t, dir) => {
  for (const name of lsdqn.ECO_SETS) {
    const set = lsdqn.readEcoSet(dir, name);
    t.is(set.graphs.length, 100, name);
    t.is(set.n, Number(/_(\d+)spin/.exec(name)[1]));
    t.true(set.graphs[0].every((v) => v === 0 || v === 1 || v === -1));
    t.is(set.cuts.length, 100);
  }
  const er20 = lsdqn.readEcoSet(dir, "ER_20spin_p15_100graphs");
  for (let g = 0; g < 3; g++) t.is(bruteForceCut(er20.graphs[g], 20), er20.cuts[g], `ER20 graph ${g}`);
});

dataTest(test, "Gset G1-G21: 800 nodes, header edge counts, best-known values present", "gset", (t, dir) => {
  const best = lsdqn.readBestKnown(path.join(dir, "GSET_known_best_energies.txt"));
  for (let i = 1; i <= 21; i++) {
    const g = lsdqn.readGset(path.join(dir, "graphs", `G${i}`));
    t.is(g.n, 800);
    t.true(best.has(`G${i}`));
    t.true(g.weight.every((w) => w === 1 || w === -1));
  }
  t.is(best.get("G1"), 11624);
});
