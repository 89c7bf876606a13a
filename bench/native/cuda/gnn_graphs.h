// The graphs of `recforge bench gnn` (bench/harness/gnn.ts), rebuilt in C++ for the GPU benchmark
// (cuda_gnn_bench) with the same generator (mulberry32, seed 1) and the same call order, so the
// GPU runs on the very graphs the CPU numbers were measured on:
//   GREENer's batch: 32 graphs shaped like GREENer's per-pair graph (user, item, 48 attributes,
//     450 sentences; edges sentence–attribute, user–attribute, item–attribute, both directions),
//     batched (node ids offset), self-loops added   -> 16000 nodes, 89456 edges;
//   a large random graph: 100000 nodes, 10 random edges per node, existing self-loops replaced by
//     one per node                                  -> 100000 nodes, 1099992 edges.
// Edges are grouped by destination with recforge::coo_to_csr (stable, as toCsr does) and
// transposed with csr_transpose for the backward passes. Host-only.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "recforge/graph_csr.h"

namespace rfbench {

// mulberry32, bit for bit as gnn.ts's prng() (Math.imul = the low 32 bits of the product).
struct Mulberry32 {
  uint32_t a;
  explicit Mulberry32(uint32_t seed) : a(seed) {}
  double operator()() {
    a += 0x6d2b79f5u;
    uint32_t t = a;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return (double)(t ^ (t >> 14)) / 4294967296.0;
  }
};

struct Coo {
  int64_t n = 0;
  std::vector<int32_t> src, dst;
  void both(int32_t a, int32_t b) {
    src.push_back(a), dst.push_back(b);
    src.push_back(b), dst.push_back(a);
  }
};

struct CsrBench {
  std::string name;
  int64_t graphs = 1, n = 0, e = 0;
  std::vector<int32_t> rowptr, src;           // destination-grouped CSR
  std::vector<int32_t> t_rowptr, t_dst, t_eid;  // its transpose
};

inline Coo greener_shaped_graph(Mulberry32& rand, int sentences, int attrs) {
  Coo g;
  const int attr0 = 2, sent0 = 2 + attrs;
  for (int a = 0; a < attrs; ++a) {
    if (rand() < 0.5) g.both(0, attr0 + a);
    g.both(1, attr0 + a);
  }
  for (int s = 0; s < sentences; ++s) {
    const int k = 1 + (int)std::floor(rand() * 4);
    std::vector<int> seen;
    for (int j = 0; j < k; ++j) {
      const double r1 = rand(), r2 = rand();  // JS: Math.floor(attrs * rand() * rand()), left to right
      const int a = (int)std::floor(attrs * r1 * r2);
      bool dup = false;
      for (int x : seen) dup |= x == a;
      if (dup) continue;
      seen.push_back(a);
      g.both(sent0 + s, attr0 + a);
    }
  }
  g.n = sent0 + sentences;
  return g;
}

inline Coo random_graph(Mulberry32& rand, int64_t n, int64_t avg_degree) {
  Coo g;
  g.n = n;
  const int64_t e = n * avg_degree;
  g.src.resize((size_t)e), g.dst.resize((size_t)e);
  for (int64_t i = 0; i < e; ++i) {
    g.src[i] = (int32_t)std::floor(rand() * (double)n);
    g.dst[i] = (int32_t)std::floor(rand() * (double)n);
  }
  return g;
}

// addSelfLoops(existing: "replace"): drop existing loops, then append (i, i) for every node.
inline Coo with_self_loops(const Coo& g) {
  Coo out;
  out.n = g.n;
  for (size_t i = 0; i < g.src.size(); ++i)
    if (g.src[i] != g.dst[i]) out.src.push_back(g.src[i]), out.dst.push_back(g.dst[i]);
  for (int64_t i = 0; i < g.n; ++i) out.src.push_back((int32_t)i), out.dst.push_back((int32_t)i);
  return out;
}

inline CsrBench to_csr(const std::string& name, int64_t graphs, const Coo& g) {
  CsrBench c;
  c.name = name, c.graphs = graphs, c.n = g.n, c.e = (int64_t)g.src.size();
  c.rowptr.resize((size_t)(c.n + 1)), c.src.resize((size_t)c.e);
  std::vector<int32_t> eid((size_t)c.e);
  recforge::coo_to_csr(c.n, c.e, g.src.data(), g.dst.data(), c.rowptr.data(), c.src.data(), eid.data());
  c.t_rowptr.resize((size_t)(c.n + 1)), c.t_dst.resize((size_t)c.e), c.t_eid.resize((size_t)c.e);
  recforge::csr_transpose(c.n, c.n, c.rowptr.data(), c.src.data(), c.t_rowptr.data(), c.t_dst.data(),
                          c.t_eid.data());
  return c;
}

// Both graphs, generated in gnn.ts's order from one stream (the large graph's edges come after
// the 32 GREENer graphs' draws).
inline std::vector<CsrBench> gnn_bench_graphs() {
  Mulberry32 rand(1);
  Coo batch;
  for (int b = 0; b < 32; ++b) {
    const Coo g = greener_shaped_graph(rand, 450, 48);
    for (size_t i = 0; i < g.src.size(); ++i)
      batch.src.push_back((int32_t)(g.src[i] + batch.n)), batch.dst.push_back((int32_t)(g.dst[i] + batch.n));
    batch.n += g.n;
  }
  std::vector<CsrBench> out;
  out.push_back(to_csr("greener32", 32, with_self_loops(batch)));
  out.push_back(to_csr("random100k", 1, with_self_loops(random_graph(rand, 100000, 10))));
  return out;
}

// Writes <dir>/graph_<name>.{rowptr,src}.i32 (raw little-endian int32) and returns the JSON
// object describing them for graphs.json ("" on failure).
inline std::string write_graph(const CsrBench& g, const std::string& dir) {
  const std::string rp = "graph_" + g.name + ".rowptr.i32", sp = "graph_" + g.name + ".src.i32";
  auto put = [&](const std::string& f, const std::vector<int32_t>& v) {
    FILE* fp = std::fopen((dir + "/" + f).c_str(), "wb");
    if (!fp) return false;
    const bool ok = std::fwrite(v.data(), sizeof(int32_t), v.size(), fp) == v.size();
    return std::fclose(fp) == 0 && ok;
  };
  if (!put(rp, g.rowptr) || !put(sp, g.src)) return "";
  return "{\"name\": \"" + g.name + "\", \"graphs\": " + std::to_string(g.graphs) + ", \"nodes\": " +
         std::to_string(g.n) + ", \"edges\": " + std::to_string(g.e) + ", \"rowptr\": \"" + rp + "\", \"src\": \"" +
         sp + "\"}";
}

}  // namespace rfbench
