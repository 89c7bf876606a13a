// Full-ranking ranks of target items, without sorting: for row b of a contiguous score block
// [rows, n] and its target column t = targets[b],
//   rank[b] = 1 + #{ j : j not excluded, scores[b, j] > scores[b, t] }   (strictly greater)
// so ties are resolved in the target's favour (an item scored equal to the target does not
// push it down; the optimistic rank). NaN:
//   - a NaN score of another item never counts as greater (every comparison with NaN is false);
//   - a NaN target score gives the worst rank, n − n_exclude (a miss at every K below that).
// exclude: n_exclude distinct column ids never counted (e.g. the padding item 0), shared by
// every row; none of them may be a target (the binding checks this, the uniqueness and the
// ranges). One pass per row; cost O(rows·(n + n_exclude)).
#pragma once
#include <cstdint>

struct CUstream_st;

namespace recforge {

template <typename T>
void target_ranks(const T* scores, int64_t rows, int64_t n, const int32_t* targets, const int32_t* exclude,
                  int64_t n_exclude, int32_t* ranks);

// Same on DEVICE pointers, asynchronous on `stream`: one block per row (grid-stride over rows),
// its threads counting strided columns, then a block sum.
template <typename T>
void target_ranks_cuda(const T* scores, int64_t rows, int64_t n, const int32_t* targets, const int32_t* exclude,
                       int64_t n_exclude, int32_t* ranks, CUstream_st* stream);

}  // namespace recforge
