#!/usr/bin/env node
// Holds the TypeScript sources to the layer order that ARCHITECTURE.md states. The order is read
// from ARCHITECTURE.md itself (the block between `<!-- layers:begin -->` and `<!-- layers:end -->`,
// top layer first), so the document and this check cannot drift apart. Fails (exit 1) on:
//   - an import that goes up (a file may import its own layer and the layers below it);
//   - a file that no layer names (a new folder must be placed in the order);
//   - an import into a layer with a face from a file above it that bypasses the face
//     (lib/ops: modules above import it through lib/ops/index.ts or lib/ops/internal.ts,
//     which install Tensor's methods; see FACES);
//   - any import cycle between files (type-only imports count: they are design dependencies too).
// Imports are read with TypeScript's own pre-processor (static, `export … from`, `import type`,
// literal dynamic `import()`); bare specifiers (node:, packages) are outside the graph.
// Usage: node scripts/check-layers.mjs [--root DIR]. `npm test` runs it (test/package/layers.test.js).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Folders whose .ts files are layered (relative to the repository root). */
export const SOURCE_ROOTS = ["lib", "bench/harness"];

/**
 * Folders compiled to a place beside lib's output (folder → where it sits in dist, as a lib path):
 * bench/harness/ is its own tsc project that emits to dist/bench/, so its relative imports are
 * written as from lib/bench/ (`../methods/…` is dist/methods/…) and lib/cli reaches it as `../bench/…`.
 */
export const MOUNTS = { "bench/harness/": "lib/bench/" };

const toVirtual = (file) => {
  for (const [real, virt] of Object.entries(MOUNTS)) if (file.startsWith(real)) return virt + file.slice(real.length);
  return file;
};
const toReal = (file) => {
  for (const [real, virt] of Object.entries(MOUNTS)) if (file.startsWith(virt)) return real + file.slice(virt.length);
  return file;
};

/** Layers entered from above only through these files (folder → faces). */
export const FACES = {
  "lib/ops/": ["lib/ops/index.ts", "lib/ops/internal.ts"],
};

/**
 * Imports allowed against the order for now, each with the reason and who removes it. The check
 * fails when a listed import no longer exists, so the list cannot outlive its entries.
 */
export const PENDING = [];

/** Parses the layer block of ARCHITECTURE.md: [{ name, paths, line }], bottom layer first. */
export function parseLayers(markdown) {
  const m = /<!-- layers:begin -->([\s\S]*?)<!-- layers:end -->/.exec(markdown);
  if (!m) throw new Error("ARCHITECTURE.md has no <!-- layers:begin --> ... <!-- layers:end --> block");
  const layers = [];
  for (const raw of m[1].split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("```") || line.startsWith("<!--") || /^[─-]+/.test(line)) continue;
    const tokens = line.split(/\s+/);
    const paths = [];
    for (const tok of tokens.slice(1)) {
      if (!SOURCE_ROOTS.some((r) => tok === r + "/" || tok.startsWith(r + "/"))) break;
      paths.push(tok);
    }
    if (paths.length === 0) throw new Error(`ARCHITECTURE.md layer line names no path under ${SOURCE_ROOTS.join(", ")}: ${line}`);
    layers.push({ name: tokens[0], paths, line });
  }
  if (layers.length === 0) throw new Error("ARCHITECTURE.md's layer block is empty");
  return layers.reverse();
}

/** The layer index of a file: the layer naming the longest path that covers it, or -1. */
function layerOf(file, layers) {
  let best = -1, bestLen = -1;
  layers.forEach((l, i) => {
    for (const p of l.paths) {
      const covers = p.endsWith("/") ? file.startsWith(p) : file === p;
      if (covers && p.length > bestLen) [best, bestLen] = [i, p.length];
    }
  });
  return best;
}

function faceOf(file) {
  for (const [dir, faces] of Object.entries(FACES)) if (file.startsWith(dir)) return { dir, faces };
  return null;
}

