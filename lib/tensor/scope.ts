// Deterministic memory management: scopes (tidy) and live-tensor statistics.
// A scope records every tensor created while it is open; when it closes it disposes
// them, except those returned from the scope function or explicitly kept.
import { cuda, native, type CudaMemoryStats } from "../native.js";

export interface Disposable {
  readonly id: number;
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];
let live = 0;
let liveBytes = 0;
let peakLive = 0;
let peakBytes = 0;

export function trackCreated(t: Disposable, bytes: number): void {
  live++;
  liveBytes += bytes;
  if (live > peakLive) peakLive = live;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  const s = scopes[scopes.length - 1];
  if (s) s.add(t);
}

export function trackDisposed(t: Disposable | null, bytes: number): void {
  live--;
  liveBytes -= bytes;
  if (t) for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].delete(t)) break;
}

/** A live tensor's owned bytes changed (its storage was replaced: Tensor._adoptStorage). */
export function trackBytesChanged(delta: number): void {
  liveBytes += delta;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
}

/** Removes a tensor from every open scope so it survives them (parameters, optimiser state, .grad). */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

interface GraphLike {
  gradFn?: { inputs: readonly (GraphLike | null)[]; saved: readonly unknown[] } | null;
}

// A returned tensor keeps alive the tensors its autograd graph saved for backward (a
// backward() after the scope must still work); graphs unreachable from the result are
// dead, and their saved tensors are freed with the scope.
function keepGraph(t: GraphLike, out: Set<unknown>): void {
  const stack: GraphLike[] = [t];
  const seen = new Set<unknown>();
  while (stack.length) {
    const node = stack.pop()!.gradFn;
    if (!node || seen.has(node)) continue;
    seen.add(node);
    for (const s of node.saved) out.add(s);
    for (const i of node.inputs) if (i) stack.push(i);
  }
}

function collect(v: unknown, out: Set<unknown>, depth = 0): void {
  if (v === null || typeof v !== "object" || depth > 4) return;
  if ((v as Disposable).dispose && typeof (v as Disposable).id === "number") {
    out.add(v);
    keepGraph(v as GraphLike, out);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, depth + 1);
}

/**
 * Runs fn; disposes every tensor created inside that is not part of its result (tensors
 * found in the returned value, arrays, Maps or plain objects are moved to the enclosing scope,
 * together with what their autograd graph saved for backward).
 * fn must be synchronous: async work would outlive the scope.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError("recforge: tidy(fn) needs a function");
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result && typeof (result as { then?: unknown }).then === "function") {
    for (const t of scope) t.dispose();
    throw new TypeError("recforge: tidy(fn) got a Promise; scopes must be synchronous (await outside tidy)");
  }
  const keepSet = new Set<unknown>();
  collect(result, keepSet);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keepSet.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/**
 * Runs fn (an op body); if it throws, disposes every tensor created during the call (the
 * temporaries and copies of a failed op) and rethrows. On success it changes nothing: what
 * fn created goes to the enclosing scope exactly as if fn had run directly.
 */
export function disposeOnThrow<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(scope), 1);
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.splice(scopes.lastIndexOf(scope), 1);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of scope) parent.add(t);
  return result;
}

export interface MemoryInfo {
  liveTensors: number;
  liveBytes: number;
  peakTensors: number;
  peakBytes: number;
  nativeBytes: number;
  nativePeakBytes: number;
  nativeBlocks: number;
  /** Freed blocks kept for reuse by the native caching allocator (see emptyCache()). */
  nativeCachedBytes: number;
  /**
   * The CUDA caching allocator's counters, when the CUDA backend is loaded: live, requested,
   * peak and cached bytes, live blocks, allocations, cache hits and real device allocations.
   */
  cuda?: CudaMemoryStats;
}

/** Live tensors and bytes (JS view) and the native allocator's own counters. */
export function memory(): MemoryInfo {
  const n = native.memoryStats();
  const info: MemoryInfo = { liveTensors: live, liveBytes, peakTensors: peakLive, peakBytes, ...n };
  if (cuda) info.cuda = cuda.memoryStats();
  return info;
}

/** Returns the native allocator's cached free blocks to the system. */
export function emptyCache(): void {
  native.emptyCache();
  cuda?.emptyCache();
}

export function resetPeakMemory(): void {
  peakLive = live;
  peakBytes = liveBytes;
  native.resetPeak();
  cuda?.resetPeak();
}
