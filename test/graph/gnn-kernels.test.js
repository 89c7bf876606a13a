// Smoke tests of the graph bindings (bind_message_passing.cc, bind_gat.cc) from JS: results
// against small JS references, gradients against finite differences (float64), and the
// boundary checks (RangeErrors that name the bad value and position).
import test from "ava";
import { native as rf } from "../../dist/native.js";

const F32 = 0, F64 = 1;
// A tensor argument over a bare storage handle (element offset 0); null stays null.
const T = (h) => (h === null ? null : { _h: h, offset: 0 });

// A tiny tensor helper over storage handles: every test frees what it allocates.
function scope() {
  const handles = [];
  const alloc = (bytes) => {
    const h = rf.alloc({ nbytes: bytes });
    handles.push(h);
    return h;
  };
  return {
    from(arr) {
      const h = alloc(Math.max(arr.byteLength, 1));
      rf.write({ handle: h, byteOffset: 0, data: arr });
      return h;
    },
    empty(n, Ctor) {
      const h = alloc(Math.max(n * Ctor.BYTES_PER_ELEMENT, 1));
      rf.write({ handle: h, byteOffset: 0, data: new Ctor(n).fill(Ctor === Int32Array ? -99 : NaN) }); // poison
      return h;
    },
    get(h, n, Ctor) {
      const a = new Ctor(n);
      rf.read({ handle: h, byteOffset: 0, out: a });
      return a;
    },
    free() {
      for (const h of handles) rf.free({ handle: h });
    },
  };
}

// Example graph: 6 edges over 4 nodes, node 2 has no incoming edge, a duplicate pair.
const EDGES = { src: [0, 2, 1, 2, 0, 3, 2], dst: [1, 0, 1, 3, 0, 3, 0] };
const N = 4, E = EDGES.src.length;

function buildGraph(s, edges = EDGES, n = N) {
  const e = edges.src.length;
  const rowptr = s.empty(n + 1, Int32Array), src = s.empty(e, Int32Array), eid = s.empty(e, Int32Array);
  rf.cooToCsr({ nDst: n, nSrc: n, nEdges: e, src: T(s.from(Int32Array.from(edges.src))), dst: T(s.from(Int32Array.from(edges.dst))), rowptr: T(rowptr), csrSrc: T(src), eid: T(eid) });
  const tRowptr = s.empty(n + 1, Int32Array), tDst = s.empty(e, Int32Array), tEid = s.empty(e, Int32Array);
  rf.csrTranspose({ nDst: n, nSrc: n, nEdges: e, rowptr: T(rowptr), src: T(src), tRowptr: T(tRowptr), tDst: T(tDst), tEid: T(tEid) });
  return { rowptr, src, eid, tRowptr, tDst, tEid, n, e };
}

function rand(n, seed) {
  const a = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    a[i] = x / 1073741824 - 1;
  }
  return a;
}

test("cooToCsr groups edges by destination (stable) and csrTranspose groups them by source", (t) => {
  const s = scope();
  const g = buildGraph(s);
  t.deepEqual(Array.from(s.get(g.rowptr, N + 1, Int32Array)), [0, 3, 5, 5, 7]);
  t.deepEqual(Array.from(s.get(g.src, E, Int32Array)), [2, 0, 2, 0, 1, 2, 3]);
  t.deepEqual(Array.from(s.get(g.eid, E, Int32Array)), [1, 4, 6, 0, 2, 3, 5]);
  t.deepEqual(Array.from(s.get(g.tRowptr, N + 1, Int32Array)), [0, 2, 3, 6, 7]);
  t.deepEqual(Array.from(s.get(g.tEid, E, Int32Array)), [1, 3, 4, 0, 2, 5, 6]);
  t.deepEqual(Array.from(s.get(g.tDst, E, Int32Array)), [0, 1, 1, 0, 0, 3, 3]);
  s.free();
});

