// The training schedule shared by both paradigms, so that SW and DTI make the SAME target
// updates: each user's training targets are cut into chunks of consecutive targets (k by
// default; the last chunk of a user may be shorter); every epoch shuffles the chunks (seeded)
// and groups them into optimiser steps of about `targetsPerStep` targets. DTI turns a chunk
// into streaming prompts of k targets; SW turns it into one prompt per target. Runs with the
// same chunk size therefore see every training target once per epoch, in the same steps, in
// the same order — whatever their paradigm and k (a chunk of 40 is two DTI prompts at k = 20).
import type { CtrDataset } from "./data/dataset.js";
import { mulberry32 } from "../../prng.js";
import type { Paradigm } from "./types.js";
import type { PromptUnit } from "./prompts.js";

export interface Chunk {
  user: number;
  start: number;
  count: number;
}

/** Training targets [0, trainEnd) of every user in chunks of k. */
export function trainChunks(data: CtrDataset, k: number): Chunk[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`recforge: k must be an integer >= 1, got ${k}`);
  const out: Chunk[] = [];
  data.users.forEach((h, user) => {
    for (let s = 0; s < h.trainEnd; s += k) out.push({ user, start: s, count: Math.min(k, h.trainEnd - s) });
  });
  return out;
}

/**
 * Steps of one epoch: chunks in a seeded random order (Fisher–Yates with mulberry32 seeded by
 * seed and epoch), grouped greedily: a step takes chunks until it holds >= targetsPerStep
 * targets (or the epoch runs out).
 */
export function epochSteps(chunks: Chunk[], targetsPerStep: number, seed: number, epoch: number): Chunk[][] {
  if (!(targetsPerStep >= 1)) throw new RangeError(`recforge: targetsPerStep must be >= 1, got ${targetsPerStep}`);
  const order = chunks.slice();
  const rand = mulberry32((seed * 0x9e3779b1 + epoch * 0x85ebca6b + 1) >>> 0);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const steps: Chunk[][] = [];
  let cur: Chunk[] = [], n = 0;
  for (const c of order) {
    cur.push(c);
    n += c.count;
    if (n >= targetsPerStep) {
      steps.push(cur);
      cur = [];
      n = 0;
    }
  }
  if (cur.length) steps.push(cur);
  return steps;
}

/**
 * The prompts of one step under a paradigm: DTI cuts each chunk into streaming prompts of at
 * most k targets (default: the whole chunk), SW makes one prompt per target.
 */
export function stepUnits(step: Chunk[], paradigm: Paradigm, k = Infinity): PromptUnit[] {
  const out: PromptUnit[] = [];
  if (paradigm === "dti") {
    for (const c of step)
      for (let s = c.start; s < c.start + c.count; s += k) out.push({ kind: "dti", user: c.user, start: s, count: Math.min(k, c.start + c.count - s) });
    return out;
  }
  for (const c of step) for (let j = c.start; j < c.start + c.count; j++) out.push({ kind: "sw", user: c.user, target: j });
  return out;
}

export function stepTargets(step: Chunk[]): number {
  return step.reduce((s, c) => s + c.count, 0);
}
