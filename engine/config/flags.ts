/**
 * `aetos-load run` command-line flags: k6's `run` flags (same names, short forms and value syntax:
 * `-u 10`, `-u=10`, `-u10`, `--vus 10`, `--vus=10`, booleans as `--quiet` or `--quiet=false`),
 * plus the engine's own `--workers` and `--runner`. Flags may come before or after the script; `--`
 * ends them. An unknown flag or a bad value is a ConfigError (exit 104) naming the flag and why.
 */
import { ConfigError } from '../errors.ts';
import type { ConfigLayer, RunnerKind } from './types.ts';
import { emptyLayer } from './types.ts';
import { optionDurationMs, parseBoolean, parseDuration, parseInteger, parseKeyValue, parseList, parseStages } from './values.ts';
import type { Stage } from './values.ts';

type Kind = 'bool' | 'value' | 'optional';

interface FlagSpec {
  long: string;
  short?: string;
  kind: Kind;
  /** For 'optional' flags given without `=value`. */
  implicit?: string;
  /** Flags only the engine knows; not handed to real k6 (D8). */
  engineOnly?: boolean;
  metavar?: string;
  help: string;
  apply(layer: ConfigLayer, value: string, name: string): void;
}

function opt(key: string, parse: (name: string, v: string) => unknown) {
  return (layer: ConfigLayer, value: string, name: string) => {
    layer.options[key] = parse(name, value);
  };
}
const int = (name: string, v: string) => parseInteger(name, v);
const bool = (name: string, v: string) => parseBoolean(name, v);
const str = (_name: string, v: string) => v;
const dur = (name: string, v: string) => parseDuration(name, v);

function nonEmpty(name: string, v: string): string {
  if (v.trim() === '') throw new ConfigError(name, 'needs a value');
  return v;
}

