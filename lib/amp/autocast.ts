// Autocast: a scope inside which float32 matrix products and interval attention on CUDA tensors
// run with 16-bit inputs (bfloat16 or float16) and fp32 accumulation, while every tensor the
// caller sees (outputs, gradients, parameters, optimiser state) stays float32.
//
// What changes inside `autocast(p, fn)`, for float32 tensors on the "cuda" device only:
//   - matmul / linear (and everything built on them: nn.Linear, MLPs, attention projections):
//     the operands are rounded to p (round to nearest even) and multiplied with fp32
//     accumulation into a float32 result. The backward GEMMs of a product recorded inside the
//     scope (dA = dC·Bᵀ, dB = Aᵀ·dC) also run with 16-bit inputs, even when backward() is called
//     after the scope has ended: the precision is a property of the recorded op, as in PyTorch.
//   - intervalAttention: q, k, v (and, in the backward, the output gradient) are rounded to p;
//     softmax, lse and accumulation are fp32; out, dq, dk, dv are float32.
// Everything else (elementwise ops, reductions, norms, losses, softmax, embeddings, optimisers)
// runs in float32 as outside the scope: these are cheap, and keeping them fp32 is what makes
// 16-bit training stable. denseMaskedAttention (a benchmark baseline) has no 16-bit kernel.
//
// CPU tensors: a no-op (documented): the CPU kernels have no 16-bit path worth having (the
// conversion would cost more than it saves), so ops on CPU tensors inside the scope compute in
// float32 exactly as outside. float64 tensors are never affected.
export type LowPrecision = "bf16" | "fp16";

let current: LowPrecision | null = null;

function check(p: unknown): LowPrecision | null {
  if (p === false || p === null) return null;
  if (p === "bf16" || p === "fp16") return p;
  throw new TypeError(`recforge: autocast: precision must be "bf16", "fp16" or false, got ${typeof p === "string" ? JSON.stringify(p) : String(p)}`);
}

/**
 * Runs fn with autocast set to `precision` ("bf16" or "fp16"; false switches it off inside an
 * enclosing scope) and restores the previous setting afterwards, also when fn throws. Scopes
 * nest. fn runs synchronously: ops issued after an `await` inside an async fn run with whatever
 * setting is current then, so wrap the synchronous forward pass itself.
 */
export function autocast<T>(precision: LowPrecision | false | null, fn: () => T): T {
  const p = check(precision);
  if (typeof fn !== "function") throw new TypeError("recforge: autocast: the second argument must be a function");
  const prev = current;
  current = p;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** The precision of the innermost autocast scope, or null outside any (or inside autocast(false, ...)). */
export function autocastPrecision(): LowPrecision | null {
  return current;
}

/** Kind code of the 16-bit kernels (0 bfloat16, 1 float16). */
export function lowpKind(p: LowPrecision): number {
  return p === "bf16" ? 0 : 1;
}

/**
 * The 16-bit kind an op over these float32 tensors runs with: the scope's precision when the
 * tensors are float32 on cuda, else -1 (plain float32 / float64 kernels).
 */
export function autocastKind(...ts: { device: string; dtype: string }[]): number {
  if (current === null) return -1;
  for (const t of ts) if (t.device !== "cuda" || t.dtype !== "float32") return -1;
  return lowpKind(current);
}

/**
 * Validates a trainer's `mixedPrecision` option against the device its model lives on:
 * "bf16" / "fp16" need "cuda" (a TypeError on the cpu, where autocast would silently do
 * nothing); false / undefined give null.
 */
export function mixedPrecisionOption(v: unknown, device: string, where: string): LowPrecision | null {
  if (v === undefined || v === false || v === null) return null;
  if (v !== "bf16" && v !== "fp16")
    throw new TypeError(`recforge: ${where}: mixedPrecision must be "bf16", "fp16" or false, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
  if (device !== "cuda")
    throw new TypeError(`recforge: ${where}: mixedPrecision "${v}" needs the model on "cuda" (it is on ${JSON.stringify(device)}; autocast is a no-op on the cpu)`);
  return v;
}
