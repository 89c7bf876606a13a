// Sentence splitting and word tokenisation for review text.
//
// Both are small deterministic rule sets (no model), so every metric, TF-IDF vector and
// cached data set built on them is reproducible across machines and package versions.
// The rules are tuned for user-written reviews, which often omit the space after a
// full stop ("affordable.I did") and often start sentences in lower case.

/** Lower-case word tokens: runs of letters/digits, with inner apostrophes kept ("don't").
 *  Curly apostrophes are folded to "'"; everything else (punctuation, emoticons, "-",
 *  ".") separates tokens, so "3.5" → ["3", "5"] and "e-mail" → ["e", "mail"]. */
export function tokenize(text: string): string[] {
  const s = text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  return s.match(TOKEN_RE) ?? [];
}
const TOKEN_RE = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/** Number of word tokens (what "sentences shorter than 4 words" counts). */
export function wordCount(text: string): number {
  return tokenize(text).length;
}

// Words that end with "." without ending the sentence (compared lower-case, without the dot).
const ABBREVIATIONS = new Set([
  "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "inc", "ltd",
  "co", "corp", "approx", "appx", "est", "fig", "no", "vol", "ft", "in", "lbs", "oz", "jan", "feb", "mar",
  "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ave",
]);

/**
 * Splits text into sentences. A boundary is:
 *  - a line break;
 *  - a run of [.!?…] (plus closing quotes/brackets) followed by whitespace or the end of
 *    the text — except a "." after a known abbreviation ("Mr.", "e.g.", "vs.") or after a
 *    single letter (initials, "U.S."), and a "." after "no"/"in"/... only when a digit follows;
 *  - a [.!?] directly followed by an upper-case letter when the character before it is a
 *    lower-case letter ("affordable.I did"), which catches the missing space but not
 *    "U.S.A" or decimals like "3.5".
 * Sentences are trimmed; empty ones are dropped. Case of the next word does not matter
 * after whitespace, since reviewers often write lower-case sentences.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|[\n\r\u2028\u2029]/)) splitLine(line, out);
  return out;
}

function splitLine(line: string, out: string[]): void {
  let start = 0;
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i];
    if (!isTerminator(c)) { i++; continue; }
    // Extend over the whole run of terminators and closing quotes/brackets.
    let j = i;
    while (j < n && isTerminator(line[j])) j++;
    while (j < n && isCloser(line[j])) j++;
    const next = j < n ? line[j] : "";
    let boundary = false;
    if (next === "" || /\s/.test(next)) {
      boundary = !(j - i === 1 && c === "." && isAbbreviationBefore(line, i, line.slice(j)));
    } else {
      // No space after the terminator: only a lower-case letter before and an upper-case after.
      const prev = i > 0 ? line[i - 1] : "";
      boundary = isLower(prev) && isUpper(next) && !(c === "." && isAbbreviationBefore(line, i, line.slice(j)));
    }
    if (boundary) {
      push(out, line.slice(start, j));
      start = j;
    }
    i = j;
  }
  push(out, line.slice(start));
}

function push(out: string[], s: string): void {
  const t = s.trim();
  if (t) out.push(t);
}

function isTerminator(c: string): boolean {
  return c === "." || c === "!" || c === "?" || c === "\u2026";
}
function isCloser(c: string): boolean {
  return c === '"' || c === "'" || c === ")" || c === "]" || c === "\u201d" || c === "\u2019";
}
function isLower(c: string): boolean {
  return c !== "" && c.toLowerCase() === c && c.toUpperCase() !== c;
}
function isUpper(c: string): boolean {
  return c !== "" && c.toUpperCase() === c && c.toLowerCase() !== c;
}

/** Is the "." at `dot` the end of an abbreviation or an initial rather than a sentence? */
function isAbbreviationBefore(line: string, dot: number, rest: string): boolean {
  let k = dot;
  while (k > 0 && /[\p{L}.]/u.test(line[k - 1])) k--;
  const word = line.slice(k, dot).toLowerCase();
  if (word === "") return false;
  if (/^\p{L}$/u.test(word)) return true; // initial: "J. Smith", last letter of "U.S."
  if (/^(\p{L}\.)+\p{L}$/u.test(word)) return true; // "e.g", "i.e", "u.s"
  if (!ABBREVIATIONS.has(word)) return false;
  // "no." / "in." / "vol." are abbreviations only before a number ("No. 5", "6 in. long" is rare).
  if (word === "no" || word === "in" || word === "vol" || word === "fig") return /^\s*\d/.test(rest);
  return true;
}
