// A one-line progress bar on stderr (redrawn in place on a TTY, a line every 10% otherwise).
export class ProgressBar {
  private last = -1;
  private readonly start = Date.now();
  constructor(private readonly label: string, private readonly total: number, private readonly enabled = true) {}

  update(done: number, info = ""): void {
    if (!this.enabled) return;
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const tty = process.stderr.isTTY;
    const pct = Math.floor(frac * 100);
    if (!tty && Math.floor(pct / 10) === Math.floor(this.last / 10) && done < this.total) return;
    this.last = pct;
    const width = 28;
    const fill = Math.round(frac * width);
    const secs = (Date.now() - this.start) / 1000;
    const line = `${this.label.padEnd(14)} [${"#".repeat(fill)}${".".repeat(width - fill)}] ${String(pct).padStart(3)}% ${secs.toFixed(1)}s ${info}`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : line + "\n");
    if (tty && done >= this.total) process.stderr.write("\n");
  }
}
