// recforge's use of MPI (Open MPI), loaded at run time with dlopen like the BLAS
// (native/cpu/mpi_loader.cc): a build has no link-time MPI dependency, and a single-process
// install never loads it. Plain C++ on pointers and sizes, no Node-API.
//
// Collectives run on MPI_COMM_WORLD, non-blocking (MPI_Iallreduce / MPI_Ibcast / MPI_Ibarrier),
// so a caller can start one and wait for it later (gradient buckets during backward), and every
// wait has a deadline: a rank that died or hangs makes the others fail with an error instead of
// waiting for ever (native/cpu/mpi_collectives.cc).
#pragma once
#include <cstdint>
#include <string>

namespace recforge {
namespace mpi {

// Element types of a collective (the op table's DType codes: 0 = F32, 1 = F64, 2 = I32).
enum class Elem : int { F32 = 0, F64 = 1, I32 = 2, Byte = 3 };

struct WorldInfo {
  int rank = 0;
  int size = 1;
  std::string library;  // path of the loaded libmpi and MPI_Get_library_version's first line
  std::string error;    // non-empty when MPI could not be loaded or initialised
};

// Loads libmpi ($RECFORGE_MPI, else libmpi.so.40, libmpi.so) and calls MPI_Init_thread once
// (FUNNELED: only the thread that initialised calls MPI). Returns the error instead of throwing.
WorldInfo init();
bool initialized();

// Starts a collective on `n` elements at `buf` (in place) and returns a request id >= 0,
// or -1 with *error set. `what` names the collective in a later timeout message.
int64_t iallreduce_sum(void* buf, int64_t n, Elem e, const char* what, std::string* error);
int64_t ibcast(void* buf, int64_t n, Elem e, int root, const char* what, std::string* error);
int64_t ibarrier(const char* what, std::string* error);

enum class WaitStatus { Done, Timeout, Failed };
// Polls request `id` until it completes or `timeout_s` passes (then the request is left
// pending: the process is expected to abort). *error describes a failure or timeout.
WaitStatus wait(int64_t id, double timeout_s, std::string* error);
// One poll: true when done (the request is released), false when still pending.
bool test(int64_t id, std::string* error);
int64_t pending();  // requests started and not yet completed

void abort_world(int code);  // MPI_Abort(MPI_COMM_WORLD, code): ends every rank
void finalize();             // MPI_Finalize when initialised and not finalised

}  // namespace mpi
}  // namespace recforge
