// GPU benchmark of the graph kernels GREENer trains with (fused GAT, segment aggregation = CSR
// SpMM, edge softmax), run by scripts/gpu-check.sh next to the plain-PyTorch anchors
// (bench/gpu/graph_anchors.py via anchors.py --graphs DIR: index_add_ / scatter_reduce GAT as
// PyG's GATConv computes it, torch.sparse CSR SpMM), on the graphs of `recforge bench gnn`
// (gnn_graphs.h: GREENer's 32-graph batch, 16000 nodes / 89456 edges, and a random graph of
// 100000 nodes / 1099992 edges). This program writes both graphs' CSR to --graphs DIR
// (graphs.json + raw int32 files) so the anchors run on the identical graphs.
//
// Every case first runs the CUDA kernels and the CPU kernels on the same fresh random inputs and
// prints the largest difference relative to the largest CPU value (the CUDA tests check the
// same on small odd graphs; this repeats it at benchmark scale), then times with CUDA events
// (2 warm-up calls, median of --reps):
//   gat_fwd / gat_fwd_bwd        gat_forward_cuda (+ gat_backward_cuda), float32, the attention
//                                layer after the projection (Wh given), slope 0.2; GREENer's
//                                H×F = 4×64 and 1×256, the large graph at 4×16 and 4×64
//   segment_sum_fwd / _fwd_bwd   segment_aggregate_cuda(Sum) with per-edge weights (SpMM), and its
//                                backward (dx and dw); F = 256 (batch), 64 (large)
//   edge_softmax_fwd / _fwd_bwd  edge_softmax_cuda (+ backward), H = 4
// Rates: GB/s on the bytes every implementation must move at least once (inputs read once,
// outputs written once; gathered rows counted once), so they are a floor-relative figure.
//
// Usage: cuda_gnn_bench [--json FILE] [--graphs DIR] [--graphs-only] [--reps N] [--batch-only]
// --graphs-only writes the graph files and exits without touching a GPU.
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "gnn_graphs.h"
#include "recforge/edge_softmax.h"
#include "recforge/gat.h"
#include "recforge/message_passing.h"
#include "recforge/random.h"

using namespace recforge;
using namespace rfbench;

