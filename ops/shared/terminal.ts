/**
 * Terminal helpers shared by the ops tools: colour only on a TTY and never with NO_COLOR or
 * --no-color, and padding that ignores escape codes so tables stay aligned.
 */
export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function paint(enabled: boolean): Paint {
  const wrap = (code: number, reset: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[${reset}m` : s);
  return { green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function colorWanted(stream: NodeJS.WriteStream, argvNoColor: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !argvNoColor && env.NO_COLOR === undefined;
}

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;
export function visibleLength(s: string): number {
  return [...s.replace(ansi, '')].length;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleLength(s))) + s;
}

/** Formats ms for tables: "0.8 ms", "42 ms", "1.25 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
