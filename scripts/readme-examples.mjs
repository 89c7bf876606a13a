#!/usr/bin/env node
// README.md includes examples/*.ts verbatim: each file's code block follows a marker line
//   <!-- example: examples/NAME.ts -->
// and must equal the file. Default: check (one line per example, then "readme-examples: N passed,
// N failed"; exit 1 on a difference, a missing block, or an example file without a marker).
// --write: rewrite the blocks from the files.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const readmePath = path.join(root, "README.md");
const MARKER = /^<!-- example: (examples\/[\w-]+\.ts) -->$/;

/** The README's examples: marker line index, file, and the code block's line range (exclusive end). */
export function readmeExamples(text) {
  const lines = text.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const open = i + 1;
    if (lines[open] !== "```ts") {
      out.push({ file: m[1], marker: i, error: "the marker is not followed by a ```ts block" });
      continue;
    }
    let close = open + 1;
    while (close < lines.length && lines[close] !== "```") close++;
    out.push({ file: m[1], marker: i, start: open + 1, end: close, code: lines.slice(open + 1, close).join("\n") + "\n" });
  }
  return out;
}

export function checkReadme(text = fs.readFileSync(readmePath, "utf8")) {
  const results = [];
  const blocks = readmeExamples(text);
  for (const b of blocks) {
    if (b.error) { results.push({ file: b.file, ok: false, why: b.error }); continue; }
    const p = path.join(root, b.file);
    if (!fs.existsSync(p)) { results.push({ file: b.file, ok: false, why: "no such file" }); continue; }
    const same = fs.readFileSync(p, "utf8") === b.code;
    results.push({ file: b.file, ok: same, why: same ? "" : "the README block differs from the file (node scripts/readme-examples.mjs --write)" });
  }
  const files = fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".ts")).map((f) => `examples/${f}`);
  for (const f of files) if (!blocks.some((b) => b.file === f)) results.push({ file: f, ok: false, why: "not included in README.md" });
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--write")) {
    const lines = fs.readFileSync(readmePath, "utf8").split("\n");
    // Bottom-up, so earlier line numbers stay valid.
    for (const b of readmeExamples(lines.join("\n")).reverse()) {
      if (b.error) throw new Error(`README.md line ${b.marker + 1}: ${b.error}`);
      const code = fs.readFileSync(path.join(root, b.file), "utf8").replace(/\n$/, "").split("\n");
      lines.splice(b.start, b.end - b.start, ...code);
    }
    fs.writeFileSync(readmePath, lines.join("\n"));
  }
  const results = checkReadme();
  for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.file}${r.why ? `: ${r.why}` : ""}`);
  const passed = results.filter((r) => r.ok).length;
  console.log(`readme-examples: ${passed} passed, ${results.length - passed} failed`);
  process.exit(passed === results.length && results.length > 0 ? 0 : 1);
}
