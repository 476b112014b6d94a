/**
 * Progress reporting for long runs: a redrawn bar with ETA on a terminal, periodic plain lines otherwise
 * (logs, CI, pipes). Writes to stderr so stdout stays clean for JSON.
 */

export interface ProgressOptions {
  total: number;
  label?: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Minimum milliseconds between plain-line updates when not on a terminal (default 5000). */
  plainEveryMs?: number;
  /** Silence all output. */
  quiet?: boolean;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
}

export class Progress {
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastDone = -1;
  private startDone = 0;
  private readonly stream: ProgressOptions['stream'];
  private readonly tty: boolean;
  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream?.isTTY);
  }
  /** Count already done when the bar starts (e.g. after a resume), so the rate and ETA only use new work. */
  setStart(done: number): void {
    this.startDone = done;
  }
  update(done: number, extra = ''): void {
    if (this.opts.quiet || !this.stream) return;
    const now = Date.now();
    const every = this.tty ? 100 : (this.opts.plainEveryMs ?? 5000);
    if (now - this.lastDraw < every && done < this.opts.total) return;
    this.lastDraw = now;
    this.lastDone = done;
    const elapsed = (now - this.start) / 1000;
    const rate = (done - this.startDone) / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.opts.total - done) / rate : NaN;
    const pct = ((100 * done) / this.opts.total).toFixed(1).padStart(5);
    const label = this.opts.label ? `${this.opts.label} ` : '';
    const tail = `${done}/${this.opts.total} ${pct}% ${formatDuration(elapsed)}<${formatDuration(eta)}${extra ? ' ' + extra : ''}`;
    if (this.tty) {
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - tail.length - label.length - 4));
      const fill = Math.round((width * done) / this.opts.total);
      this.stream.write(`\r${label}[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${tail}\x1b[K`);
    } else {
      this.stream.write(`${label}${tail}\n`);
    }
  }
  /** Ends the bar of a run that stopped early: shows where it stopped (never 100 %) and ends the line. */
  stopped(done: number, extra = 'stopped'): void {
    if (this.opts.quiet || !this.stream) return;
    const total = this.opts.total;
    const now = Date.now();
    this.lastDraw = now;
    this.lastDone = done;
    const elapsed = (now - this.start) / 1000;
    const pct = ((100 * Math.min(done, total)) / total).toFixed(1).padStart(5);
    const label = this.opts.label ? `${this.opts.label} ` : '';
    this.stream.write(
      `${this.tty ? '\r' : ''}${label}${done}/${total} ${pct}% ${formatDuration(elapsed)} ${extra}${this.tty ? '\x1b[K\n' : '\n'}`,
    );
  }
  done(extra = ''): void {
    if (this.opts.quiet || !this.stream) return;
    if (this.lastDone !== this.opts.total) {
      this.lastDraw = 0;
      this.update(this.opts.total, extra);
    }
    if (this.tty) this.stream.write('\n');
  }
}