export const runFlags: FlagSpec[] = [
  // --- execution ----------------------------------------------------------------------------
  { long: 'vus', short: 'u', kind: 'value', metavar: 'N', help: 'number of virtual users (default 1)', apply: opt('vus', int) },
  { long: 'duration', short: 'd', kind: 'value', metavar: 'DURATION', help: 'test duration limit', apply: opt('duration', dur) },
  { long: 'iterations', short: 'i', kind: 'value', metavar: 'N', help: 'script total iteration limit (among all VUs)', apply: opt('iterations', int) },
  {
    long: 'stage',
    short: 's',
    kind: 'value',
    metavar: 'DURATION:TARGET',
    help: 'add stages, as [duration]:[target], comma-separated or repeated (1s:1,5s:10)',
    apply(layer, value, name) {
      const stages = (layer.options.stages as Stage[] | undefined) ?? [];
      // k6's --stage is a string slice: `--stage 1s:1,5s:10` and `-s 1s:1 -s 5s:10` are the same
      stages.push(...parseStages(name, value));
      layer.options.stages = stages;
    },
  },
  {
    long: 'paused',
    short: 'p',
    kind: 'bool',
    help: 'not supported: the engine has no REST API to resume a paused test',
    apply(_layer, value, name) {
      if (parseBoolean(name, value)) throw new ConfigError(name, "not supported: the engine has no REST API, so nothing could resume a paused test (k6's `k6 resume`); start the test when it should run");
    },
  },
  { long: 'execution-segment', kind: 'value', metavar: 'SEGMENT', help: 'run only this segment of the test, e.g. 0:1/2, 1/3, 50%', apply: opt('executionSegment', nonEmpty) },
  { long: 'execution-segment-sequence', kind: 'value', metavar: 'SEQUENCE', help: 'the segment sequence, e.g. 0,1/3,2/3,1', apply: opt('executionSegmentSequence', nonEmpty) },
  { long: 'no-setup', kind: 'bool', help: "don't run setup()", apply: opt('noSetup', bool) },
  { long: 'no-teardown', kind: 'bool', help: "don't run teardown()", apply: opt('noTeardown', bool) },
  { long: 'min-iteration-duration', kind: 'value', metavar: 'DURATION', help: 'minimum time an iteration takes', apply: opt('minIterationDuration', dur) },
  { long: 'throw', short: 'w', kind: 'bool', help: 'throw on failed HTTP requests', apply: opt('throw', bool) },
  // --- tags and metrics ---------------------------------------------------------------------
  {
    long: 'tag',
    kind: 'value',
    metavar: 'NAME=VALUE',
    help: 'add a tag to every metric sample (repeatable)',
    apply(layer, value, name) {
      const [k, v] = parseKeyValue(name, value);
      layer.options.tags = { ...((layer.options.tags as Record<string, string>) ?? {}), [k]: v };
    },
  },
  { long: 'system-tags', kind: 'value', metavar: 'TAGS', help: 'system tags to add to samples (comma-separated)', apply: opt('systemTags', (_n, v) => parseList(v)) },
  { long: 'no-thresholds', kind: 'bool', help: "don't run thresholds", apply: opt('noThresholds', bool) },
  { long: 'summary-trend-stats', kind: 'value', metavar: 'STATS', help: 'trend stats in the summary, e.g. avg,p(95),max', apply: opt('summaryTrendStats', (_n, v) => parseList(v)) },
  { long: 'summary-time-unit', kind: 'value', metavar: 'UNIT', help: 'time unit in the summary: s, ms or us', apply: opt('summaryTimeUnit', oneOf(['s', 'ms', 'us'])) },
  // --- http ----------------------------------------------------------------------------------
  { long: 'user-agent', kind: 'value', metavar: 'TEXT', help: 'User-Agent of HTTP requests', apply: opt('userAgent', str) },
  { long: 'max-redirects', kind: 'value', metavar: 'N', help: 'follow at most N redirects (default 10)', apply: opt('maxRedirects', int) },
  { long: 'batch', kind: 'value', metavar: 'N', help: 'max parallel requests of http.batch (default 20)', apply: opt('batch', int) },
  { long: 'batch-per-host', kind: 'value', metavar: 'N', help: 'max parallel batch requests per host (default 6)', apply: opt('batchPerHost', int) },
  { long: 'rps', kind: 'value', metavar: 'N', help: 'limit requests per second', apply: opt('rps', int) },
  { long: 'insecure-skip-tls-verify', kind: 'bool', help: 'skip TLS certificate verification', apply: opt('insecureSkipTLSVerify', bool) },
  { long: 'http-debug', kind: 'optional', implicit: 'headers', metavar: '[full]', help: 'log HTTP requests and responses (=full with bodies)', apply: opt('httpDebug', oneOf(['headers', 'full'])) },
  { long: 'discard-response-bodies', kind: 'bool', help: 'read and discard response bodies', apply: opt('discardResponseBodies', bool) },
  { long: 'no-connection-reuse', kind: 'bool', help: 'disable keep-alive connections', apply: opt('noConnectionReuse', bool) },
  { long: 'no-vu-connection-reuse', kind: 'bool', help: "don't reuse connections between iterations", apply: opt('noVUConnectionReuse', bool) },
  // --- environment, outputs, display ---------------------------------------------------------
  {
    long: 'env',
    short: 'e',
    kind: 'value',
    metavar: 'NAME=VALUE',
    help: 'add a variable to __ENV (repeatable)',
    apply(layer, value, name) {
      const [k, v] = parseKeyValue(name, value);
      layer.settings.env = { ...(layer.settings.env ?? {}), [k]: v };
    },
  },
  {
    long: 'secret-source',
    kind: 'value',
    metavar: 'KIND=CONFIG',
    help: 'a k6/secrets source: file=PATH, mock=KEY=VALUE,… or env=prefix=P_; name=…, default (repeatable)',
    apply(layer, value, name) {
      layer.options.secretSource = [...((layer.options.secretSource as string[] | undefined) ?? []), nonEmpty(name, value)];
    },
  },
  { long: 'include-system-env-vars', kind: 'bool', help: 'pass the process environment to __ENV (default true)', apply: set('includeSystemEnvVars', bool) },
  {
    long: 'out',
    short: 'o',
    kind: 'value',
    metavar: 'TYPE=PATH',
    help: 'write metrics to an output: json=FILE, csv=FILE, … (repeatable)',
    apply(layer, value, name) {
      layer.settings.out = [...(layer.settings.out ?? []), nonEmpty(name, value)];
    },
  },
  { long: 'summary-export', kind: 'value', metavar: 'FILE', help: 'write the end-of-test summary as JSON to FILE', apply: set('summaryExport', nonEmpty) },
  { long: 'summary-mode', kind: 'value', metavar: 'MODE', help: 'end-of-test summary: compact, full or disabled', apply: set('summaryMode', oneOf(['compact', 'full', 'disabled', 'legacy'])) },
  { long: 'no-summary', kind: 'bool', help: "don't show the end-of-test summary", apply: opt('noSummary', bool) },
  { long: 'quiet', short: 'q', kind: 'bool', help: 'no progress bars', apply: set('quiet', bool) },
  { long: 'progress-interval', kind: 'value', metavar: 'DURATION', engineOnly: true, help: 'a progress line this often when stdout is not a terminal (default 10s)', apply: set('progressIntervalMs', (n, v) => Math.max(100, optionDurationMs(n, parseDuration(n, v)))) },
  { long: 'no-color', kind: 'bool', help: 'no colours in the output', apply: set('noColor', bool) },
  { long: 'verbose', short: 'v', kind: 'bool', help: 'debug logging', apply: set('verbose', bool) },
  { long: 'log-format', kind: 'value', metavar: 'FORMAT', help: 'log format: raw (the message only) or json', apply: set('logFormat', (n, v) => oneOf(['raw', 'json'])(n, v) as 'raw' | 'json') },
  { long: 'console-output', kind: 'value', metavar: 'FILE', help: 'write console.* output to FILE instead of the log', apply: set('consoleOutput', nonEmpty) },
  { long: 'log-output', kind: 'value', metavar: 'WHERE', help: 'logs to stderr (default), stdout, none or file=PATH', apply: set('logOutput', logOutput) },
  { long: 'config', short: 'c', kind: 'value', metavar: 'FILE', help: 'a k6 JSON config file', apply: set('configFile', nonEmpty) },
  { long: 'no-usage-report', kind: 'bool', help: 'accepted for k6 compatibility; the engine never reports usage', apply: () => {} },
  // --- the engine's own ----------------------------------------------------------------------
  { long: 'workers', kind: 'value', metavar: 'N', engineOnly: true, help: 'worker threads, one execution segment each (default: one per 1,000 VUs or 10,000 arrivals/s, up to the cores)', apply: set('workers', (n, v) => parseInteger(n, v, 1)) },
  { long: 'init-timeout', kind: 'value', metavar: 'DURATION', engineOnly: true, help: 'longest time init code may run (default 60s; env AETOS_INIT_TIMEOUT)', apply: set('initTimeoutMs', (n, v) => optionDurationMs(n, v)) },
  { long: 'worker-memory', kind: 'value', metavar: 'MB', engineOnly: true, help: 'heap limit of each worker thread in MB (default: 3/4 of memory, shared; env AETOS_WORKER_MEMORY)', apply: set('workerMemoryMb', (n, v) => parseInteger(n, v, 16)) },
  {
    long: 'monitor',
    kind: 'value',
    metavar: 'URL',
    engineOnly: true,
    help: 'watch the deployment at URL beside the run (the guide\'s monitor); its series and alerts go beside the summary export',
    apply: set('monitor', (n, v) => {
      if (!/^https?:\/\/[^/]+/.test(v)) throw new ConfigError(n, `"${v}" is not an http(s) URL`);
      return v;
    }),
  },
  { long: 'no-cache', kind: 'bool', engineOnly: true, help: 'fetch modules imported by URL again instead of using the module cache', apply: set('noCache', bool) },
  { long: 'runner', kind: 'value', metavar: 'engine|k6', engineOnly: true, help: 'run on the engine (default) or hand the bundle to a k6 binary', apply: set('runner', (n, v) => oneOf(['engine', 'k6'])(n, v) as RunnerKind) },
];

