#include "ranking_args.h"

#include <algorithm>
#include <string>
#include <vector>

namespace recforge {
namespace napi {

RankingArgs ranking_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::TargetRanks f(info);
  Napi::Env env = info.Env();
  RankingArgs a;
  a.dtype = dtype_arg(f.dtype());
  if (a.dtype != F32 && a.dtype != F64)
    throw_type(env, std::string("targetRanks: expected a float dtype, got ") + dtype_name(a.dtype));
  const int64_t rows = a.rows = int_arg(f.rows(), "targetRanks rows");
  const int64_t n = a.n = int_arg(f.n(), "targetRanks n");
  const bool has_exclude = !is_null(f.exclude());
  const int64_t ne = a.n_exclude = has_exclude ? int_arg(f.nExclude(), "targetRanks nExclude") : 0;
  if (rows < 0) throw_range(env, "targetRanks: rows must be >= 0, got " + std::to_string(rows));
  if (n < 0 || n > 0x7fffffff) throw_range(env, "targetRanks: n must be in [0, 2^31), got " + std::to_string(n));
  if (n == 0 && rows > 0) throw_range(env, "targetRanks: " + std::to_string(rows) + " rows of 0 items have no target");
  if ((double)rows * (double)n > 9007199254740991.0) throw_range(env, "targetRanks: rows*n is too large");
  if (ne < 0 || (ne >= n && ne > 0))
    throw_range(env, "targetRanks: nExclude must be in [0, n) = [0, " + std::to_string(n) + "), got " +
                         std::to_string(ne));
  a.scores = mem.span(f.scores(), a.dtype, rows * n, "targetRanks scores");
  a.targets = mem.typed<int32_t>(f.targets(), I32, rows, "targetRanks targets");
  a.exclude = has_exclude ? mem.typed<int32_t>(required(f.exclude()), I32, ne, "targetRanks exclude") : nullptr;
  a.ranks = mem.typed<int32_t>(f.ranks(), I32, rows, "targetRanks ranks");
  const ByteRange rr{"ranks", a.ranks, rows * 4}, rs{"scores", a.scores, rows * n * (int64_t)dtype_size(a.dtype)},
      rt{"targets", a.targets, rows * 4}, re{"exclude", a.exclude, ne * 4};
  for (const ByteRange* o : {&rs, &rt, &re})
    if (overlaps(rr, *o)) throw_range(env, std::string("targetRanks: ranks overlaps ") + o->what);

  const TensorArgs::BadIndex bt = mem.find_bad_index(env, a.targets, rows, n, false, 0, "targetRanks targets");
  if (bt.position >= 0)
    throw_range(env, "targetRanks: target " + std::to_string(bt.value) + " of row " + std::to_string(bt.position) +
                         " is out of range [0, " + std::to_string(n) + ")");
  if (ne > 0) {
    const TensorArgs::BadIndex be = mem.find_bad_index(env, a.exclude, ne, n, false, 0, "targetRanks exclude");
    if (be.position >= 0)
      throw_range(env, "targetRanks: excluded item " + std::to_string(be.value) + " at position " +
                           std::to_string(be.position) + " is out of range [0, " + std::to_string(n) + ")");
    const int32_t* ex = mem.host_view(env, a.exclude, ne, "targetRanks exclude");
    std::vector<int32_t> sorted(ex, ex + ne);
    std::sort(sorted.begin(), sorted.end());
    const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    if (dup != sorted.end())
      throw_range(env, "targetRanks: excluded item " + std::to_string(*dup) + " is listed twice");
    const int32_t* t = mem.host_view(env, a.targets, rows, "targetRanks targets");
    for (int64_t r = 0; r < rows; ++r)
      if (std::binary_search(sorted.begin(), sorted.end(), t[r]))
        throw_range(env, "targetRanks: the target of row " + std::to_string(r) + " (item " + std::to_string(t[r]) +
                             ") is an excluded item");
  }
  return a;
}

}  // namespace napi
}  // namespace recforge
