// Smoke test of the GEMM bindings from Node: gemm (float32 and float64, batched with a
// broadcast B, every transpose), gemmOwnF32, cblasSgemm and gemmBackend against a JS
// reference, and the validation errors (RangeError / TypeError naming the sizes).
// Usage: node native/tests/gemm_smoke.cjs [path/to/recforge.node]  (after node-gyp rebuild)
const path = require("path");
const assert = require("assert");
const rf = require(process.argv[2] ? path.resolve(process.argv[2]) : path.join(__dirname, "../../build/Release/recforge.node"));

let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
function tensor(arr, Ctor) {
  const ta = Ctor.from(arr);
  const h = rf.alloc(ta.byteLength);
  rf.write(h, 0, ta);
  return h;
}
function readT(h, n, Ctor) { const ta = new Ctor(n); rf.read(h, 0, ta); return ta; }

// C[b] = alpha op(A[b]) op(B) + beta C[b] with padded leading dimensions, B broadcast.
function check(dtype, tA, tB, M, N, K, alpha, beta, batch, fn) {
  const Ctor = dtype === 0 ? Float32Array : Float64Array;
  const lda = (tA ? M : K) + 1, ldb = (tB ? K : N) + 2, ldc = N + 1;
  const sA = (tA ? K : M) * lda, sC = M * ldc;
  const a = Array.from({ length: batch * sA }, rnd), b = Array.from({ length: (tB ? N : K) * ldb }, rnd);
  const c0 = Array.from({ length: batch * sC }, rnd);
  const hA = tensor(a, Ctor), hB = tensor(b, Ctor), hC = tensor(c0, Ctor);
  fn(tA, tB, M, N, K, alpha, hA, 0, lda, sA, hB, 0, ldb, 0, beta, hC, 0, ldc, sC, batch);
  const got = readT(hC, batch * sC, Ctor);
  const tol = dtype === 0 ? 1e-4 : 1e-10;
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < ldc; j++) {
        const at = t * sC + i * ldc + j;
        if (j >= N) { assert.strictEqual(got[at], Ctor.from([c0[at]])[0], "padding of C untouched"); continue; }
        let s = 0;
        for (let k = 0; k < K; k++)
          s += (tA ? a[t * sA + k * lda + i] : a[t * sA + i * lda + k]) * (tB ? b[j * ldb + k] : b[k * ldb + j]);
        const want = alpha * s + (beta === 0 ? 0 : beta * Ctor.from([c0[at]])[0]);
        assert.ok(Math.abs(got[at] - want) <= tol * (1 + Math.abs(want)), `dtype ${dtype} tA=${tA} tB=${tB} [${t},${i},${j}]: ${got[at]} vs ${want}`);
      }
  for (const h of [hA, hB, hC]) rf.free(h);
}

const gemm = (dtype) => (...args) => rf.gemm(dtype, ...args);
for (const dtype of [0, 1])
  for (const tA of [false, true])
    for (const tB of [false, true]) {
      check(dtype, tA, tB, 5, 7, 3, 1, 0, 2, gemm(dtype));
      check(dtype, tA, tB, 37, 41, 300, -0.5, 2, 3, gemm(dtype)); // bigger than the in-register tile
    }
check(0, false, true, 9, 20, 11, 1.5, 1, 2, rf.gemmOwnF32);
check(0, true, false, 9, 20, 11, 1, 0, 1, (...args) => rf.gemmOwnF32(0, ...args)); // leading dtype accepted

const backend = rf.gemmBackend();
assert.strictEqual(typeof backend, "string");
{
  const M = 4, N = 6, K = 5;
  const a = Array.from({ length: M * K }, rnd), b = Array.from({ length: K * N }, rnd);
  const hA = tensor(a, Float32Array), hB = tensor(b, Float32Array), hC = rf.alloc(M * N * 4);
  const ok = rf.cblasSgemm(M, N, K, hA, 0, hB, 0, hC, 0);
  assert.strictEqual(ok, !backend.startsWith("own"), `cblasSgemm result vs backend ${backend}`);
  if (ok) {
    const c = readT(hC, M * N, Float32Array);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0; for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      assert.ok(Math.abs(c[i * N + j] - s) < 1e-4);
    }
  }
  assert.throws(() => rf.cblasSgemm(M, N, K, hA, 0, hB, 0, hC, 1), (e) => e instanceof RangeError && /M=4, N=6, K=5/.test(e.message));
}

// Validation: every out-of-bounds access is refused before the kernel runs.
{
  const M = 5, N = 7, K = 3, batch = 2;
  const hA = rf.alloc(batch * M * K * 4), hB = rf.alloc(K * N * 4), hC = rf.alloc(batch * M * N * 4);
  const args = () => [0, false, false, M, N, K, 1, hA, 0, K, M * K, hB, 0, N, 0, 0, hC, 0, N, M * N, batch];
  const bad = (patch, re, Err = RangeError) => {
    const a = args();
    for (const [i, v] of Object.entries(patch)) a[i] = v;
    assert.throws(() => rf.gemm(...a), (e) => e instanceof Err && re.test(e.message), JSON.stringify(patch));
  };
  rf.gemm(...args()); // the valid call works
  bad({ 20: 3 }, /gemm A .*batch=3.*storage holds 30/);           // one batch entry too many
  bad({ 9: 2 }, /lda must be at least max\(1, 3\).*lda=2/);         // lda below the stored row
  bad({ 8: 1 }, /gemm A .*needs elements \[1, 31\)/);                // offset pushes the last row out
  bad({ 19: 3 }, /strideC makes the batch entries of C overlap/);    // overlapping C entries
  bad({ 2: true }, /gemm B .*transB=true/);                          // B stored N×K does not fit
  bad({ 10: 2 ** 52, 20: 5000 }, /overflows|exceeds/);               // extent beyond any storage
  bad({ 0: 1 }, /float64 but the storage holds 15/);                 // float64 view of float32 storage
  bad({ 3: -1 }, /non-negative.*M=-1/);
  bad({ 14: -1 }, /non-negative/);
  bad({ 0: 2 }, /float dtype/, TypeError);
  assert.throws(() => rf.gemm(0, false), TypeError);
  assert.throws(() => rf.gemmOwnF32(1, ...args().slice(1)), TypeError);
  // Empty products touch nothing; K = 0 writes beta·C (here zeros).
  rf.gemm(0, false, false, 0, N, K, 1, hA, 0, K, 0, hB, 0, N, 0, 0, hC, 0, N, 0, 1);
  rf.gemm(0, false, false, M, N, 0, 1, hA, 0, 1, 0, hB, 0, N, 0, 0, hC, 0, N, M * N, batch);
  assert.ok(readT(hC, batch * M * N, Float32Array).every((x) => x === 0));
}
rf.setNumThreads(1);
rf.setNumThreads(2);
console.log(`gemm bindings: ok (${backend})`);
