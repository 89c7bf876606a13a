// Containers: Sequential (chains one-tensor modules) and ModuleList (indexed holder).
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

type Layer = Module<[Tensor], Tensor>;

/**
 * Applies its modules in order; submodules are named "0", "1", ... Intermediate results
 * are disposed as soon as the next layer has consumed them (the autograd graph keeps what
 * backward needs), so only the input and the output stay alive.
 */
export class Sequential extends Module {
  readonly layers: readonly Layer[];

  constructor(...layers: Layer[]) {
    super();
    layers.forEach((m, i) => this.module(String(i), m));
    this.layers = Object.freeze(layers.slice());
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): Layer | undefined {
    return this.layers.at(i);
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) {
      const y = layer.call(h);
      if (h !== x && h !== y) h.dispose();
      h = y;
    }
    return h;
  }
}

/** An indexed list of submodules named "0", "1", ... (forward is not defined: iterate it). */
export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<never[], never> {
  private readonly items: M[] = [];

  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this.module(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M | undefined {
    return this.items.at(i);
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new TypeError("recforge: ModuleList has no forward(); iterate over it and call its modules");
  }
}
