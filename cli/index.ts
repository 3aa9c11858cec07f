/**
 * `aetos-load <command>`: one entry point, one module per command. Each command module exports
 * `main(argv): Promise<number>` and returns the process exit code (k6's codes for `run`).
 * Modules load lazily so `aetos-load health` does not pay for the engine's start-up.
 */
import { appBundleDir } from '../engine/build/app-bundle.js';
import { prewarmWorker } from '../engine/runner/prewarm.ts';

type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  run: { summary: 'run a k6 script (.ts or .js) on the engine', load: () => import('./run.ts') },
  build: { summary: 'bundle scenarios/*.ts into build/*.js for k6', load: () => import('./build.ts') },
  load: { summary: 'run a scenario profile end to end: build, start the target, run, write results/', load: () => import('./load.ts') },
  'new-scenario': { summary: 'scaffold scenarios/<name>.ts', load: () => import('./new-scenario.ts') },
  target: { summary: 'start the reference AetosWMS service', load: () => import('./target.ts') },
  health: { summary: 'score the health of a deployment (test-system)', load: () => import('./health.ts') },
  monitor: { summary: 'watch a deployment live and alert (monitor-system)', load: () => import('./monitor.ts') },
  preflight: { summary: 'the pre-production checklist: health, TLS, env, uploads, logging, backups, notifications, resources', load: () => import('./preflight.ts') },
  readiness: { summary: "preflight + every load scenario with the monitor beside: 'ready' or 'not ready' against the success metrics", load: () => import('./readiness.ts') },
  merge: { summary: 'combine the segment results of one test into its summary and verdict', load: () => import('./merge.ts') },
  k8s: { summary: 'write Kubernetes manifests: a k6-operator TestRun, or an Indexed Job of engine pods', load: () => import('./k8s.ts') },
  archive: { summary: "write a k6 archive (.tar): script, modules, open()ed files, options", load: () => import('./archive.ts') },
  inspect: { summary: 'print the consolidated options of a script or archive as JSON', load: () => import('./inspect.ts') },
  new: { summary: "write a new k6 script from k6's template (script.js)", load: () => import('./new.ts') },
  version: { summary: 'engine, Node.js and followed k6 versions', load: () => import('./version.ts') },
  compare: { summary: 'compare two runs: what changed, beyond noise (exit 1 when a --fail-on rule trips)', load: () => import('./compare.ts') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`);
  return `usage: aetos-load <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`aetos-load: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  // `run` starts its first worker thread now, so that thread's start-up overlaps loading the command
  // (engine/runner/prewarm.ts); the run takes it, or it is dropped unused.
  if (name === 'run') prewarmWorker(appBundleDir());
  let mod: { main(argv: string[]): Promise<number> };
  try {
    mod = await command.load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(`aetos-load: the "${name}" command is not built yet (${(err as Error).message.split('\n')[0]})\n`);
      return 2;
    }
    throw err;
  }
  return mod.main(rest);
}

process.exitCode = await dispatch(process.argv.slice(2));