test("segmentAggregate (sum, mean, max, min; weighted) and its backward match a JS reference", (t) => {
  const s = scope();
  const g = buildGraph(s);
  const F = 3;
  const rowptr = s.get(g.rowptr, N + 1, Int32Array), src = s.get(g.src, E, Int32Array);
  const x = rand(N * F, 7), w = rand(E, 11), dout = rand(N * F, 13);
  for (const reduce of [0, 1, 2, 3]) {
    const out = s.empty(N * F, Float64Array), arg = s.empty(N * F, Int32Array);
    rf.segmentAggregate({ dtype: F64, reduce, nDst: N, nSrc: N, F, nEdges: E, rowptr: T(g.rowptr), src: T(g.src), x: T(s.from(x)), w: T(s.from(w)), out: T(out), arg: T(arg) });
    const got = s.get(out, N * F, Float64Array), gotArg = s.get(arg, N * F, Int32Array);
    const want = new Float64Array(N * F), wantArg = new Int32Array(N * F).fill(-1);
    const dx = new Float64Array(N * F), dw = new Float64Array(E);
    for (let d = 0; d < N; d++) {
      const deg = rowptr[d + 1] - rowptr[d];
      for (let f = 0; f < F; f++) {
        let acc = reduce >= 2 ? null : 0, best = -1;
        for (let e = rowptr[d]; e < rowptr[d + 1]; e++) {
          const m = w[e] * x[src[e] * F + f];
          if (reduce < 2) acc += m;
          else if (acc === null || (reduce === 2 ? m > acc : m < acc)) (acc = m), (best = e);
        }
        want[d * F + f] = acc === null ? 0 : reduce === 1 && deg ? acc / deg : acc;
        wantArg[d * F + f] = best;
        for (let e = rowptr[d]; e < rowptr[d + 1]; e++) {
          if (reduce >= 2 && best !== e) continue;
          const scale = reduce === 1 ? 1 / deg : 1;
          dx[src[e] * F + f] += w[e] * scale * dout[d * F + f];
          dw[e] += scale * dout[d * F + f] * x[src[e] * F + f];
        }
      }
    }
    got.forEach((v, i) => t.true(Math.abs(v - want[i]) < 1e-12, `reduce ${reduce} out[${i}]`));
    if (reduce >= 2) t.deepEqual(Array.from(gotArg), Array.from(wantArg));
    const gdx = s.empty(N * F, Float64Array), gdw = s.empty(E, Float64Array);
    rf.segmentAggregateBackward({ dtype: F64, reduce, nDst: N, nSrc: N, F, nEdges: E, rowptr: T(g.rowptr), src: T(g.src), tRowptr: T(g.tRowptr), tDst: T(g.tDst), tEid: T(g.tEid), x: T(s.from(x)), w: T(s.from(w)), arg: T(reduce >= 2 ? arg : null), dout: T(s.from(dout)), dx: T(gdx), dw: T(gdw) });
    s.get(gdx, N * F, Float64Array).forEach((v, i) => t.true(Math.abs(v - dx[i]) < 1e-12, `reduce ${reduce} dx[${i}]`));
    s.get(gdw, E, Float64Array).forEach((v, i) => t.true(Math.abs(v - dw[i]) < 1e-12, `reduce ${reduce} dw[${i}]`));
  }
  s.free();
});

test("edgeSoftmax normalises each destination's edges; backward matches the formula", (t) => {
  const s = scope();
  const g = buildGraph(s);
  const H = 2, rowptr = s.get(g.rowptr, N + 1, Int32Array);
  const sc = rand(E * H, 3), da = rand(E * H, 5);
  const alpha = s.empty(E * H, Float64Array), ds = s.empty(E * H, Float64Array);
  rf.edgeSoftmax({ dtype: F64, nDst: N, H, nEdges: E, rowptr: T(g.rowptr), scores: T(s.from(sc)), alpha: T(alpha) });
  const a = s.get(alpha, E * H, Float64Array);
  rf.edgeSoftmaxBackward({ dtype: F64, nDst: N, H, nEdges: E, rowptr: T(g.rowptr), alpha: T(alpha), dalpha: T(s.from(da)), dscores: T(ds) });
  const gds = s.get(ds, E * H, Float64Array);
  for (let d = 0; d < N; d++)
    for (let h = 0; h < H; h++) {
      let mx = -Infinity, sum = 0, dot = 0;
      for (let e = rowptr[d]; e < rowptr[d + 1]; e++) mx = Math.max(mx, sc[e * H + h]);
      for (let e = rowptr[d]; e < rowptr[d + 1]; e++) sum += Math.exp(sc[e * H + h] - mx);
      for (let e = rowptr[d]; e < rowptr[d + 1]; e++) dot += a[e * H + h] * da[e * H + h];
      for (let e = rowptr[d]; e < rowptr[d + 1]; e++) {
        t.true(Math.abs(a[e * H + h] - Math.exp(sc[e * H + h] - mx) / sum) < 1e-14);
        t.true(Math.abs(gds[e * H + h] - a[e * H + h] * (da[e * H + h] - dot)) < 1e-14);
      }
    }
  s.free();
});

