/**
 * `aetos-load version`: the engine's version, the Node.js running it, and the k6 version whose
 * documented behaviour the engine follows (k6's own `k6 version` prints one line the same way).
 */
import { ENGINE_VERSION, K6_VERSION_FOLLOWED } from '../engine/version.ts';

export function versionLine(): string {
  return `aetos-load v${ENGINE_VERSION} (node ${process.version}, ${process.platform}/${process.arch}) follows k6 v${K6_VERSION_FOLLOWED}`;
}

export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  if (argv.length > 0 && !(argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help'))) {
    (io.stderr ?? process.stderr).write(`aetos-load version: takes no arguments (got ${argv.join(' ')})\n`);
    return 2;
  }
  stdout.write(argv.length > 0 ? 'usage: aetos-load version\n' : `${versionLine()}\n`);
  return 0;
}
