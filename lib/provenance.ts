// Where a result came from: every result file recforge writes carries this block, filled in by the
// command itself (issue 17: no hand edits). Start it before the measured work and finish it after, so
// the load average brackets the run.
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { backends } from "./runtime.js";

export interface Machine {
  /** CPU model as the kernel reports it. */
  cpu: string;
  /** The widest x86 vector extensions present (from /proc/cpuinfo): what the kernels could use. */
  isa: string;
  /** The instruction-set variant recforge's own kernels ran with ("baseline", "avx2", "avx512": RECFORGE_CPU_ISA or the CPU). */
  kernel_isa: string;
  cores: number;
  /** recforge's CPU worker threads. */
  threads: number;
  /** The GEMM path the dispatch chose, with the BLAS core name where it is OpenBLAS. */
  blas_core: string;
  /** What the GEMM dispatch sends to the library and why (backends().cpu.gemmDispatch). */
  gemm_dispatch: string;
  node: string;
}

export interface Provenance {
  commit: string | null;
  /** true when the working tree had uncommitted changes to tracked files. */
  commit_dirty: boolean | null;
  command: string;
  date_start: string;
  date_end: string;
  machine: Machine;
  /** 1-minute load averages at the start and end of the run: > cores means the numbers were measured under load. */
  load_start: number[];
  load_end: number[];
}

export function gitCommit(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execSync("git rev-parse HEAD", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

export function cpuIsa(): string {
  let flags = "";
  try {
    const info = fs.readFileSync("/proc/cpuinfo", "utf8");
    flags = /^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "";
  } catch {
    return process.arch;
  }
  const has = new Set(flags.split(/\s+/));
  const parts: string[] = [];
  for (const f of ["avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "avx2", "fma"]) if (has.has(f)) parts.push(f);
  if (parts.length === 0) for (const f of ["sse4_2", "sse2"]) if (has.has(f)) { parts.push(f); break; }
  return parts.join(" ") || process.arch;
}

export function machineInfo(): Machine {
  const cpus = os.cpus();
  const b = backends();
  return { cpu: cpus[0]?.model ?? "unknown", isa: cpuIsa(), kernel_isa: b.cpu.isa, cores: cpus.length, threads: b.cpu.threads, blas_core: b.cpu.gemm, gemm_dispatch: b.cpu.gemmDispatch, node: process.version };
}

const load = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/**
 * The command line of this process as a user typed it: `recforge bench ops --quick` when run through
 * bin/recforge.js, else the script and its arguments (a test calling a harness directly says so).
 */
export function commandLine(): string {
  const script = process.argv[1] ?? "node";
  const head = /(^|[\\/])recforge(\.js)?$/.test(script) ? "recforge" : script;
  return [head, ...process.argv.slice(2)].join(" ");
}

/**
 * Call before the run; call the returned function after it for the finished block. `command`
 * defaults to this process's command line (commandLine()).
 */
export function startProvenance(command?: string | string[]): () => Provenance {
  const t0 = new Date().toISOString();
  const l0 = load();
  const git = gitCommit();
  const cmd = command === undefined ? commandLine() : Array.isArray(command) ? command.join(" ") : command;
  return () => ({ commit: git.commit, commit_dirty: git.dirty, command: cmd, date_start: t0, date_end: new Date().toISOString(), machine: machineInfo(), load_start: l0, load_end: load() });
}
