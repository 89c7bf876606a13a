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

function draw(line: string | null, newline: boolean): void {
  shown = null; // the bar's own writes go straight through
  process.stderr.write(line === null ? "\n" : `\r${line}\x1b[K${newline ? "\n" : ""}`);
  shown = line !== null && !newline ? { line } : null;
}

export class ProgressBar {
  private last = -1;
  private finished = false;
  /** `start`: when the counted work began (default now; a bar created at the first report passes the earlier time). */
  constructor(private readonly label: string, private total: number, private readonly enabled = true, private readonly start = Date.now()) {}

  /** Changes the total (a stage whose length becomes known late). */
  setTotal(total: number): void {
    this.total = total;
  }

  /** The line drawn for `done` steps after `elapsedS` seconds (exported for tests). */
  line(done: number, info = "", elapsedS = (Date.now() - this.start) / 1000): string {
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const width = 28;
    const fill = Math.round(frac * width);
    const eta = done > 0 && frac < 1 ? `ETA ${formatSeconds((elapsedS * (1 - frac)) / frac)}` : frac >= 1 ? "done" : "ETA ?";
    return `${this.label.padEnd(14)} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${Number.isInteger(done) ? done : done.toFixed(2)}/${this.total} ${formatSeconds(elapsedS)} ${eta}${info ? "  " + info : ""}`;
  }

  update(done: number, info = ""): void {
    if (!this.enabled || this.finished) return;
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const tty = process.stderr.isTTY;
    const pct = Math.floor(frac * 100);
    if (!tty && Math.floor(pct / 10) === Math.floor(this.last / 10) && done < this.total) return;
    this.last = pct;
    const line = this.line(done, info);
    if (done >= this.total) this.finished = true;
    if (!tty) {
      process.stderr.write(line + "\n");
      return;
    }
    hookStderr();
    draw(line, this.finished);
  }
}
