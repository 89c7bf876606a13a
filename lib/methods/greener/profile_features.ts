// Per-candidate PAIR features for GREENer (variant "profile" of bench greener-fair): the cosine of
// the candidate's TF-IDF vector to the user's and to the item's text profile.
//
// Why: GREENer's graph joins user, item and sentences only through attributes, so its scorer
// never sees the user's or item's own wording — which the TF-IDF-profile stand-in scores by, and
// which a fusion of the two exploits (bench greener-fair, "ensemble"). Here the model gets the
// two cosines as inputs to its DCN scorer and learns how to weigh them.
//
// profile(user) = Σ of the user's training sentences' (unit) TF-IDF vectors, likewise for the
// item (baselines.ts profiles, before normalisation). For a TRAINING pair the pair's own review
// is left out of both sums (it is the answer; at test time it cannot be in them):
//   cos(c, P − O) = (c·P − c·O) / sqrt(|P|² − 2 P·O + |O|²),  c unit,  O = Σ own sentences.
import { dot, type SparseVector } from "../../text/tfidf.js";
import type { GreenerData } from "./prepare.js";
import type { SentenceVectors } from "./baselines.js";

/** Sum of sparse vectors as a map term → weight. */
function sumMap(vs: readonly SparseVector[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const v of vs) for (let i = 0; i < v.idx.length; i++) m.set(v.idx[i], (m.get(v.idx[i]) ?? 0) + v.val[i]);
  return m;
}

function dotMap(v: SparseVector, m: Map<number, number>): number {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += v.val[i] * (m.get(v.idx[i]) ?? 0);
  return s;
}

function normSq(m: Map<number, number>): number {
  let s = 0;
  for (const x of m.values()) s += x * x;
  return s;
}

function dotMaps(a: Map<number, number>, b: Map<number, number>): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, x] of small) s += x * (big.get(k) ?? 0);
  return s;
}

export const PROFILE_FEATURE_WIDTH = 2;

export class ProfileFeatures {
  private readonly sums = { user: new Map<number, { m: Map<number, number>; n2: number }>(), item: new Map<number, { m: Map<number, number>; n2: number }>() };

  constructor(private readonly data: GreenerData, private readonly vectors: SentenceVectors) {}

  private profile(of: "user" | "item", id: number): { m: Map<number, number>; n2: number } {
    let p = this.sums[of].get(id);
    if (!p) {
      const m = sumMap(this.data.trainingSentences(of, id).map((s) => this.vectors.vector(s)));
      this.sums[of].set(id, (p = { m, n2: normSq(m) }));
    }
    return p;
  }

  /** [n × 2] row-major: (cos to the user profile, cos to the item profile) per candidate of review r's pair. */
  features(r: number, candidates: ArrayLike<number>): Float32Array {
    const own = this.data.reviewSplit[r] === 0 ? sumMap(this.data.sentencesOf(r).map((s) => this.vectors.vector(s))) : null;
    const out = new Float32Array(candidates.length * PROFILE_FEATURE_WIDTH);
    const sides = [this.profile("user", this.data.reviewUser[r]), this.profile("item", this.data.reviewItem[r])];
    // |P − O|² by expansion; a profile that was only the own review leaves round-off: treat as empty
    const norms = sides.map((p) => {
      const n2 = own ? p.n2 - 2 * dotMaps(p.m, own) + normSq(own) : p.n2;
      return n2 > 1e-9 * Math.max(1, p.n2) ? Math.sqrt(n2) : 0;
    });
    for (let c = 0; c < candidates.length; c++) {
      const v = this.vectors.vector(candidates[c]);
      const nv = Math.sqrt(dot(v, v));
      sides.forEach((p, k) => {
        const num = dotMap(v, p.m) - (own ? dotMap(v, own) : 0);
        out[c * PROFILE_FEATURE_WIDTH + k] = norms[k] > 0 && nv > 0 ? num / (norms[k] * nv) : 0;
      });
    }
    return out;
  }
}