/** Strongly connected components with more than one file (Tarjan, iterative). */
function cycles(graph) {
  const index = new Map(), low = new Map(), onStack = new Set(), stack = [], out = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, next); low.set(start, next); next++; stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const succ = graph.get(v) ?? [];
      if (i < succ.length) {
        top[1]++;
        const w = succ[i];
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next); next++; stack.push(w); onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
      } else {
        work.pop();
        if (work.length) {
          const u = work[work.length - 1][0];
          low.set(u, Math.min(low.get(u), low.get(v)));
        }
        if (low.get(v) === index.get(v)) {
          const comp = [];
          let w;
          do {
            w = stack.pop();
            onStack.delete(w);
            comp.push(w);
          } while (w !== v);
          if (comp.length > 1) out.push(comp.sort());
        }
      }
    }
  }
  return out;
}

/**
 * Checks an import graph (Map: file → files it imports, paths relative to the root) against
 * `layers` (bottom first). Returns { problems: string[], pendingSeen: string[] }.
 */
export function checkGraph(graph, layers, pending = PENDING) {
  const problems = [];
  const pendingKey = (a, b) => `${a} -> ${b}`;
  const pendingSet = new Map(pending.map((p) => [pendingKey(p.from, p.to), p]));
  const pendingSeen = [];
  const kept = new Map(); // the graph without the pending imports, for the cycle search
  for (const [file, deps] of graph) {
    const li = layerOf(file, layers);
    if (li < 0) problems.push(`${file}: in no layer (place its folder in ARCHITECTURE.md's layer block)`);
    kept.set(file, []);
    for (const dep of deps) {
      if (pendingSet.has(pendingKey(file, dep))) {
        pendingSeen.push(pendingKey(file, dep));
        continue;
      }
      kept.get(file).push(dep);
      const lj = layerOf(dep, layers);
      if (li >= 0 && lj > li)
        problems.push(`${file} (layer ${layers[li].name}) imports ${dep} (layer ${layers[lj].name}, above it)`);
      const face = faceOf(dep);
      if (face && !file.startsWith(face.dir) && !face.faces.includes(dep))
        problems.push(`${file} imports ${dep}: modules outside ${face.dir} import it through ${face.faces.join(" or ")}`);
    }
  }
  for (const p of pending)
    if (!pendingSeen.includes(pendingKey(p.from, p.to)))
      problems.push(`PENDING lists ${pendingKey(p.from, p.to)}, which no longer exists: delete the entry in scripts/check-layers.mjs`);
  for (const c of cycles(kept)) problems.push(`import cycle: ${c.join(", ")}`);
  return { problems, pendingSeen };
}

function listSources(root) {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir + "/" + e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) files.push(rel);
    }
  };
  for (const r of SOURCE_ROOTS) if (fs.existsSync(path.join(root, r))) walk(r);
  return files.sort();
}

/** The import graph of the sources under `root` (relative specifiers only; `.js` names its `.ts`). */
export function importGraph(root) {
  const ts = require("typescript");
  const graph = new Map();
  const problems = [];
  for (const file of listSources(root)) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const deps = [];
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = toReal(path.posix.normalize(path.posix.join(path.posix.dirname(toVirtual(file)), fileName)).replace(/\.js$/, ".ts"));
      if (!fs.existsSync(path.join(root, target))) {
        problems.push(`${file}: import ${JSON.stringify(fileName)} names no .ts file`);
        continue;
      }
      if (!deps.includes(target)) deps.push(target);
    }
    graph.set(file, deps);
  }
  return { graph, problems };
}

/** Runs the whole check on a checkout. */
export function checkLayers(root) {
  const layers = parseLayers(fs.readFileSync(path.join(root, "ARCHITECTURE.md"), "utf8"));
  const { graph, problems: readProblems } = importGraph(root);
  const { problems, pendingSeen } = checkGraph(graph, layers);
  let imports = 0;
  for (const deps of graph.values()) imports += deps.length;
  return { layers, files: graph.size, imports, problems: [...readProblems, ...problems], pendingSeen };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--root");
  const root = i > 0 ? path.resolve(process.argv[i + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const r = checkLayers(root);
  for (const p of r.pendingSeen) console.log(`pending (allowed for now): ${p}`);
  for (const p of r.problems) console.log(`layers: ${p}`);
  console.log(`layers: ${r.layers.map((l) => l.name).join(" < ")}; ${r.files} files, ${r.imports} imports, ${r.problems.length} problem(s)`);
  process.exit(r.problems.length ? 1 : 0);
}
