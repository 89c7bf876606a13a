// `recforge bench gnn`'s JSON: what it reports is its parts (speedup = reference / fused from the
// same medians, fused and op-by-op GAT computed on the same inputs), plus the provenance block.
// Speed itself is not tested; --quick keeps it cheap.
import test from "ava";
import { benchGnn } from "../../dist/bench/gnn.js";

test("bench gnn --quick: rows carry fused and reference times of the same inputs; speedup is their ratio; provenance", (t) => {
  const r = benchGnn({ quick: true, command: "recforge bench gnn --quick", batchGraphs: 4, largeNodes: 2000 });
  t.deepEqual(r.gat.map((g) => g.name), ["greener-batch layer1", "greener-batch layer2", "large single graph"]);
  for (const g of r.gat) {
    t.true(g.fused_ms > 0 && g.reference_ms > 0);
    // ms rounded to 0.01, speedup to 0.01 from the unrounded medians
    t.true(Math.abs(g.speedup - g.reference_ms / g.fused_ms) <= 0.01 + (0.006 / g.fused_ms) * (g.reference_ms / g.fused_ms + 1), `${g.name}: ${g.speedup} vs ${g.reference_ms}/${g.fused_ms}`);
    t.is(g.runs, 3);
    t.true(g.max_abs_diff < 1e-4, `${g.name}: fused and op-by-op GAT disagree by ${g.max_abs_diff}`);
    t.true(g.edges >= g.nodes); // self-loops included
  }
  t.is(r.provenance.command, "recforge bench gnn --quick");
  t.true(typeof r.provenance.machine.isa === "string" && typeof r.provenance.machine.blas_core === "string");
  t.true(r.provenance.date_start <= r.provenance.date_end);
});
