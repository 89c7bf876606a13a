// Micro-benchmarks of single ops with benchmark.js (statistically sound per-op timings).
// Run: npm run build && node bench/js/ops.bench.js
// The `recforge bench ops` command reports the same ops as throughput against their floors.
import Benchmark from "benchmark";
import * as rf from "../../dist/index.js";

const small = [rf.randn([4]), rf.randn([4])];
const mid = [rf.randn([256, 256]), rf.randn([256, 256])];
const big = rf.randn([2048, 1024]);
const w = rf.randn([1024]);

const suite = new Benchmark.Suite("recforge ops");
suite
  .add("add [4] (per-op overhead)", () => rf.add(small[0], small[1]).dispose())
  .add("add [4] with autograd in tidy", () => rf.tidy(() => { rf.add(small[0], small[1]); }))
  .add("matmul 256", () => rf.matmul(mid[0], mid[1]).dispose())
  .add("softmax [2048, 1024]", () => rf.softmax(big).dispose())
  .add("layerNorm [2048, 1024]", () => rf.layerNorm(big, w).dispose())
  .add("sum axis 1 [2048, 1024]", () => rf.sum(big, 1).dispose())
  .on("cycle", (e) => console.log(String(e.target)))
  .run();
