// A one-line progress bar with elapsed time and ETA on stderr (redrawn in place on a TTY, a line
// every 10% otherwise so logs stay short). The ETA is the linear extrapolation of the elapsed
// time over the fraction done, shown once something is done.
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  if (m < 60) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

// On a terminal the bar is the last line, redrawn in place. Other writes to stderr while it is
// up (the trainers' and harnesses' log lines) would land after the bar's text, so while a bar is
// up stderr's write first clears that line and afterwards redraws the bar below the log line.
let shown: { line: string } | null = null;
let hooked = false;
function hookStderr(): void {
  if (hooked) return;
  hooked = true;
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  (process.stderr as unknown as { write: typeof write }).write = (chunk, ...rest) => {
    if (!shown) return write(chunk, ...rest);
    const bar = shown.line;
    write("\r\x1b[K");
    const ok = write(chunk, ...rest);
    if (String(chunk).endsWith("\n")) write(bar);
    return ok;
  };
}

function draw(line: string, newline: boolean): void {
  shown = null; // the bar's own writes go straight through
  process.stderr.write(`\r${line}\x1b[K${newline ? "\n" : ""}`);
  shown = !newline ? { line } : null;
}

/** Leaves the line of a bar still up (work that stopped short of its total) so what follows starts on a line of its own. */
export function releaseBar(): void {
  if (shown) draw(shown.line, true);
}

/**
 * Where a bar draws and what time it reads (tests inject both; the default is stderr and the
 * wall clock). `tty`: redraw in place (a terminal) or print a line every 10% (a log).
 */
export interface BarIO {
  now?: () => number;
  tty?: boolean;
  /** receives each drawn line (with tty: every update; a finished bar's last line too) */
  write?: (line: string, final: boolean) => void;
}

export class ProgressBar {
  private last = -1;
  private finished = false;
  private readonly now: () => number;
  private readonly start: number;
  /** `start`: when the counted work began (default now; a bar created at the first report passes the earlier time). */
  constructor(private readonly label: string, private total: number, private readonly enabled = true, start?: number, private readonly io: BarIO = {}) {
    this.now = io.now ?? Date.now;
    this.start = start ?? this.now();
  }

  /** Changes the total (a stage whose length becomes known late). */
  setTotal(total: number): void {
    this.total = total;
  }

  /**
   * The line drawn for `done` steps after `elapsedS` seconds (exported for tests). The ETA is
   * `etaS` when the caller has an estimate (a trainer's rate over its pass; null: none yet, "?"),
   * else (undefined) the linear extrapolation of the elapsed time.
   */
  line(done: number, info = "", elapsedS = (this.now() - this.start) / 1000, etaS?: number | null): string {
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const width = 28;
    const fill = Math.round(frac * width);
    const eta = frac >= 1 ? "done" : etaS !== undefined ? `ETA ${formatSeconds(etaS ?? NaN)}` : done > 0 && elapsedS > 0 ? `ETA ${formatSeconds((elapsedS * (1 - frac)) / frac)}` : "ETA ?";
    return `${this.label.padEnd(14)} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${Number.isInteger(done) ? done : done.toFixed(2)}/${this.total} ${formatSeconds(elapsedS)} ${eta}${info ? "  " + info : ""}`;
  }

  /** Shows `done` of the total (`etaS`: the caller's estimate, see line()); a log gets a line per 10%. */
  update(done: number, info = "", etaS?: number | null): void {
    if (!this.enabled || this.finished) return;
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const tty = this.io.tty ?? !!process.stderr.isTTY;
    const pct = Math.floor(frac * 100);
    if (!tty && Math.floor(pct / 10) === Math.floor(this.last / 10) && done < this.total) return;
    this.last = pct;
    const line = this.line(done, info, undefined, etaS);
    if (done >= this.total) this.finished = true;
    if (this.io.write) this.io.write(line, this.finished);
    else if (!tty) process.stderr.write(line + "\n");
    else {
      hookStderr();
      draw(line, this.finished);
    }
  }

  /** Ends a bar whose work stopped short of its total (early stopping): its last line stays. */
  end(): void {
    if (!this.enabled || this.finished) return;
    this.finished = true;
    if (this.io.write) return;
    if (shown && (this.io.tty ?? !!process.stderr.isTTY)) draw(shown.line, true);
  }
}

/** The progress event of the public trainers (lib/api/progress.ts TrainerProgress), as far as the bars read it. */
export interface ProgressEvent {
  phase: string;
  stage?: string;
  epoch: number;
  step: number;
  steps: number;
  loss?: number;
  /** null: no estimate yet; undefined: the bar extrapolates its elapsed time */
  etaS: number | null | undefined;
}

/**
 * A bar per pass of a trainer's progress events (`onProgress` of lib/api's trainers): a new bar
 * when the phase or stage changes, the count goes back or the total changes; labelled
 * "<label> <stage or phase>", one update per event, the trainer's ETA (its rate over the pass).
 * "train" shows the epoch and the step's loss.
 */
export function trainerProgressBars(label: string, opts: { enabled?: boolean; io?: BarIO } = {}): (e: ProgressEvent) => void {
  let bar: ProgressBar | null = null, key = "", last = -1;
  return (e) => {
    const k = `${e.phase}/${e.stage ?? ""}/${e.steps}`;
    if (!bar || k !== key || e.step < last) {
      bar?.end();
      bar = new ProgressBar(label ? `${label} ${e.stage ?? e.phase}` : e.stage ?? e.phase, e.steps, opts.enabled ?? true, undefined, opts.io);
      key = k;
    }
    last = e.step;
    const info = e.phase === "train" ? `epoch ${e.epoch}${e.loss !== undefined ? ` loss ${e.loss.toFixed(4)}` : ""}` : "";
    bar.update(e.step, info, e.etaS);
  };
}

/**
 * The bars of a benchmark's own progress reports (bench/harness/timing.ts benchProgress: `done` of
 * `total` units finished, `what` the last one). A new total, or a count that goes back, starts a
 * new bar; the first unit's report arrives when it ends, so a bar's clock starts at the previous
 * report (a harness reports 0 when a section starts, which draws the bar at once).
 */
export function benchProgressBars(name: string, io: BarIO = {}): (done: number, total: number, what: string) => void {
  const now = io.now ?? Date.now;
  let bar: ProgressBar | null = null, total = -1, lastDone = -1, last = now();
  return (done, n, what) => {
    if (!bar || n !== total || done < lastDone) {
      bar?.end();
      [bar, total] = [new ProgressBar(name, n, true, last, io), n];
    }
    lastDone = done;
    bar.update(done, what);
    last = now();
  };
}
