// An embedded synthetic CTR data set for the demo and the tests: no download, the same data
// on every machine for a given seed.
//
// Items belong to one (70%) or two of eight "themes"; an item's text is two or three title
// words drawn from its themes' word pools plus its themes' genre words ("shadow canyon rain
// noir western"), so the text carries what the label depends on. Each user has a taste per
// theme that DRIFTS along their history (an AR(1) walk with the given persistence, stationary
// variance 1), and likes an item with probability
//     sigmoid(tasteWeight · mean taste over the item's themes + item appeal + user bias)
// where an item's appeal is its themes' mean popularity (~ N(0, 0.8²) per theme) plus its own
// N(0, 0.6²), and the user's bias ~ N(0, 0.8²). Popularity and bias are easy to pick up (the
// target's genre words; the share of "liked" in the context); the drifting tastes need the model
// to match the target's themes against its recent context.
// Predicting a label well therefore needs the user's recent context (which themes they liked
// lately) — exactly what a CTR model with n context interactions is for — and older context
// is worth less than recent context.
import { buildDataset, type CtrDataset, type RawInteraction } from "./data/dataset.js";
import { mulberry32 } from "../../prng.js";
export { mulberry32 };

const THEMES: { genre: string; words: string[] }[] = [
  { genre: "noir", words: ["shadow", "alley", "smoke", "detective", "midnight", "rain", "badge", "whisper"] },
  { genre: "western", words: ["dust", "saddle", "canyon", "sheriff", "frontier", "outlaw", "mesa", "spur"] },
  { genre: "space", words: ["orbit", "nebula", "comet", "station", "pilot", "galaxy", "signal", "void"] },
  { genre: "romance", words: ["letter", "rose", "summer", "wedding", "heart", "paris", "dance", "promise"] },
  { genre: "horror", words: ["cellar", "curse", "hollow", "grave", "fog", "scream", "attic", "mask"] },
  { genre: "comedy", words: ["pickle", "uncle", "vacation", "goose", "wacky", "prank", "office", "buddy"] },
  { genre: "war", words: ["trench", "battalion", "beach", "general", "convoy", "flag", "siege", "medal"] },
  { genre: "fantasy", words: ["dragon", "crown", "forest", "wizard", "sword", "elf", "tower", "rune"] },
];

export interface SyntheticOptions {
  /** Number of users (default 300). */
  users?: number;
  /** Number of items (default 400). */
  items?: number;
  /** Interactions per user, uniform in [min, max] (default [40, 100]). */
  minLength?: number;
  maxLength?: number;
  /** Per-interaction persistence of tastes (default 0.97: tastes drift over tens of interactions). */
  persistence?: number;
  /** Weight of the user's taste in the like logit (default 2.5). */
  tasteWeight?: number;
  seed?: number;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Generates the synthetic data set (see the file comment). Deterministic in `seed`. */
export function syntheticCtr(opts: SyntheticOptions = {}): CtrDataset {
  return syntheticCtrWithTruth(opts).data;
}

/**
 * The synthetic data set and the true like-probability of every interaction (indexed by
 * target id, i.e. data.offsets[u] + j): the AUC of these probabilities is the best any model
 * can reach on the data (the "oracle" of the demo).
 */
export function syntheticCtrWithTruth(opts: SyntheticOptions = {}): { data: CtrDataset; probability: Float64Array } {
  const nUsers = opts.users ?? 300, nItems = opts.items ?? 400;
  const minLen = opts.minLength ?? 40, maxLen = opts.maxLength ?? 100;
  const rho = opts.persistence ?? 0.97;
  const wTaste = opts.tasteWeight ?? 2.5;
  if (!(nUsers >= 1 && nItems >= 1 && minLen >= 1 && maxLen >= minLen && rho >= 0 && rho <= 1))
    throw new RangeError(`recforge: syntheticCtr: bad sizes users=${nUsers} items=${nItems} length=[${minLen}, ${maxLen}] persistence=${rho}`);
  const rand = mulberry32(opts.seed ?? 1);
  const G = THEMES.length;

  const themePop = Array.from({ length: G }, () => 0.8 * gaussian(rand));
  const itemThemes: number[][] = [];
  const appeal: number[] = [];
  const text = new Map<string, string>();
  for (let i = 0; i < nItems; i++) {
    const a = Math.floor(rand() * G);
    const themes = rand() < 0.7 ? [a] : [a, (a + 1 + Math.floor(rand() * (G - 1))) % G];
    const nWords = 2 + (rand() < 0.4 ? 1 : 0);
    const words: string[] = [];
    for (let w = 0; w < nWords; w++) {
      const pool = THEMES[themes[w % themes.length]].words;
      words.push(pool[Math.floor(rand() * pool.length)]);
    }
    itemThemes.push(themes);
    appeal.push(0.6 * gaussian(rand) + themes.reduce((sum, t) => sum + themePop[t], 0) / themes.length);
    text.set(String(i), [...words, ...themes.map((t) => THEMES[t].genre)].join(" "));
  }

  const rows: RawInteraction[] = [];
  const probs: number[] = [];
  const noise = Math.sqrt(1 - rho * rho);
  for (let u = 0; u < nUsers; u++) {
    const taste = Array.from({ length: G }, () => gaussian(rand));
    const bias = 0.8 * gaussian(rand);
    const m = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    for (let j = 0; j < m; j++) {
      for (let g = 0; g < G; g++) taste[g] = rho * taste[g] + noise * gaussian(rand);
      const i = Math.floor(rand() * nItems);
      const th = itemThemes[i];
      const affinity = th.reduce((s, t) => s + taste[t], 0) / th.length;
      const p = 1 / (1 + Math.exp(-(wTaste * affinity + appeal[i] + bias)));
      rows.push({ user: `u${u}`, item: String(i), time: j, label: rand() < p ? 1 : 0 });
      probs.push(p);
    }
  }
  // Users appear in order and each user's times increase: the dataset keeps the generation
  // order, so probs[] is already indexed by target id.
  const data = buildDataset(`synthetic (seed ${opts.seed ?? 1}, ${nUsers} users, ${nItems} items)`, text, rows);
  return { data, probability: Float64Array.from(probs) };
}
