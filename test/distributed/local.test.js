// recforge.distributed without mpirun: the local group of one rank (no MPI loaded), the shard
// contract, DistributedDataParallel's bucket logic on one rank (gradients unchanged), bad input,
// and the error naming the package when libmpi cannot be loaded.
import test from "ava";
import { spawnSync } from "node:child_process";
import * as rf from "../../dist/index.js";

const { initProcessGroup, DistributedDataParallel, shardRange, shardOf } = rf.distributed;

test("shard contract: contiguous blocks covering [0, n) exactly once, sizes within one; bad input", (t) => {
  for (const [n, W] of [[0, 1], [7, 2], [8, 3], [2, 5], [1001, 4]]) {
    let next = 0;
    for (let r = 0; r < W; r++) {
      const [s, e] = shardRange(n, r, W);
      t.is(s, next);
      t.true(e - s === Math.floor(n / W) || e - s === Math.ceil(n / W));
      next = e;
    }
    t.is(next, n);
  }
  t.deepEqual(shardOf([1, 2, 3, 4, 5], 1, 2), [3, 4, 5]);
  t.throws(() => shardRange(5, 2, 2), { instanceOf: RangeError, message: /rank must be in \[0, 2\)/ });
  t.throws(() => shardRange(-1, 0, 1), { instanceOf: RangeError });
});

test("local group: one rank, collectives leave values unchanged, checks still apply", (t) => {
  const pg = initProcessGroup({ backend: "local" });
  t.is(pg.size, 1);
  t.is(pg.rank, 0);
  t.is(pg.backend, "local");
  const x = rf.tensor([1, 2, 3]);
  pg.allReduce(x, "mean");
  t.deepEqual(Array.from(x.toTypedArray()), [1, 2, 3]);
  pg.barrier();
  t.deepEqual(Array.from(pg.allReduceNumbers([4, 5])), [4, 5]);
  t.throws(() => pg.allReduce(x, "max"), { instanceOf: RangeError, message: /"sum" or "mean"/ });
  t.throws(() => pg.allReduce(rf.tensor([1, 2, 3, 4]).reshape([2, 2]).transpose()), { instanceOf: TypeError, message: /contiguous/ });
  t.throws(() => pg.broadcast(x, 1), { instanceOf: RangeError, message: /root must be a rank in \[0, 1\)/ });
});

test("DistributedDataParallel on one rank: the gradients of noSync + synced backward equal plain backward (strided gradients included)", (t) => {
  const pg = initProcessGroup({ backend: "local" });
  const run = (useDdp) => {
    rf.manualSeed(3);
    // v is only read transposed: its gradient arrives as a strided view, and after one noSync
    // micro-batch that view is v.grad itself.
    const w = rf.randn([5, 4]).requiresGrad_(), v = rf.randn([3, 4]).requiresGrad_();
    const ddp = useDdp ? new DistributedDataParallel([w, v], pg, { bucketBytes: 40 }) : null;
    const grads = [];
    for (let step = 0; step < 3; step++) {
      for (let m = 0; m < 2; m++) {
        const pass = () => rf.tidy(() => {
          const x = rf.randn([6, 5]);
          rf.backward(x.matmul(w).tanh().matmul(v.T).square().mean());
        });
        if (ddp && m === 0) ddp.noSync(pass);
        else pass();
      }
      ddp?.synchronize();
      grads.push([Array.from(w.grad.toTypedArray()), Array.from(v.grad.toTypedArray())]);
      w.zeroGrad();
      v.zeroGrad();
    }
    if (ddp) t.true(ddp.stats.startedDuringBackward > 0, JSON.stringify(ddp.stats));
    ddp?.dispose();
    return grads;
  };
  const a = run(false), b = run(true);
  for (let s = 0; s < 3; s++) for (let p = 0; p < 2; p++) a[s][p].forEach((x, i) => t.true(Math.abs(x - b[s][p][i]) <= 1e-6, `step ${s} param ${p}`));
  t.throws(() => new DistributedDataParallel([], pg), { instanceOf: RangeError });
  const q = rf.randn([2]).requiresGrad_();
  t.throws(() => new DistributedDataParallel([q, q], pg), { instanceOf: RangeError, message: /twice/ });
  t.throws(() => new DistributedDataParallel([q], pg, { reduce: "max" }), { instanceOf: RangeError });
});

test("backend mpi without a loadable libmpi: an Error naming what to install / the path that failed", (t) => {
  const code = `import("${new URL("../../dist/index.js", import.meta.url).href}").then((rf) => { try { rf.distributed.initProcessGroup({ backend: "mpi" }); console.log("no error"); } catch (e) { console.log(e.constructor.name + ": " + e.message); } })`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, RECFORGE_MPI: "/nonexistent/libmpi.so.40" } });
  t.regex(r.stdout, /^Error: recforge\.distributed: RECFORGE_MPI=\/nonexistent\/libmpi\.so\.40 could not be loaded/);
});
