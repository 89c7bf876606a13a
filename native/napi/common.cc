#include "common.h"

#include "handle_table.h"

#include <cmath>
#include <sstream>
#include <utility>

namespace recforge {
namespace napi {

void throw_type(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, "recforge: " + msg); }
void throw_range(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, "recforge: " + msg); }

Storage* storage_value(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw_type(env, std::string(what) + ": expected a tensor storage handle");
  const double h = v.As<Napi::Number>().DoubleValue();
  auto* s = storage_lookup(h);
  if (!s || s->freed) {
    // Another addon's handle (its device tag differs): say which device the tensor is on.
    const int dev = handle_device(h);
    if (dev >= 0 && dev != addon_device()) {
      const char* names[] = {"cpu", "cuda"};
      throw_type(env, std::string(what) + ": tensor is on " + names[dev] + " but this op runs on " +
                          names[addon_device()] + " (move it with .to(\"" + names[addon_device()] + "\"))");
    }
    throw_type(env, std::string(what) + ": tensor storage was already disposed (or the handle is invalid)");
  }
  return s;
}

Storage* storage_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return storage_value(info.Env(), info[i], what);  // info[i] is undefined past the last argument
}

int64_t int_value(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw_type(env, std::string(what) + ": expected an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
    throw_range(env, std::string(what) + ": expected an integer, got " + std::to_string(d));
  return (int64_t)d;
}

int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what) { return int_value(info.Env(), info[i], what); }

double num_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw_type(info.Env(), std::string(what) + ": expected a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsBoolean()) throw_type(info.Env(), std::string(what) + ": expected a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::vector<int64_t> ints_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  std::vector<int64_t> out;
  if (i >= info.Length()) throw_type(info.Env(), std::string(what) + ": missing integer list");
  if (info[i].IsTypedArray()) {
    auto ta = info[i].As<Napi::TypedArray>();
    if (ta.TypedArrayType() == napi_int32_array) {
      auto a = info[i].As<Napi::Int32Array>();
      out.assign(a.Data(), a.Data() + a.ElementLength());
      return out;
    }
    throw_type(info.Env(), std::string(what) + ": expected an Int32Array or an array of integers");
  }
  if (!info[i].IsArray()) throw_type(info.Env(), std::string(what) + ": expected an array of integers");
  auto arr = info[i].As<Napi::Array>();
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) throw_type(info.Env(), std::string(what) + ": expected an array of integers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != std::floor(d)) throw_range(info.Env(), std::string(what) + ": non-integer entry");
    out.push_back((int64_t)d);
  }
  return out;
}

int dtype_arg(const Napi::CallbackInfo& info, size_t i) {
  int64_t d = int_arg(info, i, "dtype");
  if (d < 0 || d > 2) throw_range(info.Env(), "unknown dtype code " + std::to_string(d));
  return (int)d;
}

void* span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                 const char* what) {
  Storage* s = storage_value(env, handle, what);
  int64_t off = int_value(env, offset, what);
  if (s->device != 0) throw_type(env, std::string(what) + ": tensor is not on the cpu");
  int64_t cap = (int64_t)(s->nbytes / dtype_size(dtype));
  // An empty span touches no memory, whatever its offset: views of empty tensors keep the
  // offset of their position (slice(zeros([0, 3]), 1, 1) has offset 1 into 0 elements).
  // Hand back the block's base so no out-of-range pointer is ever formed.
  if (numel == 0 && off >= 0) return s->ptr;
  if (off < 0 || numel < 0 || off + numel > cap) {
    std::ostringstream m;
    m << what << ": needs elements [" << off << ", " << off + numel << ") of " << dtype_name(dtype)
      << " but the storage holds " << cap;
    throw_range(env, m.str());
  }
  return static_cast<char*>(s->ptr) + off * (int64_t)dtype_size(dtype);
}

void* span_arg(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return span_value(info.Env(), info[i], info[i + 1], dtype, numel, what);
}

size_t tensors_count(TensorsArg a, const char* what) {
  const Napi::Value v = (*a.info)[a.i];
  if (!v.IsArray() || v.As<Napi::Array>().Length() % 2 != 0)
    throw_type(a.env(), std::string(what) + ": expected a list of tensors");
  return v.As<Napi::Array>().Length() / 2;
}

int64_t prod(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

std::string shape_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

double handle_arg(HandleArg a, const char* what) {
  const Napi::CallbackInfo& info = *a.info;
  if (a.i >= info.Length() || !info[a.i].IsNumber()) throw_type(info.Env(), std::string(what) + ": expected a storage handle");
  return info[a.i].As<Napi::Number>().DoubleValue();
}

Napi::TypedArray bytes_arg(BytesArg a, const char* what) {
  const Napi::CallbackInfo& info = *a.info;
  if (a.i >= info.Length() || !info[a.i].IsTypedArray()) throw_type(info.Env(), std::string(what) + ": expected a typed array");
  return info[a.i].As<Napi::TypedArray>();
}

}  // namespace napi
}  // namespace recforge
