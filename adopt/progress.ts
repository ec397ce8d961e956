// A progress line on stderr: rewritten in place on a terminal; on a pipe (CI, tests, a log) one line per committed
// batch, which is also how a supervisor can tell that batches are landing.

export class Progress {
  private entry = "";
  private total = 0;
  private done = 0;
  private readonly tty: boolean;

  constructor(private readonly write: ((text: string) => void) | undefined, tty = Boolean(process.stderr.isTTY)) {
    this.tty = tty;
  }

  start(entry: string, total: number): void {
    this.entry = entry;
    this.total = total;
    this.done = 0;
    this.draw(false);
  }

  advance(rows: number, batch?: number): void {
    this.done += rows;
    this.draw(false, batch);
  }

  end(): void {
    if (this.tty && this.write) this.write("\n");
  }

  private draw(final: boolean, batch?: number): void {
    if (!this.write) return;
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    if (this.tty) {
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      this.write(`\r${this.entry.padEnd(24)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.done}/${this.total} ${pct}%\x1b[K${final ? "\n" : ""}`);
    } else if (batch !== undefined) {
      this.write(`progress: ${this.entry} ${this.done}/${this.total} (${pct}%) batch ${batch} committed\n`);
    }
  }
}
