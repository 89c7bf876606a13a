// Census-Income (KDD), the MMoE benchmark (Ma et al., KDD 2018): two binary tasks,
// income > 50K (6.2% positive) and marital status "Never married" (43.2%).
//
// Only the official test file (99,762 rows) is available (shared/data/census-income-kdd/
// SOURCE.txt), so it is split 80/10/10 by a seeded permutation (seed 20240 unless told).
// Features (recforge's decisions):
//   - dense (7): age, wage_per_hour, capital_gains, capital_losses, stock_dividends, num_emp,
//     weeks_worked; the four money columns go through log1p (they are heavy-tailed: up to
//     99,999), then every column is standardised with the TRAIN split's mean and std;
//   - sparse (32): every other column except the two labels and instance_weight (a survey
//     sampling weight, not an attribute of the person); codes such as det_ind_code, year,
//     own_or_self and vet_benefits are categorical. Vocabularies come from the train split;
//     id 0 is "not seen in train".
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { dataRoot } from "../../../data/paths.js";
import { Rng } from "../../../prng.js";
import { ArraySplit, type MultiTaskData, type MultiTaskSchema } from "./multitask.js";

export const CENSUS_COLUMNS = [
  "age", "class_worker", "det_ind_code", "det_occ_code", "education", "wage_per_hour", "hs_college", "marital_stat",
  "major_ind_code", "major_occ_code", "race", "hisp_origin", "sex", "union_member", "unemp_reason", "full_or_part_emp",
  "capital_gains", "capital_losses", "stock_dividends", "tax_filer_stat", "region_prev_res", "state_prev_res",
  "det_hh_fam_stat", "det_hh_summ", "instance_weight", "mig_chg_msa", "mig_chg_reg", "mig_move_reg", "mig_same",
  "mig_prev_sunbelt", "num_emp", "fam_under_18", "country_father", "country_mother", "country_self", "citizenship",
  "own_or_self", "vet_question", "vet_benefits", "weeks_worked", "year", "income_50k",
] as const;

const DENSE = ["age", "wage_per_hour", "capital_gains", "capital_losses", "stock_dividends", "num_emp", "weeks_worked"];
const LOG1P = new Set(["wage_per_hour", "capital_gains", "capital_losses", "stock_dividends"]);
const EXCLUDED = new Set(["marital_stat", "income_50k", "instance_weight"]);
export const CENSUS_TASKS = ["income", "marital"] as const;

export interface CensusOptions {
  /** Directory holding census-income.test.gz (default $RECFORGE_DATA or <repo>/../shared/data, + /census-income-kdd). */
  dir?: string;
  /** Seed of the 80/10/10 split (default 20240). */
  splitSeed?: number;
  /** Use only the first n rows of the file (tests); default all. */
  limitRows?: number;
}

export function censusDir(): string {
  return path.join(dataRoot(), "census-income-kdd");
}

/** True when the Census file is present (tests skip otherwise). */
export function censusAvailable(dir = censusDir()): boolean {
  return fs.existsSync(path.join(dir, "census-income.test.gz"));
}

const cache = new Map<string, MultiTaskData>();