function set<K extends keyof ConfigLayer['settings']>(key: K, parse: (name: string, v: string) => ConfigLayer['settings'][K]) {
  return (layer: ConfigLayer, value: string, name: string) => {
    layer.settings[key] = parse(name, value);
  };
}

function oneOf(values: string[]) {
  return (name: string, v: string): string => {
    if (!values.includes(v)) throw new ConfigError(name, `"${v}" is not one of ${values.join(', ')}`);
    return v;
  };
}

function logOutput(name: string, v: string): string {
  if (['stderr', 'stdout', 'none'].includes(v) || /^file=.+/.test(v)) return v;
  throw new ConfigError(name, `"${v}" is not one of stderr, stdout, none, file=PATH`);
}

export interface ParsedRunArgs {
  /** The script path as given; undefined with --help. */
  script?: string;
  help: boolean;
  flags: ConfigLayer;
  /** The k6-compatible flags as typed (engine-only flags and the script removed), for `--runner k6`. */
  k6Flags: string[];
}

const byLong = new Map(runFlags.map((f) => [f.long, f]));
const byShort = new Map(runFlags.filter((f) => f.short).map((f) => [f.short as string, f]));

/** Parses `run`'s arguments (everything after `run`). Throws ConfigError on the first problem. */
export function parseRunArgs(argv: string[]): ParsedRunArgs {
  const flags = emptyLayer();
  const positional: string[] = [];
  const k6Flags: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    let spec: FlagSpec | undefined;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const long = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      name = `--${long}`;
      spec = byLong.get(long);
    } else {
      const short = arg.slice(1, 2);
      name = `-${short}`;
      spec = byShort.get(short);
      const rest = arg.slice(2);
      if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    if (!spec) throw new ConfigError(name, 'unknown flag (see aetos-load run --help)');
    const start = i;
    let value: string;
    if (inline !== undefined) value = inline;
    else if (spec.kind === 'bool') value = 'true';
    else if (spec.kind === 'optional') value = spec.implicit as string;
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(name, `needs a value (${spec.metavar ?? 'VALUE'})`);
      value = next;
      i++;
    }
    spec.apply(flags, value, name);
    if (!spec.engineOnly) k6Flags.push(...argv.slice(start, i + 1));
  }
  if (help) return { help, flags, k6Flags };
  if (positional.length === 0) throw new ConfigError('script', 'missing: aetos-load run [flags] <script.ts|script.js>');
  if (positional.length > 1) {
    throw new ConfigError('script', `expected one script, got ${positional.length}: ${positional.join(' ')}`);
  }
  return { script: positional[0], help, flags, k6Flags };
}

export function runUsage(): string {
  const rows = runFlags.map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.long}${f.kind === 'bool' ? '' : ` ${f.metavar ?? 'VALUE'}`}`;
    return `  ${names.padEnd(44)}${f.help}`;
  });
  return [
    'usage: aetos-load run [flags] <script.ts|script.js|archive.tar>',
    '',
    'Runs a k6 script on the engine (or, with --runner k6, on a k6 binary). k6 flags and K6_* env vars',
    'work as in k6: defaults < script options < K6_* env < flags.',
    '',
    'flags:',
    ...rows,
    '',
  ].join('\n');
}
