// Why: `aetos-load target` / `npm run target`: flags + env → a running service; prints the URL as
// the first stdout line (the runner and spawnTarget wait for it) and the admin token second; logs
// (pino) go to stdout after those lines, to --log FILE, or nowhere with --quiet.
// --exit-with-parent (wms/spawn.ts passes it): the parent holds our stdin open; when it is gone
// (its end of the pipe closes, even after a SIGKILL) or we are re-parented, shut down.
import { Writable } from 'node:stream';
import pino from 'pino';
import { configFromEnv, type TargetConfig } from '../wms/config.ts';
import { startTarget, unsafeBinding } from '../wms/index.ts';

const usage = 'usage: aetos-load target [--port N] [--host H] [--seed-users N] [--seed-skus N] [--log FILE] [--quiet] [--exit-with-parent]';

function parseArgs(argv: string[], config: TargetConfig): { quiet: boolean; exitWithParent: boolean } {
  let quiet = false;
  let exitWithParent = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag}: missing value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) throw new Error(`${flag}: expected a non-negative integer, got "${v}"`);
      return Number(v);
    };
    switch (flag) {
      case '--port': config.port = int(value()); break;
      case '--host': config.host = value(); break;
      case '--seed-users': config.seedUsers = int(value()); break;
      case '--seed-skus': config.seedSkus = int(value()); break;
      case '--log': config.logFile = value(); break;
      case '--quiet': quiet = true; break;
      case '--exit-with-parent': exitWithParent = true; break;
      case '-h': case '--help': throw Object.assign(new Error(usage), { help: true });
      default: throw new Error(`unknown flag ${a}\n${usage}`);
    }
  }
  if (config.port > 65535) throw new Error(`--port: out of range: ${config.port}`);
  return { quiet, exitWithParent };
}

/**
 * Calls `gone` once the parent has gone: stdin (its pipe) ends, or we were re-parented.
 * Returns the function that stops watching (a resumed stdin would keep the process alive).
 */
function watchParent(gone: (why: string) => void): () => void {
  const ppid = process.ppid;
  process.stdin.on('error', () => gone('parent pipe broke'));
  process.stdin.once('end', () => gone('parent closed its pipe'));
  process.stdin.resume();
  const poll = setInterval(() => {
    if (process.ppid !== ppid) gone(`parent ${ppid} is gone`);
  }, 1000);
  poll.unref();
  return () => {
    clearInterval(poll);
    process.stdin.destroy();
  };
}

export async function main(argv: string[]): Promise<number> {
  let config: TargetConfig;
  let quiet: boolean;
  let exitWithParent: boolean;
  try {
    config = configFromEnv(process.env);
    ({ quiet, exitWithParent } = parseArgs(argv, config));
  } catch (e: any) {
    process.stderr.write(`aetos-load target: ${e.message}\n`);
    return e.help ? 0 : 2;
  }
  const refusal = unsafeBinding(config);
  if (refusal) {
    process.stderr.write(`aetos-load target: ${refusal}\n`);
    return 2;
  }
  // Stdout log lines are held until the first two lines are printed.
  let ready = false;
  const held: string[] = [];
  const stdoutSink = new Writable({
    write(chunk, _enc, cb) {
      if (ready) process.stdout.write(chunk, cb);
      else {
        held.push(String(chunk));
        cb();
      }
    },
  });
  const logger = config.logFile
    ? pino({ level: quiet ? 'silent' : 'info' }, pino.destination({ dest: config.logFile, mkdir: true, sync: false }))
    : pino({ level: quiet ? 'silent' : 'info' }, stdoutSink);
  let target;
  try {
    target = await startTarget(config, logger);
  } catch (e: any) {
    process.stderr.write(`aetos-load target: could not start: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(`AetosWMS target listening on ${target.url}\n`);
  process.stdout.write(`admin token: ${target.adminToken}\n`);
  ready = true;
  for (const l of held.splice(0)) process.stdout.write(l);
  logger.info({ database: target.ctx.db.kind, cache: target.ctx.cache.kind, seedUsers: config.seedUsers, seedSkus: config.seedSkus }, 'target ready');

  let unwatch = () => {};
  const done = new Promise<number>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down: finishing in-flight requests');
      const force = setTimeout(() => {
        process.stderr.write('aetos-load target: shutdown took over 30 s, exiting\n');
        resolve(1);
      }, 30_000);
      force.unref();
      target.close().then(
        () => {
          clearTimeout(force);
          logger.flush?.();
          resolve(0);
        },
        (e) => {
          process.stderr.write(`aetos-load target: shutdown error: ${e.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    if (exitWithParent) unwatch = watchParent((why) => stop(why));
  });
  const code = await done;
  unwatch();
  return code;
}
