// NCCL through recforge's run-time loader (native/cuda/nccl_comm.cu).
// With libnccl present (a GPU machine; scripts/gpu-check.sh sets RECFORGE_NCCL where it finds one
// and RECFORGE_NCCL_REQUIRED=1): a single-rank communicator on the one device — all-reduce sum and
// average (float32 and float64, odd sizes) leave the data unchanged, int32 sum too, a broadcast from
// rank 0 keeps it, the wait completes, bad arguments are refused, and the communicator is destroyed.
// Without libnccl (the CPU emulator, CI): the error names the package and RECFORGE_NCCL, and every
// collective is refused with it; with RECFORGE_NCCL_REQUIRED=1 that is a failure.
#include <cstdlib>
#include <string>
#include <vector>

#include "cuda_test_util.h"
#include "recforge/nccl.h"

using namespace recforge;
using namespace cudatest;

template <typename T>
static void round_trip(const char* what, int dtype, int64_t n, bool average, bool bcast) {
  auto* s = stream();
  std::string err;
  std::vector<T> h(n), back(n, T(-7));
  for (int64_t i = 0; i < n; i++) h[i] = (T)((i * 37) % 101) - (T)50 + (T)(dtype == 2 ? 0 : 0.25);
  void* d = cuda_alloc(n * sizeof(T), s, &err);
  RF_CHECK(d, "%s", err.c_str());
  RF_CHECK(cuda_copy_to_device(d, h.data(), n * sizeof(T), s, &err), "%s", err.c_str());
  bool ok = bcast ? nccl::broadcast(d, n, dtype, 0, s, &err) : nccl::all_reduce(d, n, dtype, average, s, &err);
  RF_CHECK(ok, "%s: %s", what, err.c_str());
  RF_CHECK(nccl::wait(s, 60, &err), "%s wait: %s", what, err.c_str());
  RF_CHECK(cuda_copy_to_host(back.data(), d, n * sizeof(T), s, &err), "%s", err.c_str());
  for (int64_t i = 0; i < n; i++) RF_CHECK(back[i] == h[i], "%s: element %lld changed", what, (long long)i);
  cuda_free(d, s);
}

int main() {
  const bool required = std::getenv("RECFORGE_NCCL_REQUIRED") && std::string(std::getenv("RECFORGE_NCCL_REQUIRED")) == "1";
  std::string err;
  const std::string load = nccl::load_error();
  if (!load.empty()) {
    RF_CHECK(!required, "NCCL is required here but could not be loaded: %s", load.c_str());
    RF_CHECK(load.find("RECFORGE_NCCL") != std::string::npos, "the error does not name RECFORGE_NCCL: %s", load.c_str());
    uint8_t id[nccl::kUniqueIdBytes];
    RF_CHECK(!nccl::unique_id(id, &err) && err == load, "unique_id without NCCL: %s", err.c_str());
    RF_CHECK(!nccl::init(id, 0, 1, &err) && err == load, "init without NCCL: %s", err.c_str());
    float x = 0;
    RF_CHECK(!nccl::all_reduce(&x, 1, 0, false, stream(), &err), "all_reduce without NCCL succeeded");
    std::printf("NCCL absent (%s): the error path is checked; RECFORGE_NCCL_REQUIRED=1 makes this a failure\n", load.c_str());
    std::printf("nccl_test: ok (error path)\n");
    return 0;
  }
  std::printf("NCCL: %s\n", nccl::describe().c_str());
  uint8_t id[nccl::kUniqueIdBytes];
  RF_CHECK(nccl::unique_id(id, &err), "%s", err.c_str());
  float x = 0;
  RF_CHECK(!nccl::all_reduce(&x, 1, 0, false, stream(), &err), "a collective before init was accepted");
  RF_CHECK(!nccl::init(id, 1, 1, &err), "rank 1 of 1 was accepted");
  RF_CHECK(nccl::init(id, 0, 1, &err), "ncclCommInitRank (1 rank): %s", err.c_str());
  RF_CHECK(nccl::initialized(), "not initialised");
  round_trip<float>("all-reduce sum f32", 0, 1000003, false, false);
  round_trip<float>("all-reduce avg f32", 0, 4097, true, false);
  round_trip<double>("all-reduce sum f64", 1, 77, false, false);
  round_trip<double>("all-reduce avg f64", 1, 1, true, false);
  round_trip<int32_t>("all-reduce sum i32", 2, 333, false, false);
  round_trip<float>("broadcast f32", 0, 12345, false, true);
  RF_CHECK(!nccl::broadcast(&x, 1, 0, 1, stream(), &err), "root 1 of 1 was accepted");
  RF_CHECK(!nccl::all_reduce(&x, 1, 2, true, stream(), &err), "an int32 average was accepted");
  nccl::destroy();
  RF_CHECK(!nccl::initialized(), "destroy");
  std::printf("nccl_test: ok (single-rank communicator)\n");
  return 0;
}
