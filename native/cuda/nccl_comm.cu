// NCCL loaded at run time (see recforge/nccl.h), like Open MPI for the host collectives
// (native/cpu/mpi_loader.cc) and the CPU BLAS (cblas_loader.cc). Host code only.
//
// No nccl.h at build time: the few entry points are declared here with NCCL 2's ABI, which is
// stable since 2.0: ncclUniqueId is 128 bytes passed by value, ncclComm_t a pointer, and the enums
// ncclInt32 = 2, ncclFloat32 = 7, ncclFloat64 = 8, ncclSum = 0, ncclAvg = 4 (NCCL >= 2.10; older
// versions get sum and a divide on the caller's side), ncclSuccess = 0, ncclInProgress = 7.
// Search order: $RECFORGE_NCCL (a path), libnccl.so.2, libnccl.so.
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "recforge/nccl.h"

namespace recforge {
namespace nccl {
namespace {

struct UniqueId {
  char internal[kUniqueIdBytes];
};
using Comm = void*;
using Result = int;

struct Api {
  Result (*GetUniqueId)(UniqueId*) = nullptr;
  Result (*CommInitRank)(Comm*, int, UniqueId, int) = nullptr;
  Result (*AllReduce)(const void*, void*, size_t, int, int, Comm, cudaStream_t) = nullptr;
  Result (*Broadcast)(const void*, void*, size_t, int, int, Comm, cudaStream_t) = nullptr;
  Result (*CommGetAsyncError)(Comm, Result*) = nullptr;
  Result (*CommAbort)(Comm) = nullptr;
  Result (*CommDestroy)(Comm) = nullptr;
  const char* (*GetErrorString)(Result) = nullptr;
  Result (*GetVersion)(int*) = nullptr;
  std::string path, error;
  int version = 0;
};

constexpr int kInt32 = 2, kFloat32 = 7, kFloat64 = 8, kSum = 0, kAvg = 4, kSuccess = 0, kInProgress = 7;
constexpr const char* kInstallHint =
    "install NCCL 2 (Debian/Ubuntu with NVIDIA's repository: apt-get install libnccl2; pip: nvidia-nccl-cu12) or set "
    "RECFORGE_NCCL to the path of libnccl.so.2";

Api g_api;
std::once_flag g_once;
Comm g_comm = nullptr;
int g_size = 0;

bool try_load(const char* lib, std::string* error) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    *error = dlerror();
    return false;
  }
  Api a;
  const char* missing = nullptr;
  auto sym = [&](const char* name, auto* out) {
    *out = reinterpret_cast<std::remove_reference_t<decltype(*out)>>(dlsym(h, name));
    if (!*out && !missing) missing = name;
  };
  sym("ncclGetUniqueId", &a.GetUniqueId);
  sym("ncclCommInitRank", &a.CommInitRank);
  sym("ncclAllReduce", &a.AllReduce);
  sym("ncclBroadcast", &a.Broadcast);
  sym("ncclCommGetAsyncError", &a.CommGetAsyncError);
  sym("ncclCommAbort", &a.CommAbort);
  sym("ncclCommDestroy", &a.CommDestroy);
  sym("ncclGetErrorString", &a.GetErrorString);
  sym("ncclGetVersion", &a.GetVersion);
  if (missing) {
    *error = std::string(lib) + " does not export " + missing;
    dlclose(h);
    return false;
  }
  Dl_info info;
  a.path = dladdr(reinterpret_cast<void*>(a.GetUniqueId), &info) && info.dli_fname ? info.dli_fname : lib;
  a.GetVersion(&a.version);
  g_api = a;
  return true;
}

void load() {
  std::string err;
  if (const char* env = std::getenv("RECFORGE_NCCL"); env && *env) {
    if (!try_load(env, &err)) g_api.error = "RECFORGE_NCCL=" + std::string(env) + " could not be loaded: " + err;
    return;
  }
  std::string all;
  for (const char* lib : {"libnccl.so.2", "libnccl.so"}) {
    if (try_load(lib, &err)) return;
    all += (all.empty() ? "" : "; ") + err;
  }
  g_api.error = "could not load NCCL (" + all + "): " + kInstallHint;
}

const Api& api() {
  std::call_once(g_once, load);
  return g_api;
}

std::string why(Result r) {
  const char* s = api().GetErrorString ? api().GetErrorString(r) : nullptr;
  return std::string("NCCL error ") + std::to_string(r) + (s ? std::string(" (") + s + ")" : "");
}

bool ready(std::string* error) {
  if (!api().error.empty()) {
    *error = api().error;
    return false;
  }
  if (!g_comm) {
    *error = "no NCCL communicator (initialise the process group's NCCL first)";
    return false;
  }
  return true;
}

int nccl_type(int dtype) { return dtype == 0 ? kFloat32 : dtype == 1 ? kFloat64 : kInt32; }

}  // namespace

