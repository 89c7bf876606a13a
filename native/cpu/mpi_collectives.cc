// MPI_COMM_WORLD's collectives for recforge.distributed: initialisation, non-blocking
// all-reduce / broadcast / barrier on caller-owned buffers, and waits with a deadline.
//
// Why non-blocking plus a polling wait: a blocking MPI_Allreduce whose peer died may never
// return (Open MPI's runtime usually kills the job, but a rank that hangs without dying, or a
// transport that never notices, leaves the others blocked for ever). Polling MPI_Test against a
// deadline turns that into an error the JavaScript side reports. The poll sleeps with a growing
// back-off (to 1 ms) so a waiting rank leaves its core to the others on an oversubscribed machine.
#include <time.h>

#include <chrono>
#include <climits>
#include <string>
#include <vector>

#include "mpi_internal.h"
#include "recforge/mpi.h"

namespace recforge {
namespace mpi {
namespace {

using detail::api;
using detail::Handle;

struct Request {
  Handle req = nullptr;
  std::string what;
  bool active = false;
};
std::vector<Request> g_requests;  // ids are indices; touched only by the thread that initialised MPI
WorldInfo g_world;
bool g_init_done = false;

Handle datatype(Elem e) {
  const auto& a = api();
  switch (e) {
    case Elem::F32: return a.t_float;
    case Elem::F64: return a.t_double;
    case Elem::I32: return a.t_int;
    default: return a.t_byte;
  }
}

bool check_count(int64_t n, std::string* error) {
  if (n < 0 || n > INT_MAX) {
    *error = "element count " + std::to_string(n) + " outside [0, 2^31): split the buffer";
    return false;
  }
  return true;
}

int64_t add_request(Handle r, const char* what) {
  for (size_t i = 0; i < g_requests.size(); i++)
    if (!g_requests[i].active) {
      g_requests[i] = {r, what, true};
      return (int64_t)i;
    }
  g_requests.push_back({r, what, true});
  return (int64_t)g_requests.size() - 1;
}

bool ready(std::string* error) {
  if (!g_init_done || !g_world.error.empty()) {
    *error = g_world.error.empty() ? "MPI is not initialised (call init first)" : g_world.error;
    return false;
  }
  return true;
}

int64_t started(int rc, Handle r, const char* what, std::string* error) {
  if (rc != detail::kSuccess) {
    *error = std::string(what) + " could not start: " + detail::error_string(rc);
    return -1;
  }
  return add_request(r, what);
}

Request* find(int64_t id, std::string* error) {
  if (id < 0 || id >= (int64_t)g_requests.size() || !g_requests[id].active) {
    *error = "unknown or completed request " + std::to_string(id);
    return nullptr;
  }
  return &g_requests[id];
}

void sleep_ns(long ns) {
  timespec ts{0, ns};
  nanosleep(&ts, nullptr);
}

}  // namespace

WorldInfo init() {
  if (g_init_done) return g_world;
  g_init_done = true;
  const auto& a = api();
  if (!a.error.empty()) {
    g_world.error = a.error;
    return g_world;
  }
  int flag = 0;
  a.Initialized(&flag);
  if (!flag) {
    int provided = 0;
    int rc = a.Init_thread(nullptr, nullptr, detail::kThreadFunneled, &provided);
    if (rc != detail::kSuccess) {
      g_world.error = "MPI_Init_thread failed: " + detail::error_string(rc);
      return g_world;
    }
  }
  // Errors come back as return codes (reported by recforge) instead of aborting inside MPI.
  a.Comm_set_errhandler(a.comm_world, a.errors_return);
  a.Comm_rank(a.comm_world, &g_world.rank);
  a.Comm_size(a.comm_world, &g_world.size);
  char ver[detail::kMaxString + 1] = {0};
  int len = 0;
  std::string v;
  if (a.Get_library_version(ver, &len) == detail::kSuccess) {
    v.assign(ver, len > 0 ? len : 0);
    if (auto nl = v.find_first_of("\r\n,"); nl != std::string::npos) v.resize(nl);
  }
  g_world.library = a.path + (v.empty() ? "" : " (" + v + ")");
  return g_world;
}

bool initialized() { return g_init_done && g_world.error.empty(); }

int64_t iallreduce_sum(void* buf, int64_t n, Elem e, const char* what, std::string* error) {
  if (!ready(error) || !check_count(n, error)) return -1;
  const auto& a = api();
  Handle r = nullptr;
  const int rc = a.Iallreduce(detail::kInPlace, buf, (int)n, datatype(e), a.op_sum, a.comm_world, &r);
  return started(rc, r, what, error);  // r read after the call (argument order is unspecified)
}

int64_t ibcast(void* buf, int64_t n, Elem e, int root, const char* what, std::string* error) {
  if (!ready(error) || !check_count(n, error)) return -1;
  if (root < 0 || root >= g_world.size) {
    *error = "root " + std::to_string(root) + " outside [0, " + std::to_string(g_world.size) + ")";
    return -1;
  }
  const auto& a = api();
  Handle r = nullptr;
  const int rc = a.Ibcast(buf, (int)n, datatype(e), root, a.comm_world, &r);
  return started(rc, r, what, error);
}

int64_t ibarrier(const char* what, std::string* error) {
  if (!ready(error)) return -1;
  const auto& a = api();
  Handle r = nullptr;
  const int rc = a.Ibarrier(a.comm_world, &r);
  return started(rc, r, what, error);
}

bool test(int64_t id, std::string* error) {
  Request* q = find(id, error);
  if (!q) return false;
  int flag = 0;
  int rc = api().Test(&q->req, &flag, nullptr);
  if (rc != detail::kSuccess) {
    *error = q->what + " failed: " + detail::error_string(rc);
    q->active = false;
    return false;
  }
  if (flag) q->active = false;
  return flag != 0;
}

WaitStatus wait(int64_t id, double timeout_s, std::string* error) {
  Request* q = find(id, error);
  if (!q) return WaitStatus::Failed;
  const std::string what = q->what;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  long back_off = 0;
  for (;;) {
    std::string err;
    if (test(id, &err)) return WaitStatus::Done;
    if (!err.empty()) {
      *error = err;
      return WaitStatus::Failed;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      *error = what + " did not complete within " + std::to_string((int)timeout_s) + " s on rank " +
               std::to_string(g_world.rank) + " of " + std::to_string(g_world.size);
      return WaitStatus::Timeout;
    }
    // Spin briefly (shared-memory collectives finish in microseconds), then back off to 1 ms.
    if (back_off > 0) sleep_ns(back_off);
    back_off = back_off == 0 ? 1000 : (back_off < 1000000 ? back_off * 2 : 1000000);
  }
}

int64_t pending() {
  int64_t n = 0;
  for (const auto& r : g_requests) n += r.active;
  return n;
}

void abort_world(int code) {
  if (!initialized()) return;
  api().Abort(api().comm_world, code);
}

void finalize() {
  if (!initialized()) return;
  int done = 0;
  api().Finalized(&done);
  if (!done) api().Finalize();
}

}  // namespace mpi
}  // namespace recforge
