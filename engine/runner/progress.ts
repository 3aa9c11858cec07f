/**
 * Progress while a test runs, shaped like k6's:
 *
 * - on a terminal (stderr is a TTY), a live block repainted in place on stderr:
 *     running (0m05.2s), 10/10 VUs, 45 complete and 0 interrupted iterations
 *     default   [=======>------------------------------] 10 VUs  05.2s/30s
 * - in a CI log (stdout not a TTY), the same lines printed every `--progress-interval` (10 s by
 *   default) and once at the end, with the scenario's share as k6 prints it there:
 *     running (1m00.0s), 200/200 VUs, 3010 complete and 0 interrupted iterations
 *     default   [  45% ] 200/200 VUs  1m18.6s/2m50s
 *   so no CI log stays silent for minutes (many CI systems kill a job after 10 silent minutes);
 * - nothing with --quiet. `startProgress` picks one. Counts are never zero-padded.
 */

export interface ProgressSnapshot {
  elapsedMs: number;
  vusActive: number;
  vusMax: number;
  completed: number;
  interrupted: number;
  scenarios: { name: string; fraction: number; text: string }[];
}

const barWidth = 40;

export function formatElapsed(ms: number): string {
  const totalTenths = Math.floor(ms / 100);
  const tenths = totalTenths % 10;
  const s = Math.floor(totalTenths / 10);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${sec}.${tenths}s` : `${m}m${sec}.${tenths}s`;
}

export function bar(fraction: number, width = barWidth): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(f * width);
  if (filled >= width) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${'-'.repeat(width - filled - 1)}]`;
}

/** `020/200 VUs` → `20/200 VUs`: the executors pad counts for a fixed width; the progress shows them plain. */
export function unpadCounts(text: string): string {
  return text.replace(/\b0+(\d+)\/(\d+)/g, '$1/$2');
}

/** `[  45% ]`, as k6 prints a scenario's share when it cannot draw a bar. */
export function percent(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return `[ ${String(Math.floor(f * 100)).padStart(3, ' ')}% ]`;
}

function headLine(s: ProgressSnapshot): string {
  return `running (${formatElapsed(s.elapsedMs)}), ${s.vusActive}/${s.vusMax} VUs, ${s.completed} complete and ${s.interrupted} interrupted iterations`;
}

/** The lines of one frame (no colours, no cursor control). `plain`: percentages instead of bars (a CI log). */
export function renderProgress(s: ProgressSnapshot, plain = false): string[] {
  const width = Math.max(7, ...s.scenarios.map((x) => x.name.length));
  const rows = s.scenarios.map((x) => {
    const mark = x.fraction >= 1 ? '✓' : ' ';
    return `${x.name.padEnd(width)} ${mark} ${plain ? percent(x.fraction) : bar(x.fraction)} ${unpadCounts(x.text)}`;
  });
  return [headLine(s), ...rows];
}

/** Progress lines for a log (stdout not a terminal): one frame every `intervalMs`, and one at the end. */
export class ProgressLog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly snapshot: () => ProgressSnapshot,
    private readonly intervalMs = defaultLogIntervalMs,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.print(), this.intervalMs);
    this.timer.unref();
  }

  print(): void {
    this.out.write(`${renderProgress(this.snapshot(), true).join('\n')}\n`);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.print();
  }
}

export const defaultLogIntervalMs = 10_000;

export interface StartProgressOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Log lines pass above the live block through it. */
  errWriter?: ProgressAwareWriter;
  quiet: boolean;
  /** --progress-interval for the log lines (ms). */
  intervalMs?: number;
  snapshot: () => ProgressSnapshot;
}

/**
 * Starts the progress that fits where the output goes (see the header comment), or none with
 * --quiet or when stdout is a terminal and stderr is not. Stop it with stop().
 */
export function startProgress(o: StartProgressOptions): ProgressView | ProgressLog | undefined {
  if (o.quiet) return undefined;
  if ((o.stderr as NodeJS.WriteStream).isTTY === true) {
    const view = new ProgressView(o.stderr as NodeJS.WriteStream, o.snapshot);
    o.errWriter?.attach(view);
    view.start();
    return view;
  }
  if ((o.stdout as NodeJS.WriteStream).isTTY === true) return undefined;
  const log = new ProgressLog(o.stdout, o.snapshot, o.intervalMs ?? defaultLogIntervalMs);
  log.start();
  return log;
}

/** Paints frames in place: moves up over the previous frame and clears each line it rewrites. */
export class ProgressView {
  private lines = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly snapshot: () => ProgressSnapshot,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.paint();
    this.timer = setInterval(() => this.paint(), this.intervalMs);
    this.timer.unref();
  }

  paint(): void {
    const cols = this.out.columns && this.out.columns > 20 ? this.out.columns : 120;
    const frame = renderProgress(this.snapshot()).map((l) => (l.length > cols - 1 ? l.slice(0, cols - 1) : l));
    let text = this.lines > 0 ? `\x1b[${this.lines}A` : '';
    for (const line of frame) text += `\r\x1b[2K${line}\n`;
    // A shorter frame than the last one: clear what is left below.
    for (let i = frame.length; i < this.lines; i++) text += '\r\x1b[2K\n';
    const extra = Math.max(0, this.lines - frame.length);
    if (extra > 0) text += `\x1b[${extra}A`;
    this.out.write(text);
    this.lines = frame.length;
  }

  /** Writes `text` (whole lines) above the block: the block is cleared, the text written, the block repainted. */
  above(text: string): void {
    this.out.write(`${this.lines > 0 ? `\x1b[${this.lines}A\r\x1b[0J` : ''}${text}`);
    this.lines = 0;
    this.paint();
  }

  /** Paints the last frame and leaves it on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.paint();
  }
}

/**
 * Everything the run writes to stderr besides the progress block (log lines, worker threads'
 * output) goes through this, so that while a ProgressView is shown the lines land above it
 * instead of being painted over. Partial lines are held until their newline.
 */
export class ProgressAwareWriter {
  private view: ProgressView | undefined;
  private partial = '';

  constructor(readonly target: NodeJS.WritableStream) {}

  attach(view: ProgressView): void {
    this.view = view;
  }

  detach(): void {
    this.view = undefined;
    if (this.partial) {
      this.target.write(this.partial);
      this.partial = '';
    }
  }

  write(chunk: string | Uint8Array): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!this.view) return this.target.write(text);
    const all = this.partial + text;
    const end = all.lastIndexOf('\n');
    if (end < 0) {
      this.partial = all;
      return true;
    }
    this.partial = all.slice(end + 1);
    this.view.above(all.slice(0, end + 1));
    return true;
  }
}