namespace {

std::vector<float> host_randn(uint64_t seed, int64_t n, double stdev) {
  std::vector<float> v((size_t)n);
  random_fill<float>(RandomKind::Normal, seed, 0, v.data(), n, 0, stdev);
  return v;
}

struct DevGraph {
  DevBuf<int32_t> rowptr, src, t_rowptr, t_dst, t_eid;
  explicit DevGraph(const CsrBench& g)
      : rowptr(g.rowptr), src(g.src), t_rowptr(g.t_rowptr), t_dst(g.t_dst), t_eid(g.t_eid) {}
};

std::string graph_shape(const CsrBench& g) {
  return g.name + " N" + std::to_string(g.n) + " E" + std::to_string(g.e);
}

void print_case(const char* bench, const CsrBench& g, const std::string& extra_key, double extra, double ms_fwd,
                double ms_fwd_bwd, double check_rel, double tol) {
  JsonLine j;
  j.str("bench", bench).str("impl", "recforge").str("dtype", "f32").str("graph", g.name).num("nodes", (double)g.n)
      .num("edges", (double)g.e);
  if (!extra_key.empty()) j.num(extra_key.c_str(), extra);
  j.num("ms_fwd", ms_fwd).num("ms_fwd_bwd", ms_fwd_bwd).num("vs_cpu_rel", check_rel).boolean("vs_cpu_ok", check_rel <= tol)
      .print();
}

void bench_gat(const CsrBench& g, const DevGraph& dg, int64_t H, int64_t F, int reps, CUstream_st* s, TableRows& t) {
  const int64_t N = g.n, E = g.e, HF = H * F;
  const double slope = 0.2;
  const auto wh = host_randn(11, N * HF, 1.0), as = host_randn(12, HF, 0.1), ad = host_randn(13, HF, 0.1),
             dout = host_randn(14, N * HF, 1.0);
  // CPU reference on the same inputs.
  std::vector<float> out(N * HF), el(N * H), er(N * H), alpha(E * H), dwh(N * HF), das(HF), dad(HF);
  std::vector<float> ws_h((size_t)gat_backward_workspace_size(N, E, H, F));
  gat_forward<float>(N, H, F, g.rowptr.data(), g.src.data(), wh.data(), as.data(), ad.data(), slope, out.data(),
                     el.data(), er.data(), alpha.data());
  gat_backward<float>(N, H, F, g.rowptr.data(), g.src.data(), g.t_rowptr.data(), g.t_dst.data(), g.t_eid.data(),
                      wh.data(), as.data(), ad.data(), slope, el.data(), er.data(), alpha.data(), dout.data(),
                      dwh.data(), das.data(), dad.data(), ws_h.data());
  DevBuf<float> d_wh(wh), d_as(as), d_ad(ad), d_dout(dout), d_out(N * HF), d_el(N * H), d_er(N * H), d_alpha(E * H),
      d_dwh(N * HF), d_das(HF), d_dad(HF), d_ws(ws_h.size());
  auto fwd = [&] {
    gat_forward_cuda<float>(N, H, F, dg.rowptr.p, dg.src.p, d_wh.p, d_as.p, d_ad.p, slope, d_out.p, d_el.p, d_er.p,
                            d_alpha.p, s);
  };
  auto bwd = [&] {
    gat_backward_cuda<float>(N, H, F, dg.rowptr.p, dg.src.p, dg.t_rowptr.p, dg.t_dst.p, dg.t_eid.p, d_wh.p, d_as.p,
                             d_ad.p, slope, d_el.p, d_er.p, d_alpha.p, d_dout.p, d_dwh.p, d_das.p, d_dad.p, d_ws.p, s);
  };
  fwd();
  const double rel_f = std::max(max_diff(d_out.get(), out).rel(), max_diff(d_alpha.get(), alpha).rel());
  // The backward is checked on the CPU's saved el / er / alpha (as gat_test.cu does): a logit within
  // rounding of LeakyReLU's kink could otherwise take the other derivative branch on one side.
  RFB_CUDA(cudaMemcpy(d_el.p, el.data(), el.size() * 4, cudaMemcpyHostToDevice));
  RFB_CUDA(cudaMemcpy(d_er.p, er.data(), er.size() * 4, cudaMemcpyHostToDevice));
  RFB_CUDA(cudaMemcpy(d_alpha.p, alpha.data(), alpha.size() * 4, cudaMemcpyHostToDevice));
  bwd();
  const double rel = std::max({rel_f, max_diff(d_dwh.get(), dwh).rel(), max_diff(d_das.get(), das).rel(),
                               max_diff(d_dad.get(), dad).rel()});
  const double ms_f = time_ms(s, fwd, reps), ms_fb = time_ms(s, [&] { fwd(); bwd(); }, reps);
  JsonLine().str("bench", "gat").str("impl", "recforge").str("dtype", "f32").str("graph", g.name)
      .num("nodes", (double)N).num("edges", (double)E).num("heads", (double)H).num("features", (double)F)
      .num("ms_fwd", ms_f).num("ms_fwd_bwd", ms_fb).num("vs_cpu_rel", rel).boolean("vs_cpu_ok", rel <= 1e-4).print();
  const std::string shape = graph_shape(g) + " H" + std::to_string(H) + "xF" + std::to_string(F);
  t.add("gat_fwd", shape, ms_f, 0, 0);
  t.add("gat_fwd_bwd", shape, ms_fb, 0, 0);
}

void bench_segment_sum(const CsrBench& g, const DevGraph& dg, int64_t F, int reps, CUstream_st* s, TableRows& t) {
  const int64_t N = g.n, E = g.e;
  const auto x = host_randn(21, N * F, 1.0), w = host_randn(22, E, 1.0), dout = host_randn(23, N * F, 1.0);
  std::vector<float> out(N * F), dx(N * F), dw(E);
  segment_aggregate<float>(N, N, F, g.rowptr.data(), g.src.data(), x.data(), w.data(), ReduceOp::Sum, out.data(),
                           nullptr);
  segment_aggregate_backward<float>(N, N, F, g.rowptr.data(), g.src.data(), g.t_rowptr.data(), g.t_dst.data(),
                                    g.t_eid.data(), x.data(), w.data(), ReduceOp::Sum, nullptr, dout.data(), dx.data(),
                                    dw.data());
  DevBuf<float> d_x(x), d_w(w), d_dout(dout), d_out(N * F), d_dx(N * F), d_dw(E);
  auto fwd = [&] {
    segment_aggregate_cuda<float>(N, N, F, dg.rowptr.p, dg.src.p, d_x.p, d_w.p, ReduceOp::Sum, d_out.p, nullptr, s);
  };
  auto bwd = [&] {
    segment_aggregate_backward_cuda<float>(N, N, F, dg.rowptr.p, dg.src.p, dg.t_rowptr.p, dg.t_dst.p, dg.t_eid.p,
                                           d_x.p, d_w.p, ReduceOp::Sum, nullptr, d_dout.p, d_dx.p, d_dw.p, s);
  };
  fwd();
  bwd();
  const double rel = std::max({max_diff(d_out.get(), out).rel(), max_diff(d_dx.get(), dx).rel(),
                               max_diff(d_dw.get(), dw).rel()});
  const double ms_f = time_ms(s, fwd, reps), ms_fb = time_ms(s, [&] { fwd(); bwd(); }, reps);
  print_case("segment_sum", g, "features", (double)F, ms_f, ms_fb, rel, 1e-4);
  // forward: x, out, CSR (rowptr + src) and w; backward adds dout, dx, dw and the transposed CSR.
  const double b_f = 4.0 * (2.0 * N * F + 2.0 * E + N), b_b = b_f + 4.0 * (2.0 * N * F + 3.0 * E + N + E);
  const std::string shape = graph_shape(g) + " F" + std::to_string(F);
  t.add("segment_sum_fwd", shape, ms_f, 0, b_f);
  t.add("segment_sum_fwd_bwd", shape, ms_fb, 0, b_b);
}

void bench_edge_softmax(const CsrBench& g, const DevGraph& dg, int64_t H, int reps, CUstream_st* s, TableRows& t) {
  const int64_t N = g.n, E = g.e;
  const auto sc = host_randn(31, E * H, 1.0), da = host_randn(32, E * H, 1.0);
  std::vector<float> alpha(E * H), ds(E * H);
  edge_softmax<float>(N, H, g.rowptr.data(), sc.data(), alpha.data());
  edge_softmax_backward<float>(N, H, g.rowptr.data(), alpha.data(), da.data(), ds.data());
  DevBuf<float> d_sc(sc), d_da(da), d_alpha(E * H), d_ds(E * H);
  auto fwd = [&] { edge_softmax_cuda<float>(N, H, dg.rowptr.p, d_sc.p, d_alpha.p, s); };
  auto bwd = [&] { edge_softmax_backward_cuda<float>(N, H, dg.rowptr.p, d_alpha.p, d_da.p, d_ds.p, s); };
  fwd();
  bwd();
  const double rel = std::max(max_diff(d_alpha.get(), alpha).rel(), max_diff(d_ds.get(), ds).rel());
  const double ms_f = time_ms(s, fwd, reps), ms_fb = time_ms(s, [&] { fwd(); bwd(); }, reps);
  print_case("edge_softmax", g, "heads", (double)H, ms_f, ms_fb, rel, 1e-4);
  const double b_f = 4.0 * (2.0 * E * H + N), b_b = b_f + 4.0 * (3.0 * E * H + N);
  const std::string shape = graph_shape(g) + " H" + std::to_string(H);
  t.add("edge_softmax_fwd", shape, ms_f, 0, b_f);
  t.add("edge_softmax_fwd_bwd", shape, ms_fb, 0, b_b);
}

}  // namespace

