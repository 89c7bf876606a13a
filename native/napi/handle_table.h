// The numeric storage handles JS holds (see Storage in common.h for why not Externals),
// shared by the CPU addon (bind_storage.cc) and the CUDA addon (napi_cuda/bind_cuda_storage.cc).
// Each addon owns one table; the encoding keeps their numbers disjoint:
//
//   handle = device * 2^52 + generation * 2^24 + slot
//
// device 0 (cpu) or 1 (cuda), generation in [0, 2^28), slot < 2^24; every handle is an
// integer below 2^53, exact in a double. A table only accepts handles carrying its own
// device tag, so a CUDA handle given to the CPU addon (or the reverse) is rejected by the
// tag before any slot is looked at, and handle_device() lets the caller say which device
// the tensor is on. The generation detects stale handles (a slot reused after free).
#pragma once
#include <cmath>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "common.h"

namespace recforge {
namespace napi {

constexpr double kHandleSlotSpan = 16777216.0;          // 2^24
constexpr double kHandleDeviceSpan = 4503599627370496.0;  // 2^52
constexpr uint32_t kHandleGenMask = 0x0FFFFFFF;          // 28 bits: 24 + 28 = 52
constexpr int kHandleDevices = 2;                         // tags 0 (cpu) and 1 (cuda)

// The device tag of a well-formed handle, or -1 when h is not one (negative, fractional,
// NaN, too large).
inline int handle_device(double h) {
  if (!(h >= 0) || h != std::floor(h) || h >= kHandleDeviceSpan * kHandleDevices) return -1;
  return (int)(h / kHandleDeviceSpan);
}

class HandleTable {
 public:
  explicit HandleTable(int device) : device_(device) {}

  double add(const Storage& s) {
    std::lock_guard<std::mutex> lk(mu_);
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = (uint32_t)slots_.size();
      slots_.emplace_back();
    }
    Slot& e = slots_[slot];
    e.s = s;
    e.used = true;
    e.gen = (e.gen + 1) & kHandleGenMask;
    return (double)device_ * kHandleDeviceSpan + (double)e.gen * kHandleSlotSpan + (double)slot;
  }

  // nullptr when h is not a live handle of this table.
  Storage* find(double h) {
    uint32_t slot, gen;
    if (!decode(h, &slot, &gen)) return nullptr;
    std::lock_guard<std::mutex> lk(mu_);
    if (slot >= slots_.size()) return nullptr;
    Slot& e = slots_[slot];
    if (!e.used || e.gen != gen || e.s.freed) return nullptr;
    return &e.s;
  }

  // Frees the slot for reuse; ignores handles that are stale or not this table's.
  void remove(double h) {
    uint32_t slot, gen;
    if (!decode(h, &slot, &gen)) return;
    std::lock_guard<std::mutex> lk(mu_);
    if (slot < slots_.size() && slots_[slot].used && slots_[slot].gen == gen) {
      slots_[slot].used = false;
      slots_[slot].s = Storage{};
      free_.push_back(slot);
    }
  }

 private:
  struct Slot {
    Storage s;
    uint32_t gen = 0;
    bool used = false;
  };

  bool decode(double h, uint32_t* slot, uint32_t* gen) const {
    if (handle_device(h) != device_) return false;
    uint64_t v = (uint64_t)(h - (double)device_ * kHandleDeviceSpan);
    *slot = (uint32_t)(v & 0xFFFFFF);
    *gen = (uint32_t)(v >> 24);
    return true;
  }

  const int device_;
  std::deque<Slot> slots_;  // deque: Storage pointers stay valid as it grows
  std::vector<uint32_t> free_;
  std::mutex mu_;
};

}  // namespace napi
}  // namespace recforge
