// NCCL for device tensors of recforge.distributed, loaded at run time with dlopen
// (native/cuda/nccl_comm.cu): CUDA builds have no link-time NCCL dependency, and only a
// distributed run with device tensors loads it. One communicator per process (the ranks of
// MPI_COMM_WORLD; bootstrapped by broadcasting rank 0's unique id through MPI), collectives
// enqueued in place on recforge's stream, and a wait with a deadline that aborts the
// communicator when a peer never arrives. Plain C++ (no CUDA or NCCL headers needed).
#pragma once
#include <cstdint>
#include <string>

struct CUstream_st;

namespace recforge {
namespace nccl {

constexpr int kUniqueIdBytes = 128;  // sizeof(ncclUniqueId)

// "" when libnccl is loaded; else why not (naming the package and RECFORGE_NCCL).
std::string load_error();
// The loaded library's path and version ("" when none).
std::string describe();

bool unique_id(uint8_t out[kUniqueIdBytes], std::string* error);
// Creates this process's communicator of `size` ranks (collective across the ranks).
bool init(const uint8_t id[kUniqueIdBytes], int rank, int size, std::string* error);
bool initialized();

// dtype: the op table's DType codes (0 = F32, 1 = F64, 2 = I32). In place on `buf`.
bool all_reduce(void* buf, int64_t n, int dtype, bool average, CUstream_st* stream, std::string* error);
bool broadcast(void* buf, int64_t n, int dtype, int root, CUstream_st* stream, std::string* error);
// Waits for `stream` (every collective enqueued before) until `timeout_s`; on timeout or an
// asynchronous NCCL error the communicator is aborted and false returned with the reason.
bool wait(CUstream_st* stream, double timeout_s, std::string* error);
void destroy();

}  // namespace nccl
}  // namespace recforge
