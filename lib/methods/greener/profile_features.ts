// Per-candidate PAIR features for GREENer (variant "profile" of bench greener-fair): the cosine of
// the candidate's TF-IDF vector to the user's and to the item's text profile.
//
// Why: GREENer's graph joins user, item and sentences only through attributes, so its scorer
// never sees the user's or item's own wording — which the TF-IDF-profile stand-in scores by, and
// which a fusion of the two exploits (bench greener-fair, "ensemble"). Here the model gets the
// two cosines as inputs to its DCN scorer and learns how to weigh them.
//
// profile(user) = Σ of the user's training sentences' TF-IDF vectors, likewise for the item
// (baselines.ts profiles, before normalisation). Two reviews are LEFT OUT of the profile a
// candidate is compared with — the same rule for training, validation and test pairs, one code
// path for all (issue 17: the first version left out only a training pair's own review, so in
// training the positives lacked the self-similarity every other candidate had, and at test no
// candidate lacked it):
//  - the candidate's OWN review (the review its sentence comes from), when that review is in
//    the profile: otherwise a candidate is compared partly with itself, and how much depends on
//    how many reviews the profile has, not on what the sentence says;
//  - the PAIR's review, when it is in the profile (only for a training pair: it is the answer,
//    and at validation/test time the held-out review is never in a profile).
// Computed from the full sums, without rebuilding a profile per candidate: with E the set of
// left-out reviews, O_e = Σ of review e's sentence vectors, P the full sum and c the candidate,
//   cos(c, P − Σ_E O_e) = (c·P − Σ_E c·O_e) / (|c| · sqrt(|P|² − 2 Σ_E P·O_e + Σ_E Σ_E O_e·O_f)).
// P·O_e is cached per (profile, review); |E| ≤ 2. The vectors are words (SentenceVectors) or
// phrases (phrase_vectors.ts, variant "profile-phrases"): the same rule for both.
import { dot, type SparseVector } from "../../text/tfidf.js";
import type { GreenerData } from "./prepare.js";

/** Anything that gives a sentence's sparse vector: SentenceVectors (words), PhraseVectors (phrases). */
export interface SentenceVectorSource {
  vector(s: number): SparseVector;
}

type TermMap = Map<number, number>;

/** Sum of sparse vectors as a map term → weight. */
function sumMap(vs: readonly SparseVector[]): TermMap {
  const m: TermMap = new Map();
  for (const v of vs) for (let i = 0; i < v.idx.length; i++) m.set(v.idx[i], (m.get(v.idx[i]) ?? 0) + v.val[i]);
  return m;
}

function dotMap(v: SparseVector, m: TermMap): number {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += v.val[i] * (m.get(v.idx[i]) ?? 0);
  return s;
}

function dotMaps(a: TermMap, b: TermMap): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, x] of small) s += x * (big.get(k) ?? 0);
  return s;
}

export const PROFILE_FEATURE_WIDTH = 2;

type Side = "user" | "item";

interface Profile {
  /** P: Σ of the training sentences' vectors */
  m: TermMap;
  /** |P|² */
  n2: number;
  /** P·O_q per review q in the profile (memo) */
  dotReview: Map<number, number>;
}

interface ReviewSum {
  m: TermMap;
  n2: number;
}

export class ProfileFeatures {
  private readonly profiles = { user: new Map<number, Profile>(), item: new Map<number, Profile>() };
  private readonly reviewSums = new Map<number, ReviewSum>();

  constructor(private readonly data: GreenerData, private readonly vectors: SentenceVectorSource) {}

  private profile(of: Side, id: number): Profile {
    let p = this.profiles[of].get(id);
    if (!p) {
      const m = sumMap(this.data.trainingSentences(of, id).map((s) => this.vectors.vector(s)));
      this.profiles[of].set(id, (p = { m, n2: dotMaps(m, m), dotReview: new Map() }));
    }
    return p;
  }

  /** O_q: Σ of review q's sentence vectors (q is a training review here: it is in a profile). */
  private reviewSum(q: number): ReviewSum {
    let o = this.reviewSums.get(q);
    if (!o) {
      const m = sumMap(this.data.sentencesOf(q).map((s) => this.vectors.vector(s)));
      this.reviewSums.set(q, (o = { m, n2: dotMaps(m, m) }));
    }
    return o;
  }

  /** Whether review q's sentences are in the profile of `of` `id` (a training review of that user / item). */
  private inProfile(of: Side, id: number, q: number): boolean {
    return this.data.reviewSplit[q] === 0 && (of === "user" ? this.data.reviewUser[q] : this.data.reviewItem[q]) === id;
  }

  private dotReview(p: Profile, q: number): number {
    let d = p.dotReview.get(q);
    if (d === undefined) p.dotReview.set(q, (d = dotMaps(p.m, this.reviewSum(q).m)));
    return d;
  }

  /** The reviews left out of the profile `of` `id` for a candidate of review q in review r's pair. */
  leftOut(of: Side, id: number, r: number, q: number): number[] {
    const out: number[] = [];
    if (this.inProfile(of, id, r)) out.push(r);
    if (q !== r && this.inProfile(of, id, q)) out.push(q);
    return out;
  }

  /**
   * [n × 2] row-major: (cos to the user profile, cos to the item profile) per candidate of review
   * r's pair, each profile without the candidate's own review and without r (see the header).
   * The same function for training, validation and test pairs.
   */
  features(r: number, candidates: ArrayLike<number>): Float32Array {
    const ids: [Side, number][] = [["user", this.data.reviewUser[r]], ["item", this.data.reviewItem[r]]];
    const profiles = ids.map(([of, id]) => this.profile(of, id));
    const out = new Float32Array(candidates.length * PROFILE_FEATURE_WIDTH);
    // per candidate review q and side: the left-out reviews and the remaining profile's norm
    const perReview = new Map<number, { left: number[]; norm: number }[]>();
    for (let c = 0; c < candidates.length; c++) {
      const s = candidates[c];
      const q = this.data.sentenceReview[s];
      let sides = perReview.get(q);
      if (!sides) {
        sides = ids.map(([of, id], k) => {
          const p = profiles[k];
          const left = this.leftOut(of, id, r, q);
          let n2 = p.n2;
          for (const e of left) n2 -= 2 * this.dotReview(p, e);
          for (const e of left) for (const f of left) n2 += e === f ? this.reviewSum(e).n2 : dotMaps(this.reviewSum(e).m, this.reviewSum(f).m);
          // a profile that was only the left-out reviews leaves round-off: treat it as empty
          return { left, norm: n2 > 1e-9 * Math.max(1, p.n2) ? Math.sqrt(n2) : 0 };
        });
        perReview.set(q, sides);
      }
      const v = this.vectors.vector(s);
      const nv = Math.sqrt(dot(v, v));
      for (let k = 0; k < PROFILE_FEATURE_WIDTH; k++) {
        const { left, norm } = sides[k];
        if (norm === 0 || nv === 0) continue; // out is zero-initialised: an empty profile gives 0
        let num = dotMap(v, profiles[k].m);
        for (const e of left) num -= dotMap(v, this.reviewSum(e).m);
        out[c * PROFILE_FEATURE_WIDTH + k] = num / (norm * nv);
      }
    }
    return out;
  }
}
