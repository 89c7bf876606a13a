// The MPI entry points recforge calls, resolved with dlsym (mpi_loader.cc). No mpi.h is needed
// at build time: the handle types and constants below are Open MPI's ABI (libmpi.so.40, Open MPI
// 3.x-5.x), where every handle (MPI_Comm, MPI_Datatype, MPI_Op, MPI_Request) is a pointer and the
// predefined ones are the addresses of exported globals (MPI_COMM_WORLD = &ompi_mpi_comm_world).
// MPICH's ABI (integer handles) is different; the loader refuses a libmpi without those globals.
#pragma once
#include <string>

namespace recforge {
namespace mpi {
namespace detail {

using Handle = void*;  // MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler, MPI_Request

// Open MPI's constants (mpi.h): MPI_IN_PLACE is (void*)1, MPI_STATUS_IGNORE is NULL,
// MPI_THREAD_FUNNELED is 1, MPI_SUCCESS is 0, MPI_MAX_ERROR_STRING / MPI_MAX_LIBRARY_VERSION_STRING 256.
inline void* const kInPlace = reinterpret_cast<void*>(1);
constexpr int kThreadFunneled = 1;
constexpr int kSuccess = 0;
constexpr int kMaxString = 256;

struct Api {
  int (*Init_thread)(int*, char***, int, int*) = nullptr;
  int (*Initialized)(int*) = nullptr;
  int (*Finalized)(int*) = nullptr;
  int (*Finalize)() = nullptr;
  int (*Abort)(Handle, int) = nullptr;
  int (*Comm_rank)(Handle, int*) = nullptr;
  int (*Comm_size)(Handle, int*) = nullptr;
  int (*Comm_set_errhandler)(Handle, Handle) = nullptr;
  int (*Iallreduce)(const void*, void*, int, Handle, Handle, Handle, Handle*) = nullptr;
  int (*Ibcast)(void*, int, Handle, int, Handle, Handle*) = nullptr;
  int (*Ibarrier)(Handle, Handle*) = nullptr;
  int (*Test)(Handle*, int*, void*) = nullptr;
  int (*Error_string)(int, char*, int*) = nullptr;
  int (*Get_library_version)(char*, int*) = nullptr;
  // Predefined handles: addresses of Open MPI's globals.
  Handle comm_world = nullptr, t_float = nullptr, t_double = nullptr, t_int = nullptr, t_byte = nullptr,
         op_sum = nullptr, errors_return = nullptr;
  std::string path;   // the library loaded
  std::string error;  // why none could be loaded
};

// Loads libmpi once (thread-safe); api().error is non-empty when it failed.
const Api& api();
// MPI_Error_string of a return code.
std::string error_string(int code);

}  // namespace detail
}  // namespace mpi
}  // namespace recforge
