#!/usr/bin/env node
// Checks that native code built for baseline x86-64 holds no AVX instruction outside the
// kernels' AVX variants (recforge/cpu_isa.h), so the addon cannot die with "Illegal
// instruction" on a CPU without AVX2: those variants run only after cpu_isa() chose them.
//
//   node scripts/check-cpu-isa.mjs build/Release/recforge.node [more .node / .o / .a files]
//
// For every function in the disassembly (objdump -d -C), an instruction is counted as AVX when
// its mnemonic is VEX/EVEX-encoded (starts with "v": vmovaps, vfmadd231ps, ...; the legacy
// verr/verw excepted), it names a ymm/zmm register, or it is an AVX-512 mask instruction
// (k*). A function holding one must live in an isa_avx2 or isa_avx512 namespace (the
// per-ISA translation units *_avx2.cc / *_avx512.cc); anything else fails. A whole build (.node,
// .a, .so) also fails when no function of the AVX variants is found at all (a build that lost
// them, or an objdump that printed nothing, must not pass); a single object may have none. Prints one line per file and "check-cpu-isa: N passed,
// N failed" at the end.
import { execFileSync } from "node:child_process";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/check-cpu-isa.mjs FILE...");
  process.exit(2);
}
const AVX_MNEMONIC = /^(v(?!err\b|erw\b)[a-z0-9]+|k(mov|and|andn|or|xor|xnor|not|shift[lr]|test|ortest|unpck|add)[bwdq]*)\b/;
const WIDE_REG = /%[yz]mm\d+|%k[1-7]\b/;
const ALLOWED = /isa_avx(2|512)::/; // recforge::gemm_detail::isa_avx2::, recforge::attn_isa_avx2::, ...

let passed = 0;
let failed = 0;
for (const file of files) {
  let text;
  try {
    text = execFileSync("objdump", ["-d", "-C", "--no-show-raw-insn", file], { encoding: "utf8", maxBuffer: 1 << 30 });
  } catch (e) {
    console.log(`FAIL ${file}: objdump failed: ${e.message}`);
    failed++;
    continue;
  }
  // A stripped file has only its exported symbols: the code of every internal function would be
  // attributed to the exported one before it, so nothing could be checked.
  const sections = execFileSync("readelf", ["-S", "-W", file], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (!/\.symtab\b/.test(sections)) {
    console.log(`FAIL ${file}: stripped (no .symtab): check the unstripped build instead`);
    failed++;
    continue;
  }
  const bad = new Map(); // function -> first AVX instruction
  let fn = "";
  let fnAvx = 0; // functions of the AVX variants that hold AVX instructions
  let fnSeen = new Set();
  let functions = 0;
  for (const line of text.split("\n")) {
    const head = /^[0-9a-f]+ <(.*)>:$/.exec(line);
    if (head) {
      fn = head[1];
      functions++;
      continue;
    }
    const ins = /^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$/.exec(line);
    if (!ins || !fn) continue;
    const [, mnemonic, operands] = ins;
    if (!AVX_MNEMONIC.test(mnemonic) && !WIDE_REG.test(operands)) continue;
    if (ALLOWED.test(fn)) {
      if (!fnSeen.has(fn)) {
        fnSeen.add(fn);
        fnAvx++;
      }
    } else if (!bad.has(fn)) {
      bad.set(fn, `${mnemonic} ${operands}`.trim());
    }
  }
  if (functions === 0) {
    console.log(`FAIL ${file}: no function in the disassembly`);
    failed++;
  } else if (bad.size > 0) {
    console.log(`FAIL ${file}: ${bad.size} function(s) outside isa_avx2/isa_avx512 hold AVX instructions:`);
    for (const [f, i] of [...bad].slice(0, 20)) console.log(`  ${f}\n      ${i}`);
    failed++;
  } else if (fnAvx === 0 && /\.(node|a|so)$/.test(file)) {
    console.log(`FAIL ${file}: no AVX variant found (${functions} functions): the per-ISA kernels are missing`);
    failed++;
  } else {
    console.log(`ok   ${file}: ${functions} functions, AVX only in ${fnAvx} function(s) of isa_avx2/isa_avx512`);
    passed++;
  }
}
console.log(`check-cpu-isa: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
