// Reverse-mode autograd: ops record a GradNode on their output; backward() walks the
// recorded graph in reverse topological order, accumulating gradients, running hooks,
// and releasing each node's saved tensors as soon as its backward has run.
import { Tensor, type BackwardOptions, type GradNode } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { shapeStr, sameShape } from "../tensor/shape.js";

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn with gradient recording switched off (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op over these inputs will record a node (so it should save tensors). */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  return gradEnabled && inputs.some((t) => t != null && t.requiresGrad);
}

/** A reference that keeps t's storage alive for backward even if the caller disposes t. */
export function save(t: Tensor): Tensor {
  return t.detach();
}

/**
 * Attaches a node to `out` when any input needs a gradient. `backward` receives the
 * gradient of `out` and returns one gradient (or null) per input, shaped like the input.
 * `saved` are temporaries owned by the node (disposed after its backward ran).
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly (Tensor | null)[],
  backward: (grad: Tensor) => (Tensor | null)[],
  saved: Tensor[] = [],
): Tensor {
  if (gradEnabled && inputs.some((t) => t !== null && t.requiresGrad)) {
    out.gradFn = { name, inputs: inputs.map((t) => (t && t.requiresGrad ? t : null)), backward, saved };
    out._requiresGrad = true;
  } else {
    for (const s of saved) s.dispose();
  }
  return out;
}

export type { BackwardOptions };

// Gradients created by the engine are reference counted: a tensor may be the gradient
// of several inputs at once (add passes its gradient through unchanged).
class GradRefs {
  private counts = new Map<Tensor, number>();
  constructor(private readonly external: Set<Tensor>) {}
  acquire(t: Tensor): Tensor {
    this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
    return t;
  }
  release(t: Tensor): void {
    const c = (this.counts.get(t) ?? 0) - 1;
    if (c > 0) this.counts.set(t, c);
    else {
      this.counts.delete(t);
      if (!this.external.has(t)) t.dispose();
    }
  }
  count(t: Tensor): number {
    return this.counts.get(t) ?? 0;
  }
  /** Hands t to a new owner (a leaf's .grad): the engine will never dispose it. */
  transfer(t: Tensor): void {
    this.counts.delete(t);
    this.external.add(t);
  }
  drop(t: Tensor): void {
    // a result nobody acquired
    if (!this.counts.has(t) && !this.external.has(t)) t.dispose();
  }
}

function runHooks(t: Tensor, g: Tensor, refs: GradRefs): Tensor {
  if (!t._hooks) return g;
  for (const h of t._hooks.slice()) {
    const r = h(g);
    if (r instanceof Tensor && r !== g) {
      if (!sameShape(r.shape, g.shape))
        throw new RangeError(`recforge: gradient hook returned shape ${shapeStr(r.shape)}, expected ${shapeStr(g.shape)}`);
      refs.acquire(r);
      refs.release(g);
      g = r;
    }
  }
  return g;
}

function topoOrder(root: Tensor): Tensor[] {
  // Iterative DFS post-order over tensors that have a gradFn.
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const c = inputs[i];
      if (c && c.gradFn && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      if (t.gradFn) order.push(t);
    }
  }
  return order.reverse();
}

export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  root._check("backward root");
  if (!root.requiresGrad)
    throw new TypeError("recforge: backward() on a tensor that does not require grad (no input had requiresGrad)");
  const external = new Set<Tensor>();
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1)
      throw new RangeError(`recforge: backward() without a gradient needs a one-element tensor, got shape ${shapeStr(root.shape)}`);
    seed = Tensor.empty(root.shape, root.dtype, root.device);
    seed._fill(1);
  } else {
    if (!(grad instanceof Tensor)) throw new TypeError("recforge: backward(grad) expects a Tensor");
    grad._check("gradient");
    if (!sameShape(grad.shape, root.shape) || grad.dtype !== root.dtype)
      throw new RangeError(`recforge: gradient ${shapeStr(grad.shape)} ${grad.dtype} does not match tensor ${shapeStr(root.shape)} ${root.dtype}`);
    seed = grad;
    external.add(grad);
  }
  const refs = new GradRefs(external);
  const grads = new Map<Tensor, Tensor>();
  const accumulateLeaf = (leaf: Tensor, g: Tensor) => {
    g = runHooks(leaf, g, refs);
    if (leaf.grad) {
      const sum = leaf.grad._addNoGrad(g);
      leaf.grad.dispose();
      leaf.grad = keep(sum);
      refs.release(g);
    } else {
      // The leaf takes ownership of g when nothing else holds it; otherwise a copy.
      if (!external.has(g) && refs.count(g) === 1) {
        refs.transfer(g);
        leaf.grad = keep(g);
      } else {
        leaf.grad = keep(g._cloneNoGrad());
        refs.release(g);
      }
    }
  };

  refs.acquire(seed);
  if (!root.gradFn) {
    accumulateLeaf(root, seed);
    return;
  }
  grads.set(root, seed);
  const order = topoOrder(root);
  const visitedNodes: GradNode[] = [];
  try {
    for (const t of order) {
      const node = t.gradFn!;
      let g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      g = runHooks(t, g, refs);
      if (t._retainGrad) {
        const prev = t.grad;
        t.grad = keep(prev ? prev._addNoGrad(g) : g._cloneNoGrad());
        prev?.dispose();
      }
      if (!node.backward) throw new TypeError(`recforge: the graph through ${node.name} was already freed by a previous backward(); pass { retainGraph: true } to the first call`);
      const inGrads = withNoGrad(() => node.backward!(g!));
      visitedNodes.push(node);
      node.inputs.forEach((inp, i) => {
        const gi = inGrads[i];
        if (!inp || !gi) return;
        if (!sameShape(gi.shape, inp.shape))
          throw new Error(`recforge: internal: ${node.name} backward gave ${shapeStr(gi.shape)} for input ${shapeStr(inp.shape)}`);
        refs.acquire(gi);
        if (!inp.gradFn) accumulateLeaf(inp, gi);
        else {
          const prev = grads.get(inp);
          if (prev) {
            const sum = prev._addNoGrad(gi);
            refs.acquire(sum);
            refs.release(prev);
            refs.release(gi);
            grads.set(inp, sum);
          } else grads.set(inp, gi);
        }
      });
      for (const gi of inGrads) if (gi) refs.drop(gi);
      refs.release(g);
      if (!opts.retainGraph) {
        for (const s of node.saved) s.dispose();
        node.saved = [];
        node.backward = null;
      }
    }
  } finally {
    for (const g of grads.values()) refs.release(g);
  }
}

function withNoGrad<T>(fn: () => T): T {
  return noGrad(fn);
}