int main(int argc, char** argv) {
  const char* json = nullptr;
  std::string dir;
  bool graphs_only = false;
  bool batch_only = false;  // only GREENer's batch graph (the CPU emulator's check of this harness)
  int reps = 10;
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--json") && more) json = argv[++i];
    else if (!std::strcmp(argv[i], "--graphs") && more) dir = argv[++i];
    else if (!std::strcmp(argv[i], "--graphs-only")) graphs_only = true;
    else if (!std::strcmp(argv[i], "--reps") && more) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--batch-only")) batch_only = true;
    else {
      std::fprintf(stderr, "unknown or incomplete argument %s\n", argv[i]);
      return 1;
    }
  }
  if (graphs_only && dir.empty()) {
    std::fprintf(stderr, "--graphs-only needs --graphs DIR\n");
    return 1;
  }
  const std::vector<CsrBench> graphs = gnn_bench_graphs();
  if (!dir.empty()) {
    std::string index = "[\n";
    for (size_t i = 0; i < graphs.size(); ++i) {
      const std::string obj = write_graph(graphs[i], dir);
      if (obj.empty()) {
        std::fprintf(stderr, "cannot write graph files under %s\n", dir.c_str());
        return 1;
      }
      index += "  " + obj + (i + 1 < graphs.size() ? ",\n" : "\n");
    }
    index += "]\n";
    FILE* f = std::fopen((dir + "/graphs.json").c_str(), "w");
    if (!f || std::fputs(index.c_str(), f) < 0 || std::fclose(f) != 0) return 1;
  }
  for (const CsrBench& g : graphs)
    JsonLine().str("graph", g.name).num("graphs", (double)g.graphs).num("nodes", (double)g.n).num("edges", (double)g.e)
        .print();
  if (graphs_only) return 0;
  CUstream_st* s = bench_stream();
  const CudaDeviceInfo info = cuda_device_info();
  std::printf("recforge graph-kernel benchmark on %s (sm_%d%d), reps %d\n", info.name.c_str(), info.major, info.minor,
              reps);
  TableRows table;
  const CsrBench &batch = graphs[0], &big = graphs[1];
  const DevGraph d_batch(batch), d_big(batch_only ? batch : big);
  const std::pair<bool, std::function<void()>> cases[] = {  // (on the large graph, the case)
      {false, [&] { bench_gat(batch, d_batch, 4, 64, reps, s, table); }},
      {false, [&] { bench_gat(batch, d_batch, 1, 256, reps, s, table); }},
      {true, [&] { bench_gat(big, d_big, 4, 16, reps, s, table); }},
      {true, [&] { bench_gat(big, d_big, 4, 64, reps, s, table); }},
      {false, [&] { bench_segment_sum(batch, d_batch, 256, reps, s, table); }},
      {true, [&] { bench_segment_sum(big, d_big, 64, reps, s, table); }},
      {false, [&] { bench_edge_softmax(batch, d_batch, 4, reps, s, table); }},
      {true, [&] { bench_edge_softmax(big, d_big, 4, reps, s, table); }},
  };
  for (const auto& [on_big, run] : cases) {
    if (on_big && batch_only) continue;
    run();
    if (json && !table.write(json)) return 1;  // after every case: a timeout keeps what finished
  }
  return 0;
}
