// Choosing GREENer's selection settings (the ILP's α) on the VALIDATION pairs, never the test
// pairs. The acceptance metrics are BLEU-4 and ROUGE-L; a setting is scored by their product,
// which weighs a relative change of either metric equally (BLEU-4 is ~10× smaller than
// ROUGE-L, so a sum would follow ROUGE-L alone). Ties go to the setting listed first.

export interface ValidationScore {
  bleu4: number;
  rougeL: number;
}

/** The tried setting with the largest BLEU-4 × ROUGE-L (first on ties). */
export function chooseOnValidation<T extends ValidationScore>(tried: readonly T[]): T {
  if (tried.length === 0) throw new RangeError("chooseOnValidation: no setting was tried");
  let best = tried[0];
  for (const c of tried) if (c.bleu4 * c.rougeL > best.bleu4 * best.rougeL) best = c;
  return best;
}