test("gatForward / gatBackward: gradients match finite differences (float64), float32 agrees", (t) => {
  const s = scope();
  // Self-loops added by the caller, as GATConv does.
  const edges = { src: [...EDGES.src, 0, 1, 2, 3], dst: [...EDGES.dst, 0, 1, 2, 3] };
  const g = buildGraph(s, edges);
  const H = 2, F = 3, n = N, e = g.e, slope = 0.2;
  const wh = rand(n * H * F, 17), as = rand(H * F, 19), ad = rand(H * F, 23), G = rand(n * H * F, 29);
  const forward = (whv, asv, adv, dtype = F64, Ctor = Float64Array) => {
    const o = s.empty(n * H * F, Ctor), el = s.empty(n * H, Ctor), er = s.empty(n * H, Ctor), al = s.empty(e * H, Ctor);
    rf.gatForward({ dtype, N: n, H, F, nEdges: e, negativeSlope: slope, rowptr: T(g.rowptr), src: T(g.src), wh: T(s.from(Ctor.from(whv))), aSrc: T(s.from(Ctor.from(asv))), aDst: T(s.from(Ctor.from(adv))), out: T(o), el: T(el), er: T(er), alpha: T(al) });
    return { o, el, er, al, out: s.get(o, n * H * F, Ctor) };
  };
  const loss = (whv, asv, adv) => forward(whv, asv, adv).out.reduce((acc, v, i) => acc + v * G[i], 0);
  const fw = forward(wh, as, ad);
  const dwh = s.empty(n * H * F, Float64Array), das = s.empty(H * F, Float64Array), dad = s.empty(H * F, Float64Array);
  rf.gatBackward({ dtype: F64, N: n, H, F, nEdges: e, negativeSlope: slope, rowptr: T(g.rowptr), src: T(g.src), tRowptr: T(g.tRowptr), tDst: T(g.tDst), tEid: T(g.tEid), wh: T(s.from(wh)), aSrc: T(s.from(as)), aDst: T(s.from(ad)), el: T(fw.el), er: T(fw.er), alpha: T(fw.al), dout: T(s.from(G)), dWh: T(dwh), daSrc: T(das), daDst: T(dad), workspace: null });
  const check = (name, v, grad) => {
    for (let i = 0; i < v.length; i++) {
      const p = Float64Array.from(v), m = Float64Array.from(v);
      p[i] += 1e-6;
      m[i] -= 1e-6;
      const args = (arr) => (name === "wh" ? [arr, as, ad] : name === "aSrc" ? [wh, arr, ad] : [wh, as, arr]);
      const fd = (loss(...args(p)) - loss(...args(m))) / 2e-6;
      t.true(Math.abs(fd - grad[i]) < 1e-6 * (1 + Math.abs(fd)), `${name}[${i}]: ${grad[i]} vs fd ${fd}`);
    }
  };
  check("wh", wh, s.get(dwh, n * H * F, Float64Array));
  check("aSrc", as, s.get(das, H * F, Float64Array));
  check("aDst", ad, s.get(dad, H * F, Float64Array));
  const f32 = forward(wh, as, ad, F32, Float32Array).out;
  f32.forEach((v, i) => t.true(Math.abs(v - fw.out[i]) < 1e-5, `f32 out[${i}]`));
  t.is(rf.gatWorkspaceSize({ N: n, nEdges: e, H, F }), 2 * n * H + 1 * 2 * H * F + e * H);
  s.free();
});

