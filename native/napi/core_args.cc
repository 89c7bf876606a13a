// Helpers of the core op parsers (core_args.h), shared by the two addons.
#include "core_args.h"

#include <string>

namespace recforge {
namespace napi {

int64_t nonneg_arg(IntArg a, const char* what) {
  int64_t v = int_arg(a, what);
  if (v < 0) throw_range(a.env(), std::string(what) + " must be >= 0, got " + std::to_string(v));
  return v;
}

uint64_t u64_arg(IntArg a, const char* what) {
  int64_t v = int_arg(a, what);
  if (v < 0) throw_range(a.env(), std::string(what) + " must be >= 0");
  return (uint64_t)v;
}

void require_float(Napi::Env env, int dtype) {
  if (dtype != F32 && dtype != F64) throw_type(env, std::string("expected a float dtype, got ") + dtype_name(dtype));
}

std::vector<int64_t> shape_arg(IntsArg a) {
  auto s = ints_arg(a, "shape");
  if (s.size() > (size_t)kMaxDims) throw_range(a.env(), "at most 6 dims are supported, got shape " + shape_str(s));
  for (auto v : s)
    if (v < 0) throw_range(a.env(), "negative dimension in shape " + shape_str(s));
  return s;
}

int64_t strided_extent(Napi::Env env, const std::vector<int64_t>& shape, const std::vector<int64_t>& st,
                       const char* what) {
  if (st.size() != shape.size())
    throw_range(env, std::string(what) + ": strides " + shape_str(st) + " do not match shape " + shape_str(shape));
  int64_t ext = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return 0;
    if (st[d] < 0) throw_range(env, std::string(what) + ": negative stride " + std::to_string(st[d]));
    ext += (shape[d] - 1) * st[d];
  }
  return ext + 1;
}

void check_indices(Napi::Env env, TensorArgs& mem, const int32_t* idx, int64_t n, int64_t limit, const char* what) {
  const TensorArgs::BadIndex bad = mem.find_bad_index(env, idx, n, limit, false, 0, what);
  if (bad.position >= 0)
    throw_range(env, std::string(what) + ": index " + std::to_string(bad.value) + " at position " +
                         std::to_string(bad.position) + " is out of range [0, " + std::to_string(limit) + ")");
}

}  // namespace napi
}  // namespace recforge
