// The 16-bit entry points of the CUDA addon (gemmLowp, intervalAttention{Forward,Backward}Lowp)
// for the EMULATED device (RECFORGE_CUDA_EMULATE=1, lib/native.ts): the float32 operands are
// rounded to bfloat16 / float16 on the host (round to nearest even, as the device conversion
// kernels do) into temporary storages, and the CPU addon's float32 kernels run on the rounded
// values. Same arguments and same results up to fp32 summation order as the device kernels
// (16-bit inputs, fp32 accumulation, float32 outputs); no speed is implied, and the conversions'
// bit-exactness against the device is only verified where a GPU runs test/cuda/checks.js.
import type { Handle, NativeAddon } from "../native.js";
import { roundBf16, roundFp16 } from "./round.js";

type Fn = (...args: any[]) => any;

function kindOf(kind: unknown, fn: string): (x: number) => number {
  if (kind === 0) return roundBf16;
  if (kind === 1) return roundFp16;
  throw new RangeError(`${fn}: kind must be 0 (bfloat16) or 1 (float16), got ${String(kind)}`);
}

/**
 * A host copy of n float32 elements at (h, offset) rounded by `round`, in a fresh storage of the
 * CPU addon (the caller frees it). Bounds are checked by native.read.
 */
function roundedCopy(cpu: NativeAddon, h: Handle, offset: number, n: number, round: (x: number) => number): Handle {
  const buf = new Float32Array(n);
  if (n > 0) cpu.read(h, offset * 4, buf);
  for (let i = 0; i < n; i++) buf[i] = round(buf[i]);
  const t = cpu.alloc(Math.max(4 * n, 4));
  if (n > 0) cpu.write(t, 0, buf);
  return t;
}

function intArg(v: unknown, fn: string, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${fn}: ${what} must be an integer, got ${String(v)}`);
  return v;
}

// Elements spanned by `batch` rows x cols matrices (row stride ld, batch stride s); 0 when empty.
function extent(rows: number, cols: number, ld: number, s: number, batch: number): number {
  if (rows === 0 || cols === 0 || batch === 0) return 0;
  return (batch - 1) * s + (rows - 1) * ld + cols;
}

export function emulatedLowp(cpu: NativeAddon): Record<string, Fn> {
  const withRounded = (fn: string, handles: [Handle, number, number][], round: (x: number) => number, run: (copies: Handle[]) => void) => {
    const copies: Handle[] = [];
    try {
      for (const [h, off, n] of handles) copies.push(roundedCopy(cpu, h, off, n, round));
      run(copies);
    } finally {
      for (const c of copies) cpu.free(c);
    }
  };
  return {
    // gemmLowp(kind, transA, transB, M, N, K, alpha, a_s, a_o, lda, strideA, b_s, b_o, ldb, strideB, beta, c_s, c_o, ldc, strideC, batch)
    gemmLowp(...args: any[]) {
      const fn = "gemmLowp";
      if (args.length !== 21) throw new TypeError(`${fn}: expected 21 arguments, got ${args.length}`);
      const round = kindOf(args[0], fn);
      const [tA, tB] = [args[1], args[2]];
      const [M, N, K] = [3, 4, 5].map((i) => intArg(args[i], fn, ["M", "N", "K"][i - 3]));
      const lda = intArg(args[9], fn, "lda"), sA = intArg(args[10], fn, "strideA");
      const ldb = intArg(args[13], fn, "ldb"), sB = intArg(args[14], fn, "strideB");
      const batch = intArg(args[20], fn, "batch");
      const nA = extent(tA ? K : M, tA ? M : K, lda, sA, batch), nB = extent(tB ? N : K, tB ? K : N, ldb, sB, batch);
      withRounded(fn, [[args[7], intArg(args[8], fn, "A offset"), nA], [args[11], intArg(args[12], fn, "B offset"), nB]], round, ([a, b]) => {
        const g = [...args];
        g[0] = 0; // float32
        g[7] = a, g[8] = 0, g[11] = b, g[12] = 0;
        cpu.gemm(...g);
      });
    },
    // The 22 arguments of intervalAttentionForward, then kind.
    intervalAttentionForwardLowp(...args: any[]) {
      const fn = "intervalAttentionForwardLowp";
      if (args.length !== 23) throw new TypeError(`${fn}: expected 23 arguments (kind last), got ${args.length}`);
      const round = kindOf(args[22], fn);
      if (args[0] !== 0) throw new TypeError(`${fn}: dtype must be float32 (0), got ${String(args[0])}`);
      const n = intArg(args[1], fn, "H") * intArg(args[2], fn, "L") * intArg(args[3], fn, "D");
      withRounded(fn, [4, 6, 8].map((i) => [args[i], intArg(args[i + 1], fn, "offset"), n] as [Handle, number, number]), round, ([q, k, v]) => {
        const g = args.slice(0, 22);
        g[4] = q, g[5] = 0, g[6] = k, g[7] = 0, g[8] = v, g[9] = 0;
        cpu.intervalAttentionForward(...g);
      });
    },
    // The 30 arguments of intervalAttentionBackward, then kind: q, k, v and dout rounded; out (the
    // float32 forward output), lse and the outputs float32.
    intervalAttentionBackwardLowp(...args: any[]) {
      const fn = "intervalAttentionBackwardLowp";
      if (args.length !== 31) throw new TypeError(`${fn}: expected 31 arguments (kind last), got ${args.length}`);
      const round = kindOf(args[30], fn);
      if (args[0] !== 0) throw new TypeError(`${fn}: dtype must be float32 (0), got ${String(args[0])}`);
      const n = intArg(args[1], fn, "H") * intArg(args[2], fn, "L") * intArg(args[3], fn, "D");
      withRounded(fn, [4, 6, 8, 14].map((i) => [args[i], intArg(args[i + 1], fn, "offset"), n] as [Handle, number, number]), round, ([q, k, v, dout]) => {
        const g = args.slice(0, 30);
        g[4] = q, g[5] = 0, g[6] = k, g[7] = 0, g[8] = v, g[9] = 0, g[14] = dout, g[15] = 0;
        cpu.intervalAttentionBackward(...g);
      });
    },
  };
}
