/**
 * `aetos-load archive [run flags] [-O archive.tar] <script>`: k6's archive (engine/build/archive.ts
 * describes the layout). Evaluates the init code once (as k6 does) to learn the consolidated options
 * and every file open() reads, bundles to learn every local and remote module, then writes the tar.
 * `aetos-load run archive.tar` (cli/run.ts) runs it with no network; so does `k6 run archive.tar`.
 *
 * A `.ts` script is archived as its bundle (`<name>.ts.js`, local and remote modules inlined): k6
 * cannot import the JSON and TypeScript files a TS scenario pulls in, and the bundle is the k6 script
 * `build` would write. A `.js` script is archived as k6 archives it: the script and its modules as
 * they are.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRunArgs } from '../engine/config/index.ts';
import { ConfigError, EngineError, ScriptLoadError } from '../engine/errors.ts';

export interface ArchiveIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const usage = `usage: aetos-load archive [run flags] [-O archive.tar] <script.js|script.ts>

Writes a k6 archive: the script, every local and remote module, every file open() reads in the init
code, and the consolidated options (script < K6_* env < flags). Run it anywhere, with no network:
  aetos-load run archive.tar      k6 run archive.tar

flags:
  -O, --archive-out FILE    where to write (default archive.tar)
  --no-cache                fetch modules imported by URL again
  and every flag of aetos-load run (-u, -d, --stage, -e, …): they become the archived options
`;

/** Takes -O/--archive-out out of argv; the rest are `run` flags. */
function splitArchiveOut(argv: string[]): { out: string; rest: string[] } {
  let out = 'archive.tar';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const m = /^(?:--archive-out|-O)(?:=?(.*))?$/.exec(a);
    if (m && (a.startsWith('--archive-out') || a.startsWith('-O'))) {
      const v = m[1] !== undefined && m[1] !== '' ? m[1] : argv[++i];
      if (v === undefined || v === '') throw new ConfigError(a.startsWith('--') ? '--archive-out' : '-O', 'needs a value (FILE)');
      out = v;
    } else rest.push(a);
  }
  return { out, rest };
}

export async function main(argv: string[], io: ArchiveIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  try {
    const { out, rest } = splitArchiveOut(argv);
    const parsed = parseRunArgs(rest);
    if (parsed.help) {
      stdout.write(usage);
      return 0;
    }
    const scriptPath = path.resolve(cwd, parsed.script as string);
    const { runLogger } = await import('../engine/runner/logging.ts');
    const { readScriptOptions } = await import('../engine/runner/script-options.ts');
    const { BundleError, bundleScript } = await import('../engine/build/bundle.ts');
    const { cachedFetcher, remoteSettings } = await import('../engine/build/remote-modules.ts');
    const { goos, writeArchive } = await import('../engine/build/archive.ts');
    const { K6_VERSION_FOLLOWED } = await import('../engine/version.ts');

    const remote = cachedFetcher(remoteSettings(env, cwd, { refresh: parsed.flags.settings.noCache || undefined, warn: (m) => stderr.write(`warning: ${m}\n`) }));
    let bundle;
    try {
      bundle = await bundleScript(scriptPath, { remote });
    } catch (err) {
      if (err instanceof BundleError) throw new ScriptLoadError(err.message);
      throw err;
    }
    let opened: string[];
    const { log, close } = runLogger('stderr', false, stderr, stdout);
    let options: Record<string, unknown>;
    try {
      const read = await readScriptOptions({ scriptPath, flags: parsed.flags, processEnv: env, cwd, log });
      // secret sources stay out of the archive, as in k6 (a mock source holds the secrets themselves)
      const { secretSource: _secrets, ...archived } = read.config.options;
      options = archived;
      opened = read.opened;
    } finally {
      close();
    }

    const isTs = /\.(ts|mts|tsx)$/i.test(scriptPath);
    const mainPath = isTs ? `${scriptPath}.js` : scriptPath;
    const localScripts = new Map<string, Buffer | string>();
    if (isTs) localScripts.set(mainPath, bundle.code);
    else for (const f of new Set([scriptPath, ...bundle.localFiles])) localScripts.set(f, await readFile(f));
    const files = new Map<string, Buffer>();
    for (const f of opened) files.set(f, await readFile(f));
    await writeArchive(path.resolve(cwd, out), {
      metadata: {
        type: 'js',
        filename: pathToFileURL(mainPath).href,
        pwd: `${pathToFileURL(cwd).href.replace(/\/?$/, '/')}`,
        options,
        env: parsed.flags.settings.env ?? {},
        compatibilityMode: 'extended',
        k6version: K6_VERSION_FOLLOWED,
        goos: goos(),
      },
      localScripts,
      remoteScripts: bundle.remoteModules,
      files,
    });
    stdout.write(
      `archived ${path.relative(cwd, scriptPath) || scriptPath} → ${out}: ${localScripts.size} local script(s), ${bundle.remoteModules.size} remote module(s), ${files.size} open()ed file(s)\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load archive: ${err.message}\n`);
    return err.exitCode;
  }
}
