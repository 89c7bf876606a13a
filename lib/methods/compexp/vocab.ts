// CompExp's word vocabulary: training tokens seen at least `minCount` times (default 3) plus the
// four special tokens, which take ids 0..3 so a padded batch is all zeros where nothing is.
export const PAD = 0, UNK = 1, SOS = 2, EOS = 3;
/** Pads token-id sequences to one length T (with optional <sos>/<eos> around each); lengths include them. */
export function padIds(seqs: readonly Int32Array[], prefix: number | null, suffix: number | null): { ids: Int32Array; lengths: Int32Array; T: number } {
  const extra = (prefix !== null ? 1 : 0) + (suffix !== null ? 1 : 0);
  let T = 1;
  for (const s of seqs) T = Math.max(T, s.length + extra);
  const ids = new Int32Array(seqs.length * T).fill(PAD), lengths = new Int32Array(seqs.length);
  seqs.forEach((s, i) => {
    let k = i * T;
    if (prefix !== null) ids[k++] = prefix;
    ids.set(s, k);
    k += s.length;
    if (suffix !== null) ids[k] = suffix;
    lengths[i] = s.length + extra;
  });
  return { ids, lengths, T };
}

const SPECIALS = ["<pad>", "<unk>", "<sos>", "<eos>"];

export class Vocab {
  private readonly ids = new Map<string, number>();

  constructor(readonly words: readonly string[]) {
    for (let i = 0; i < SPECIALS.length; i++) {
      if (words[i] !== SPECIALS[i]) throw new RangeError(`Vocab: word ${i} must be ${SPECIALS[i]}, got ${JSON.stringify(words[i])}`);
    }
    words.forEach((w, i) => {
      if (this.ids.has(w)) throw new RangeError(`Vocab: ${JSON.stringify(w)} appears twice`);
      this.ids.set(w, i);
    });
  }

  /**
   * From training sentences (token lists). Words are ordered by count (descending), ties by the
   * word, so the ids do not depend on sentence order. A vocabulary with no word beyond the
   * specials is an error: nothing could be generated from it.
   */
  static build(sentences: Iterable<readonly string[]>, minCount = 3): Vocab {
    if (!Number.isInteger(minCount) || minCount < 1) throw new RangeError(`Vocab.build: minCount must be an integer >= 1, got ${minCount}`);
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
    const kept = [...counts.entries()].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
    if (kept.length === 0) throw new RangeError(`Vocab.build: empty vocabulary (no training word is seen ${minCount} times; ${counts.size} distinct words)`);
    return new Vocab([...SPECIALS, ...kept]);
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    const id = this.ids.get(word);
    return id !== undefined && id >= SPECIALS.length;
  }

  id(word: string): number {
    return this.ids.get(word) ?? UNK;
  }

  encode(tokens: readonly string[]): Int32Array {
    return Int32Array.from(tokens, (w) => this.id(w));
  }

  /** Tokens of ids, stopping at <eos> and skipping <pad> / <sos>. */
  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === EOS) break;
      if (id === PAD || id === SOS) continue;
      if (!Number.isInteger(id) || id < 0 || id >= this.words.length) throw new RangeError(`Vocab.decode: id ${id} outside [0, ${this.words.length})`);
      out.push(this.words[id]);
    }
    return out;
  }
}
