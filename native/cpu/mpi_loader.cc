// Finds Open MPI's libmpi at run time with dlopen (the pattern of cblas_loader.cc): recforge
// builds need no MPI headers or library, a single-process install never loads one, and a
// distributed run on a machine without it gets an error naming the package to install.
//
// Search order: $RECFORGE_MPI (a path), libmpi.so.40, libmpi.so. RTLD_GLOBAL, unlike the BLAS:
// Open MPI dlopens its own components (transports, collectives), which resolve libmpi's and
// libopen-pal's symbols from the global namespace; with RTLD_LOCAL MPI_Init fails to load them.
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "mpi_internal.h"

namespace recforge {
namespace mpi {
namespace detail {
namespace {

Api g_api;
std::once_flag g_once;

constexpr const char* kInstallHint =
    "install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3) or set RECFORGE_MPI to the path of "
    "Open MPI's libmpi.so";

template <typename F>
bool sym(void* h, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(h, name));
  if (!*out && missing->empty()) *missing = name;
  return *out != nullptr;
}

bool try_load(const char* lib, std::string* error) {
  void* h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
  if (!h) {
    *error = dlerror();
    return false;
  }
  Api a;
  std::string missing;
  sym(h, "MPI_Init_thread", &a.Init_thread, &missing);
  sym(h, "MPI_Initialized", &a.Initialized, &missing);
  sym(h, "MPI_Finalized", &a.Finalized, &missing);
  sym(h, "MPI_Finalize", &a.Finalize, &missing);
  sym(h, "MPI_Abort", &a.Abort, &missing);
  sym(h, "MPI_Comm_rank", &a.Comm_rank, &missing);
  sym(h, "MPI_Comm_size", &a.Comm_size, &missing);
  sym(h, "MPI_Comm_set_errhandler", &a.Comm_set_errhandler, &missing);
  sym(h, "MPI_Iallreduce", &a.Iallreduce, &missing);
  sym(h, "MPI_Ibcast", &a.Ibcast, &missing);
  sym(h, "MPI_Ibarrier", &a.Ibarrier, &missing);
  sym(h, "MPI_Test", &a.Test, &missing);
  sym(h, "MPI_Error_string", &a.Error_string, &missing);
  sym(h, "MPI_Get_library_version", &a.Get_library_version, &missing);
  // Open MPI's predefined handles; their absence means another MPI (MPICH: integer handles).
  sym(h, "ompi_mpi_comm_world", &a.comm_world, &missing);
  sym(h, "ompi_mpi_float", &a.t_float, &missing);
  sym(h, "ompi_mpi_double", &a.t_double, &missing);
  sym(h, "ompi_mpi_int", &a.t_int, &missing);
  sym(h, "ompi_mpi_byte", &a.t_byte, &missing);
  sym(h, "ompi_mpi_op_sum", &a.op_sum, &missing);
  sym(h, "ompi_mpi_errors_return", &a.errors_return, &missing);
  if (!missing.empty()) {
    *error = std::string(lib) + " does not export " + missing + " (recforge needs Open MPI's ABI; MPICH is not supported)";
    dlclose(h);
    return false;
  }
  Dl_info info;
  a.path = dladdr(reinterpret_cast<void*>(a.Init_thread), &info) && info.dli_fname ? info.dli_fname : lib;
  g_api = a;
  return true;  // the handle stays open for the life of the process
}

void load() {
  std::string err;
  if (const char* env = std::getenv("RECFORGE_MPI"); env && *env) {
    if (!try_load(env, &err)) g_api.error = "RECFORGE_MPI=" + std::string(env) + " could not be loaded: " + err;
    return;
  }
  std::string all;
  for (const char* lib : {"libmpi.so.40", "libmpi.so"}) {
    if (try_load(lib, &err)) return;
    all += (all.empty() ? "" : "; ") + err;
  }
  g_api.error = "could not load Open MPI's libmpi (" + all + "): " + kInstallHint;
}

}  // namespace

const Api& api() {
  std::call_once(g_once, load);
  return g_api;
}

std::string error_string(int code) {
  const Api& a = api();
  char buf[kMaxString + 1] = {0};
  int len = 0;
  if (a.Error_string && a.Error_string(code, buf, &len) == kSuccess) return std::string(buf, len > 0 ? len : 0);
  return "MPI error " + std::to_string(code);
}

}  // namespace detail
}  // namespace mpi
}  // namespace recforge
