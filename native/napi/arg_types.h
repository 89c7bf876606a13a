// Typed argument tags: what the generated accessors (op_args.generated.h) hand to the bindings.
// A tag names one argument of a call by its place on the wire and says its table type, so only the
// matching reader accepts it (int_arg takes an IntArg, num_arg a FloatArg, TensorArgs::span a
// TensorArg, ...): a binding that reads an argument as another type than the table says does not
// compile. The readers (common.h, tensor_args.h) validate the value and name it in errors.
#pragma once
#include <napi.h>

#include <cstddef>

namespace recforge {
namespace napi {

struct Arg {
  const Napi::CallbackInfo* info;
  size_t i;  // first wire slot of the argument (a tensor takes two: handle, element offset)
  Napi::Env env() const { return info->Env(); }
};
struct DTypeArg : Arg {};
struct IntArg : Arg {};
struct FloatArg : Arg {};
struct BoolArg : Arg {};
struct IntsArg : Arg {};
struct TensorArg : Arg {};
struct OptTensorArg : Arg {};  // a tensor, or null / undefined
struct TensorsArg : Arg {};    // a tensor list: one slot, an array of (handle, offset) pairs
struct HandleArg : Arg {};     // a bare storage handle
struct BytesArg : Arg {};      // a typed array (host copies)
template <typename E>
struct EnumArg : Arg {};       // an int code of the table's enum E

// An optional tensor argument read as a required one (the caller decided it must be there).
inline TensorArg required(OptTensorArg a) { return {{a.info, a.i}}; }

}  // namespace napi
}  // namespace recforge