test("the graph bindings reject malformed CSRs and transposes with RangeErrors naming the value", (t) => {
  const s = scope();
  const g = buildGraph(s);
  const F = 2, x = s.from(new Float32Array(N * F)), out = s.empty(N * F, Float32Array);
  const agg = (rowptr, src, e = E) => rf.segmentAggregate({ dtype: F32, reduce: 0, nDst: N, nSrc: N, F, nEdges: e, rowptr: T(s.from(Int32Array.from(rowptr))), src: T(s.from(Int32Array.from(src))), x: T(x), w: null, out: T(out), arg: null });
  const good = { rowptr: [0, 3, 5, 5, 7], src: [2, 0, 2, 0, 1, 2, 3] };
  t.notThrows(() => agg(good.rowptr, good.src));
  t.throws(() => agg([1, 3, 5, 5, 7], good.src), { instanceOf: RangeError, message: /rowptr\[0\] must be 0, got 1/ });
  t.throws(() => agg([0, 3, 2, 5, 7], good.src), { instanceOf: RangeError, message: /rowptr\[2\] = 2 is less than rowptr\[1\] = 3/ });
  t.throws(() => agg([0, 3, 5, 5, 6], good.src), { instanceOf: RangeError, message: /rowptr\[4\] = 6 must equal the edge count 7/ });
  t.throws(() => agg(good.rowptr, [2, 0, 2, 0, 9, 2, 3]), { instanceOf: RangeError, message: /src\[4\] = 9 is outside \[0, 4\)/ });
  t.throws(() => agg(good.rowptr, [2, 0, -1, 0, 1, 2, 3]), { instanceOf: RangeError, message: /src\[2\] = -1/ });
  t.throws(() => agg(good.rowptr, good.src.slice(0, 5)), { instanceOf: RangeError, message: /src: needs elements \[0, 7\)/ });
  t.throws(() => rf.segmentAggregate({ dtype: F32, reduce: 4, nDst: N, nSrc: N, F, nEdges: E, rowptr: T(g.rowptr), src: T(g.src), x: T(x), w: null, out: T(out), arg: null }),
    { instanceOf: RangeError, message: /reduce: expected 0 \(sum\)/ });
  t.throws(() => rf.segmentAggregate({ dtype: F32, reduce: 2, nDst: N, nSrc: N, F, nEdges: E, rowptr: T(g.rowptr), src: T(g.src), x: T(x), w: null, out: T(out), arg: null }),
    { instanceOf: TypeError, message: /needs an arg tensor/ });
  t.throws(() => rf.segmentAggregate({ dtype: F32, reduce: 0, nDst: N, nSrc: N, F: F + 1, nEdges: E, rowptr: T(g.rowptr), src: T(g.src), x: T(x), w: null, out: T(out), arg: null }),
    { instanceOf: RangeError, message: /x: needs elements \[0, 12\)/ });
  // A transpose that is not the transpose of this graph (two entries swapped).
  const tEid = s.get(g.tEid, E, Int32Array);
  [tEid[0], tEid[1]] = [tEid[1], tEid[0]];
  const badT = s.from(tEid);
  const H = 1, Fh = 2, wh = s.from(new Float32Array(N * H * Fh)), a = s.from(new Float32Array(H * Fh));
  const o = s.empty(N * H * Fh, Float32Array), el = s.empty(N * H, Float32Array), er = s.empty(N * H, Float32Array);
  const al = s.empty(E * H, Float32Array);
  rf.gatForward({ dtype: F32, N, H, F: Fh, nEdges: E, negativeSlope: 0.2, rowptr: T(g.rowptr), src: T(g.src), wh: T(wh), aSrc: T(a), aDst: T(a), out: T(o), el: T(el), er: T(er), alpha: T(al) });
  const gbw = (tEidH) => rf.gatBackward({ dtype: F32, N, H, F: Fh, nEdges: E, negativeSlope: 0.2, rowptr: T(g.rowptr), src: T(g.src), tRowptr: T(g.tRowptr), tDst: T(g.tDst), tEid: T(tEidH), wh: T(wh), aSrc: T(a), aDst: T(a), el: T(el), er: T(er), alpha: T(al), dout: T(wh), dWh: T(s.empty(N * H * Fh, Float32Array)), daSrc: T(s.empty(H * Fh, Float32Array)), daDst: T(s.empty(H * Fh, Float32Array)), workspace: null });
  t.notThrows(() => gbw(g.tEid));
  t.throws(() => gbw(badT), { instanceOf: RangeError, message: /tDst\[0\] = 0 but edge 3 goes to 1|not the transpose/ });
  t.throws(() => rf.gatForward({ dtype: F32, N, H, F: Fh, nEdges: E, negativeSlope: 1.5, rowptr: T(g.rowptr), src: T(g.src), wh: T(wh), aSrc: T(a), aDst: T(a), out: T(o), el: T(el), er: T(er), alpha: T(al) }),
    { instanceOf: RangeError, message: /negativeSlope/ });
  t.throws(() => rf.cooToCsr({ nDst: N, nSrc: N, nEdges: 1, src: T(s.from(Int32Array.of(0))), dst: T(s.from(Int32Array.of(4))), rowptr: T(s.empty(N + 1, Int32Array)), csrSrc: T(s.empty(1, Int32Array)), eid: T(s.empty(1, Int32Array)) }), { instanceOf: RangeError, message: /dst\[0\] = 4 is outside \[0, 4\)/ });
  s.free();
});
