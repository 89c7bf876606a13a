// Bindings of recforge.distributed's MPI collectives (native/cpu/mpi_*.cc): argument checks and
// the request ids; lib/distributed/process_group.ts builds the process group on them.
// Failures are Errors whose message starts "recforge.distributed:" (timeouts included), bad
// arguments TypeErrors / RangeErrors.
#include <cstring>
#include <string>

#include "common.h"
#include "recforge/mpi.h"
#include "core_args.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {
namespace {

[[noreturn]] void fail(Napi::Env env, const std::string& msg) {
  throw Napi::Error::New(env, "recforge.distributed: " + msg);
}

double started(Napi::Env env, int64_t id, const std::string& err) {
  if (id < 0) fail(env, err);
  return (double)id;
}

double timeout_arg(FloatArg a) {
  double t = num_arg(a, "timeoutS");
  if (!(t > 0)) throw_range(a.env(), "timeoutS must be > 0 seconds, got " + std::to_string(t));
  return t;
}

Napi::Value MpiInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const mpi::WorldInfo w = mpi::init();
  auto o = Napi::Object::New(env);
  o.Set("rank", Napi::Number::New(env, w.rank));
  o.Set("size", Napi::Number::New(env, w.size));
  o.Set("library", Napi::String::New(env, w.library));
  o.Set("error", Napi::String::New(env, w.error));
  return o;
}

Napi::Value MpiAllreduceStart(const Napi::CallbackInfo& info) {
  const args::MpiAllreduceStart in(info);
  HostArgs host;
  TensorArgs& mem = host;
  const int dt = dtype_arg(in.dtype());
  const int64_t n = nonneg_arg(in.n(), "n");
  void* x = mem.span(in.x(), dt, n, "x");
  std::string err;
  return Napi::Number::New(info.Env(), started(info.Env(), mpi::iallreduce_sum(x, n, (mpi::Elem)dt, "all-reduce", &err), err));
}

Napi::Value MpiBroadcastStart(const Napi::CallbackInfo& info) {
  const args::MpiBroadcastStart in(info);
  HostArgs host;
  TensorArgs& mem = host;
  const int dt = dtype_arg(in.dtype());
  const int64_t n = nonneg_arg(in.n(), "n");
  void* x = mem.span(in.x(), dt, n, "x");
  const int64_t root = int_arg(in.root(), "root");
  std::string err;
  return Napi::Number::New(info.Env(), started(info.Env(), mpi::ibcast(x, n, (mpi::Elem)dt, (int)root, "broadcast", &err), err));
}

Napi::Value MpiBarrierStart(const Napi::CallbackInfo& info) {
  std::string err;
  return Napi::Number::New(info.Env(), started(info.Env(), mpi::ibarrier("barrier", &err), err));
}

// Blocking broadcast of a host byte array (small: NCCL's unique id, configuration).
Napi::Value MpiBroadcastBytes(const Napi::CallbackInfo& info) {
  const args::MpiBroadcastBytes in(info);
  Napi::TypedArray ta = bytes_arg(in.data(), "data");
  const int64_t root = int_arg(in.root(), "root");
  const double timeout = timeout_arg(in.timeoutS());
  char* p = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::string err;
  int64_t id = mpi::ibcast(p, (int64_t)ta.ByteLength(), mpi::Elem::Byte, (int)root, "byte broadcast", &err);
  started(info.Env(), id, err);
  if (mpi::wait(id, timeout, &err) != mpi::WaitStatus::Done) fail(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value MpiTest(const Napi::CallbackInfo& info) {
  const args::MpiTest in(info);
  std::string err;
  const bool done = mpi::test(int_arg(in.request(), "request"), &err);
  if (!err.empty()) fail(info.Env(), err);
  return Napi::Boolean::New(info.Env(), done);
}

Napi::Value MpiWait(const Napi::CallbackInfo& info) {
  const args::MpiWait in(info);
  const int64_t id = int_arg(in.request(), "request");
  const double timeout = timeout_arg(in.timeoutS());
  std::string err;
  if (mpi::wait(id, timeout, &err) != mpi::WaitStatus::Done) fail(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value MpiAbort(const Napi::CallbackInfo& info) {
  mpi::abort_world((int)int_arg(args::MpiAbort(info).code(), "code"));
  return info.Env().Undefined();
}

Napi::Value MpiFinalize(const Napi::CallbackInfo& info) {
  mpi::finalize();
  return info.Env().Undefined();
}

}  // namespace

RECFORGE_BIND(mpiInit, MpiInit)
RECFORGE_BIND(mpiAllreduceStart, MpiAllreduceStart)
RECFORGE_BIND(mpiBroadcastStart, MpiBroadcastStart)
RECFORGE_BIND(mpiBarrierStart, MpiBarrierStart)
RECFORGE_BIND(mpiBroadcastBytes, MpiBroadcastBytes)
RECFORGE_BIND(mpiTest, MpiTest)
RECFORGE_BIND(mpiWait, MpiWait)
RECFORGE_BIND(mpiAbort, MpiAbort)
RECFORGE_BIND(mpiFinalize, MpiFinalize)

}  // namespace napi
}  // namespace recforge