std::string load_error() { return api().error; }

std::string describe() {
  const Api& a = api();
  if (!a.error.empty()) return "";
  const int v = a.version;  // e.g. 22105 for 2.21.5 (major*10000 + minor*100 + patch since 2.9)
  return a.path + " (NCCL " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100) + ")";
}

bool unique_id(uint8_t out[kUniqueIdBytes], std::string* error) {
  if (!api().error.empty()) {
    *error = api().error;
    return false;
  }
  UniqueId id;
  Result r = api().GetUniqueId(&id);
  if (r != kSuccess) {
    *error = "ncclGetUniqueId failed: " + why(r);
    return false;
  }
  std::memcpy(out, id.internal, kUniqueIdBytes);
  return true;
}

bool init(const uint8_t id_bytes[kUniqueIdBytes], int rank, int size, std::string* error) {
  if (!api().error.empty()) {
    *error = api().error;
    return false;
  }
  if (g_comm) {
    *error = "the NCCL communicator exists already";
    return false;
  }
  if (size < 1 || rank < 0 || rank >= size) {
    *error = "rank " + std::to_string(rank) + " outside [0, " + std::to_string(size) + ")";
    return false;
  }
  UniqueId id;
  std::memcpy(id.internal, id_bytes, kUniqueIdBytes);
  Result r = api().CommInitRank(&g_comm, size, id, rank);
  if (r != kSuccess) {
    g_comm = nullptr;
    *error = "ncclCommInitRank failed: " + why(r);
    return false;
  }
  g_size = size;
  return true;
}

bool initialized() { return g_comm != nullptr; }

bool all_reduce(void* buf, int64_t n, int dtype, bool average, CUstream_st* stream, std::string* error) {
  if (!ready(error)) return false;
  if (n < 0) {
    *error = "negative element count";
    return false;
  }
  if (average && dtype == 2) {
    *error = "an average needs a floating type";
    return false;
  }
  // ncclAvg exists from NCCL 2.10 (version code 21000); the caller divides otherwise.
  const int op = average && api().version >= 21000 ? kAvg : kSum;
  Result r = api().AllReduce(buf, buf, (size_t)n, nccl_type(dtype), op, g_comm, stream);
  if (r != kSuccess && r != kInProgress) {
    *error = "ncclAllReduce failed: " + why(r);
    return false;
  }
  if (average && op == kSum) {
    *error = "NCCL older than 2.10 has no average: reduce with sum and divide";
    return false;
  }
  return true;
}

bool broadcast(void* buf, int64_t n, int dtype, int root, CUstream_st* stream, std::string* error) {
  if (!ready(error)) return false;
  if (root < 0 || root >= g_size) {
    *error = "root " + std::to_string(root) + " outside [0, " + std::to_string(g_size) + ")";
    return false;
  }
  Result r = api().Broadcast(buf, buf, (size_t)n, nccl_type(dtype), root, g_comm, stream);
  if (r != kSuccess && r != kInProgress) {
    *error = "ncclBroadcast failed: " + why(r);
    return false;
  }
  return true;
}

bool wait(CUstream_st* stream, double timeout_s, std::string* error) {
  if (!ready(error)) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  long back_off = 0;
  for (;;) {
    cudaError_t q = cudaStreamQuery(stream);
    if (q == cudaSuccess) return true;
    if (q != cudaErrorNotReady) {
      *error = std::string("the device stream failed: ") + cudaGetErrorString(q);
      return false;
    }
    Result async = kSuccess;
    api().CommGetAsyncError(g_comm, &async);
    if (async != kSuccess && async != kInProgress) {
      *error = "NCCL reported " + why(async) + "; the communicator was aborted";
      api().CommAbort(g_comm);
      g_comm = nullptr;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      *error = "the NCCL collectives did not complete within " + std::to_string((int)timeout_s) +
               " s (a rank died or hangs); the communicator was aborted";
      api().CommAbort(g_comm);
      g_comm = nullptr;
      return false;
    }
    if (back_off > 0) {
      timespec ts{0, back_off};
      nanosleep(&ts, nullptr);
    }
    back_off = back_off == 0 ? 1000 : (back_off < 1000000 ? back_off * 2 : 1000000);
  }
}

void destroy() {
  if (g_comm) api().CommDestroy(g_comm);
  g_comm = nullptr;
}

}  // namespace nccl
}  // namespace recforge
