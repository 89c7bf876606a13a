// Part-of-speech tagging for attribute extraction, via wink-nlp and its English "lite web"
// model (MIT, no native code, no dependencies, ~4.6 MB together: optional peer dependencies of
// recforge, so installs that never tag do not fetch them; ~0.5 M tokens/s here, so the
// whole Musical Instruments corpus is tagged in about 2 s). Loaded lazily, so tokenisation and
// the metrics work without it. Tags are Universal Dependencies POS tags ("NOUN", "ADJ", ...).
import { importOptional } from "../data/optional.js";

export interface TaggedToken {
  /** lower-case surface form (wink's "normal") */
  surface: string;
  /** lower-case lemma ("strings" → "string") */
  lemma: string;
  pos: string;
}

/** Tags one sentence. Must be deterministic: same input, same output. */
export type PosTagger = (sentence: string) => TaggedToken[];

let cached: PosTagger | null = null;

/** The wink-nlp tagger (loaded once per process). */
export async function loadWinkTagger(): Promise<PosTagger> {
  if (cached) return cached;
  // Optional peer dependencies: a missing one is an error naming the package to install.
  const user = "GREENer's attribute extraction (part-of-speech tagging)";
  const [{ default: winkNLP }, modelMod] = await Promise.all([
    importOptional("wink-nlp", user, () => import("wink-nlp")),
    importOptional("wink-eng-lite-web-model", user, () => import("wink-eng-lite-web-model")),
  ]);
  const nlp = winkNLP((modelMod as { default: Parameters<typeof winkNLP>[0] }).default, ["sbd", "pos"]);
  // wink's typings do not line up for lemma(); the runtime API is uniform.
  const its = nlp.its as unknown as Record<"normal" | "lemma" | "pos", never>;
  cached = (sentence: string) => {
    const toks = nlp.readDoc(sentence).tokens();
    const surface = toks.out(its.normal) as unknown as string[];
    const lemma = toks.out(its.lemma) as unknown as string[];
    const pos = toks.out(its.pos) as unknown as string[];
    return surface.map((s, i) => ({ surface: s, lemma: (lemma[i] ?? s).toLowerCase(), pos: pos[i] }));
  };
  return cached;
}

/** The version of the tagging packages, for cache stamps (tags can change between versions). */
export async function winkVersion(): Promise<string> {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const version = async (name: string) =>
    (await importOptional(name, "GREENer's attribute extraction (part-of-speech tagging)", async () => require(`${name}/package.json`) as { version: string })).version;
  const a = await version("wink-nlp");
  const b = await version("wink-eng-lite-web-model");
  return `wink-nlp@${a}+wink-eng-lite-web-model@${b}`;
}