export function loadCensus(opts: CensusOptions = {}): MultiTaskData {
  const dir = opts.dir ?? censusDir();
  const seed = opts.splitSeed ?? 20240;
  const key = `${path.resolve(dir)}|${seed}|${opts.limitRows ?? ""}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const file = path.join(dir, "census-income.test.gz");
  if (!fs.existsSync(file))
    throw new Error(`recforge: Census-Income (KDD) not found at ${file} (set RECFORGE_DATA to the directory that holds census-income-kdd/)`);
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("latin1");
  let lines = text.split("\n").filter((l) => l.length > 0);
  if (opts.limitRows !== undefined) lines = lines.slice(0, opts.limitRows);
  const n = lines.length;
  const C = CENSUS_COLUMNS.length;
  const idx = (name: string) => CENSUS_COLUMNS.indexOf(name as (typeof CENSUS_COLUMNS)[number]);

  // split
  const perm = new Rng(seed).permutation(n);
  const nTrain = Math.floor(n * 0.8), nValid = Math.floor(n * 0.1);
  const trainRows = perm.slice(0, nTrain), validRows = perm.slice(nTrain, nTrain + nValid), testRows = perm.slice(nTrain + nValid);

  // One pass over the lines: labels, raw dense values, and per-field string codes (in order
  // of first appearance in the file); the train vocabularies are derived from the codes after.
  const sparseNames = CENSUS_COLUMNS.filter((c) => !EXCLUDED.has(c) && !DENSE.includes(c));
  const sparseCols = sparseNames.map(idx), denseCols = DENSE.map(idx);
  const incCol = idx("income_50k"), marCol = idx("marital_stat");
  const F = sparseNames.length, D = DENSE.length;
  const codes = sparseNames.map(() => new Int32Array(n));
  const codeMaps = sparseNames.map(() => new Map<string, number>());
  const raw = DENSE.map(() => new Float64Array(n));
  const income = new Float32Array(n), marital = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const parts = lines[r].split(", ");
    if (parts.length !== C) throw new Error(`recforge: ${file}: line ${r + 1} has ${parts.length} fields, expected ${C}`);
    const inc = parts[incCol].trim();
    if (inc !== "50000+." && inc !== "- 50000.") throw new Error(`recforge: ${file}: row ${r + 1}: unexpected income label ${JSON.stringify(inc)}`);
    income[r] = inc === "50000+." ? 1 : 0;
    marital[r] = parts[marCol] === "Never married" ? 1 : 0;
    for (let f = 0; f < F; f++) {
      const v = parts[sparseCols[f]].trim();
      const m = codeMaps[f];
      let c = m.get(v);
      if (c === undefined) m.set(v, (c = m.size));
      codes[f][r] = c;
    }
    for (let j = 0; j < D; j++) {
      const x = Number(parts[denseCols[j]]);
      if (!Number.isFinite(x)) throw new Error(`recforge: ${file}: row ${r + 1}: ${DENSE[j]} = ${JSON.stringify(parts[denseCols[j]])} is not a number`);
      raw[j][r] = LOG1P.has(DENSE[j]) ? Math.log1p(Math.max(x, 0)) : x;
    }
  }

  // dense: standardised with the train split's statistics
  const dense = new Float32Array(n * D);
  raw.forEach((v, j) => {
    let s = 0, s2 = 0;
    for (const r of trainRows) {
      s += v[r];
      s2 += v[r] * v[r];
    }
    const mu = s / nTrain;
    const sd = Math.sqrt(Math.max(s2 / nTrain - mu * mu, 0)) || 1;
    for (let r = 0; r < n; r++) dense[r * D + j] = (v[r] - mu) / sd;
  });

  // sparse: ids 1.. in order of first appearance among the (permuted) train rows, 0 = unseen
  const fields: MultiTaskSchema["fields"] = [];
  const sparse = codes.map((code, f) => {
    const toId = new Int32Array(codeMaps[f].size);
    let next = 1;
    for (const r of trainRows) if (toId[code[r]] === 0) toId[code[r]] = next++;
    const ids = new Int32Array(n);
    for (let r = 0; r < n; r++) ids[r] = toId[code[r]];
    fields.push({ name: sparseNames[f], vocabSize: next });
    return ids;
  });

  const schema: MultiTaskSchema = {
    fields,
    denseDim: D,
    tasks: [{ name: "income", type: "binary" }, { name: "marital", type: "binary" }],
  };
  const labels = [income, marital];
  const split = (rows: Int32Array) => new ArraySplit(rows, sparse, dense, D, labels);
  const data: MultiTaskData = { name: "census", schema, train: split(trainRows), valid: split(validRows), test: split(testRows) };
  cache.set(key, data);
  return data;
}
