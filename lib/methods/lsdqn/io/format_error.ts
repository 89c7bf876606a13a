// The one error a malformed or truncated instance file raises: it names the file (and the line or
// entry) and says what was expected, so a corrupt download is obvious.
export class InstanceFormatError extends Error {
  constructor(file: string, message: string) {
    super(`recforge: ${file}: ${message}`);
    this.name = "InstanceFormatError";
  }
}

/** Lines of a text file with 1-based numbers, blank lines kept out. */
export function numberedLines(text: string): { no: number; text: string }[] {
  const out: { no: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const s = l.trim();
    if (s.length) out.push({ no: i + 1, text: s });
  });
  return out;
}

/** A finite number from a token, or the error naming where it was. */
export function parseNumber(tok: string | undefined, file: string, where: string): number {
  const v = tok === undefined || tok === "" ? NaN : Number(tok);
  if (!Number.isFinite(v)) throw new InstanceFormatError(file, `${where}: expected a number, got ${JSON.stringify(tok ?? "")}`);
  return v;
}

export function parseInteger(tok: string | undefined, file: string, where: string, min = -Infinity, max = Infinity): number {
  const v = parseNumber(tok, file, where);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new InstanceFormatError(file, `${where}: expected an integer in [${min}, ${max}], got ${tok}`);
  return v;
}
