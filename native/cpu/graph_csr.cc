// Counting-sort construction of the destination CSR and its transpose (see graph_csr.h).
#include "recforge/graph_csr.h"

namespace recforge {
namespace {

// Turns per-key counts stored in ptr[k + 1] into row starts ptr[k] (ptr[0] = 0).
void counts_to_offsets(int64_t n_keys, int32_t* ptr) {
  ptr[0] = 0;
  for (int64_t k = 0; k < n_keys; ++k) ptr[k + 1] += ptr[k];
}

}  // namespace

void coo_to_csr(int64_t n_dst, int64_t n_edges, const int32_t* src, const int32_t* dst, int32_t* rowptr,
                int32_t* csr_src, int32_t* eid) {
  for (int64_t d = 0; d <= n_dst; ++d) rowptr[d] = 0;
  for (int64_t i = 0; i < n_edges; ++i) ++rowptr[dst[i] + 1];
  counts_to_offsets(n_dst, rowptr);
  // rowptr[d] serves as the fill cursor of row d, which leaves it at the start of row d + 1;
  // shifting by one row afterwards restores the starts without a separate cursor array.
  for (int64_t i = 0; i < n_edges; ++i) {
    int32_t pos = rowptr[dst[i]]++;
    csr_src[pos] = src[i];
    eid[pos] = (int32_t)i;
  }
  for (int64_t d = n_dst; d > 0; --d) rowptr[d] = rowptr[d - 1];
  rowptr[0] = 0;
}

void csr_transpose(int64_t n_dst, int64_t n_src, const int32_t* rowptr, const int32_t* src, int32_t* t_rowptr,
                   int32_t* t_dst, int32_t* t_eid) {
  const int64_t n_edges = rowptr[n_dst];
  for (int64_t s = 0; s <= n_src; ++s) t_rowptr[s] = 0;
  for (int64_t e = 0; e < n_edges; ++e) ++t_rowptr[src[e] + 1];
  counts_to_offsets(n_src, t_rowptr);
  for (int64_t d = 0; d < n_dst; ++d) {
    for (int64_t e = rowptr[d]; e < rowptr[d + 1]; ++e) {
      int32_t pos = t_rowptr[src[e]]++;
      t_dst[pos] = (int32_t)d;
      t_eid[pos] = (int32_t)e;
    }
  }
  for (int64_t s = n_src; s > 0; --s) t_rowptr[s] = t_rowptr[s - 1];
  t_rowptr[0] = 0;
}

}  // namespace recforge
