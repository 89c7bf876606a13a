// MovieLens-1M as CTR data (shared/reference/dti.md, "Experimental protocol"):
//   movies.dat   MovieID::Title (Year)::Genre|Genre|...   (ISO-8859-1)
//   ratings.dat  UserID::MovieID::Rating::Timestamp        (or the shared partial file
//                ratings.partial_users_1-2999.dat, same format)
// y = rating >= 4; item text = title, year and genres ("Toy Story 1995 Animation Children's
// Comedy": about 6 words on average, kept short on purpose — every context interaction costs
// its text length in tokens, in every prompt that holds it).
import fs from "node:fs";
import path from "node:path";
import { dataRoot } from "../../../data/paths.js";
import { buildDataset, subsetDataset, type CtrDataset, type RawInteraction, type SubsetOptions } from "./dataset.js";

/** The shared MovieLens-1M folder: $RECFORGE_DATA/ml-1m (default <repo>/../shared/data/ml-1m). */
export function movielensDir(): string {
  return path.join(dataRoot(), "ml-1m");
}

/** The ratings file of a MovieLens-1M folder: ratings.dat, else a ratings.partial*.dat; null if none. */
export function findRatingsFile(dir: string): string | null {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  if (fs.existsSync(path.join(dir, "ratings.dat"))) return path.join(dir, "ratings.dat");
  const partial = fs.readdirSync(dir).filter((f) => /^ratings\.partial.*\.dat$/.test(f)).sort();
  return partial.length ? path.join(dir, partial[0]) : null;
}

/** True when `dir` looks like a MovieLens-1M folder (movies.dat and a ratings file). */
export function isMovielensDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, "movies.dat")) && findRatingsFile(dir) !== null;
}

/** "Toy Story (1995)" + "Animation|Children's|Comedy" → "Toy Story 1995 Animation Children's Comedy". */
export function movieText(title: string, genres: string): string {
  const m = /^(.*?)\s*\((\d{4})\)\s*$/.exec(title);
  const words = m ? `${m[1]} ${m[2]}` : title;
  const g = genres.split("|").filter((x) => x.length).join(" ");
  return `${words} ${g}`.replace(/\s+/g, " ").trim();
}

export interface MovielensOptions extends SubsetOptions {
  /** Folder with movies.dat and ratings (default movielensDir()). */
  dir?: string;
  /** Ratings at or above this are positive (default 4). */
  positiveFrom?: number;
}

/** Loads MovieLens-1M (or the shared partial ratings) as a CtrDataset, optionally a subset. */
export function loadMovielens(opts: MovielensOptions = {}): CtrDataset {
  const dir = opts.dir ?? movielensDir();
  const moviesFile = path.join(dir, "movies.dat");
  const ratingsFile = findRatingsFile(dir);
  if (!fs.existsSync(moviesFile) || !ratingsFile)
    throw new Error(`recforge: MovieLens-1M not found in ${dir} (needs movies.dat and ratings.dat or ratings.partial*.dat; set RECFORGE_DATA to the folder holding ml-1m/)`);
  const positiveFrom = opts.positiveFrom ?? 4;

  const text = new Map<string, string>();
  const movies = fs.readFileSync(moviesFile, "latin1").split("\n");
  movies.forEach((line, i) => {
    if (!line.trim()) return;
    const f = line.replace(/\r$/, "").split("::");
    if (f.length !== 3) throw new RangeError(`recforge: ${moviesFile}:${i + 1}: expected MovieID::Title::Genres, got ${JSON.stringify(line.slice(0, 80))}`);
    text.set(f[0], movieText(f[1], f[2]));
  });

  const lines = fs.readFileSync(ratingsFile, "latin1").split("\n");
  function* ratings(): Generator<RawInteraction> {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (!line.trim()) continue;
      const f = line.replace(/\r$/, "").split("::");
      const rating = Number(f[2]), time = Number(f[3]);
      if (f.length !== 4 || !Number.isFinite(rating) || !Number.isFinite(time))
        throw new RangeError(`recforge: ${ratingsFile}:${i + 1}: expected UserID::MovieID::Rating::Timestamp, got ${JSON.stringify(line.slice(0, 80))}`);
      yield { user: f[0], item: f[1], time, label: rating >= positiveFrom ? 1 : 0 };
    }
  }
  const ds = buildDataset(`MovieLens-1M (${path.basename(ratingsFile)})`, text, ratings());
  return opts.maxUsers !== undefined || opts.maxPerUser !== undefined ? subsetDataset(ds, opts) : ds;
}
