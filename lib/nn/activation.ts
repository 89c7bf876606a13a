// Activation functions by name (for MLP / configs) and as a parameter-free Module.
import type { Tensor } from "../tensor/tensor.js";
import { elu, gelu, leakyRelu, relu, sigmoid, silu, tanh } from "../ops/index.js";
import { Module } from "./module.js";

export type ActivationName = "relu" | "gelu" | "silu" | "tanh" | "sigmoid" | "leakyRelu" | "elu" | "identity";
export type ActivationFn = (x: Tensor) => Tensor;

const ACTIVATIONS: Record<ActivationName, ActivationFn> = {
  relu,
  gelu,
  silu,
  tanh,
  sigmoid,
  leakyRelu: (x) => leakyRelu(x),
  elu: (x) => elu(x),
  identity: (x) => x,
};

/** The function for a name, or the function itself. */
export function activationFn(a: ActivationName | ActivationFn): ActivationFn {
  if (typeof a === "function") return a;
  const f = ACTIVATIONS[a as ActivationName];
  if (!f || !Object.prototype.hasOwnProperty.call(ACTIVATIONS, a))
    throw new TypeError(`recforge: unknown activation ${JSON.stringify(a)}; expected one of ${Object.keys(ACTIVATIONS).join(", ")} or a function`);
  return f;
}

/** A parameter-free layer applying an activation ("identity" returns its input). */
export class Activation extends Module {
  readonly fn: ActivationFn;
  readonly kind: string;
  constructor(a: ActivationName | ActivationFn = "relu") {
    super();
    this.fn = activationFn(a);
    this.kind = typeof a === "function" ? a.name || "custom" : a;
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}
