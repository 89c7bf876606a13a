// Argument parser of targetRanks (recforge/ranking.h), shared by the CPU addon
// (bind_ranking.cc) and the CUDA addon (napi_cuda/bind_cuda_ranking.cc).
//
// targetRanks({dtype, rows, n, scores, targets, exclude (or null), nExclude, ranks}) -> undefined
// (native/ops.table.mjs; read through args::TargetRanks)
//   scores   dtype [rows, n] contiguous (read)
//   targets  int32 [rows]    target column per row, in [0, n)
//   exclude  int32 [nExclude] distinct columns never counted, none of them a target (null: none)
//   ranks    int32 [rows]    written
// Checks: float dtype, rows >= 0, 1 <= n < 2^31 (n = 0 only with rows = 0), 0 <= nExclude < n,
// spans, ranks overlapping no input, target / exclude ranges (first bad one named), excluded
// columns distinct and not a target (read through TensorArgs::host).
#pragma once
#include <cstdint>

#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

struct RankingArgs {
  int dtype = F32;
  int64_t rows = 0, n = 0, n_exclude = 0;
  const void* scores = nullptr;
  const int32_t *targets = nullptr, *exclude = nullptr;
  int32_t* ranks = nullptr;
};
RankingArgs ranking_args(const Napi::CallbackInfo& info, TensorArgs& mem);

}  // namespace napi
}  // namespace recforge
