// GPU benchmark of MultiBalance's fused gradient balancing (balance_gradients_cuda, float32),
// run by scripts/gpu-check.sh next to its plain-PyTorch anchor (anchors.py --balance: norms with
// torch.linalg.vector_norm, the same state update, then w @ G). Shapes: T = 4 task gradients of
// N = B·d = 2048·128 elements (the synthetic industrial shape of `recforge bench balance`) and of
// N = 2^24 (large enough to measure bandwidth). The kernel makes exactly two passes over G, so
// its floor is (2·T + 1)·N·4 bytes; GB/s below counts those bytes.
// Before timing, the first step is compared with the CPU kernel on the same inputs (weights and
// out, relative to their largest value; verdict printed, not fatal).
// Usage: cuda_balance_bench [--json FILE] [--reps N] [--sizes N1,N2,...]
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "recforge/balance_gradients.h"
#include "recforge/random.h"

using namespace recforge;
using namespace rfbench;

namespace {

void bench_case(int64_t T, int64_t N, int reps, CUstream_st* s, TableRows& table) {
  std::vector<float> G((size_t)(T * N));
  for (int64_t i = 0; i < T; ++i)  // tasks with gradients of different magnitudes, as MultiBalance sees
    random_fill<float>(RandomKind::Normal, 40 + (uint64_t)i, 0, G.data() + i * N, N, 0, std::pow(4.0, (double)i));
  BalanceParams p;  // beta 0.9, relax 0.7, reference = task 0, both directions
  std::vector<double> m(T, 0.0), w(T), norms(T);
  std::vector<int32_t> init(T, 0);
  std::vector<float> out((size_t)N);
  const BalanceStatus st = balance_gradients<float>(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(),
                                                    norms.data());
  DevBuf<float> d_G(G), d_out((size_t)N);
  DevBuf<double> d_m(std::vector<double>(T, 0.0)), d_w((size_t)T), d_n((size_t)T);
  DevBuf<int32_t> d_init(std::vector<int32_t>(T, 0)), d_status(2);
  DevBuf<char> d_ws((size_t)balance_gradients_cuda_workspace_bytes(T, N));
  auto step = [&] {
    balance_gradients_cuda<float>(d_G.p, T, N, d_m.p, d_init.p, p, d_out.p, d_w.p, d_n.p, d_status.p, d_ws.p, s);
  };
  step();
  const double rel = std::max(max_diff(d_w.get(), w).rel(), max_diff(d_out.get(), out).rel());
  const auto status = d_status.get();
  const double ms = time_ms(s, step, reps);
  const double bytes = (2.0 * T + 1.0) * N * 4.0;
  JsonLine().str("bench", "balance_gradients").str("impl", "recforge").str("dtype", "f32").num("tasks", (double)T)
      .num("elements", (double)N).num("ms", ms).num("gbps", bytes / ms / 1e6).num("vs_cpu_rel", rel)
      .boolean("vs_cpu_ok", st.ok() && status[0] == 0 && rel <= 1e-5).print();
  table.add("balance_gradients", "T" + std::to_string(T) + " N" + std::to_string(N), ms, 0, bytes);
}

}  // namespace

int main(int argc, char** argv) {
  const char* json = nullptr;
  int reps = 20;
  std::vector<int64_t> sizes = {int64_t(2048) * 128, int64_t(1) << 24};
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--json") && more) json = argv[++i];
    else if (!std::strcmp(argv[i], "--reps") && more) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--sizes") && more) {  // comma-separated N (the CPU emulator uses a toy one)
      sizes.clear();
      for (char* p = std::strtok(argv[++i], ","); p; p = std::strtok(nullptr, ",")) sizes.push_back(std::max(1LL, std::atoll(p)));
    } else {
      std::fprintf(stderr, "unknown or incomplete argument %s\n", argv[i]);
      return 1;
    }
  }
  CUstream_st* s = bench_stream();
  const CudaDeviceInfo info = cuda_device_info();
  std::printf("recforge balance_gradients benchmark on %s (sm_%d%d), reps %d\n", info.name.c_str(), info.major,
              info.minor, reps);
  TableRows table;
  for (int64_t N : sizes) {
    bench_case(4, N, reps, s, table);
    if (json && !table.write(json)) return 1;
  }
  return 0;
}
