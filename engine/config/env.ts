/**
 * `K6_*` environment variables, as k6 documents them (K6_VUS, K6_DURATION, K6_STAGES="30s:10,1m:0",
 * K6_OUT, K6_SUMMARY_EXPORT, …). They sit between script options and flags. A bad value is a
 * ConfigError naming the variable. Variables k6 does not define are ignored (k6 does the same).
 */
import { ConfigError } from '../errors.ts';
import type { ConfigLayer } from './types.ts';
import { emptyLayer } from './types.ts';
import { optionDurationMs, parseBoolean, parseDuration, parseInteger, parseKeyValue, parseList, parseStages } from './values.ts';

type Apply = (layer: ConfigLayer, value: string, name: string) => void;

const opt =
  (key: string, parse: (name: string, v: string) => unknown): Apply =>
  (layer, value, name) => {
    layer.options[key] = parse(name, value);
  };
const int = (name: string, v: string) => parseInteger(name, v);
const bool = (name: string, v: string) => parseBoolean(name, v);
const str = (_name: string, v: string) => v;
const dur = (name: string, v: string) => parseDuration(name, v);
const list = (_name: string, v: string) => parseList(v);

export const k6EnvVars: Record<string, Apply> = {
  K6_VUS: opt('vus', int),
  K6_DURATION: opt('duration', dur),
  K6_ITERATIONS: opt('iterations', int),
  K6_STAGES: opt('stages', parseStages),
  K6_EXECUTION_SEGMENT: opt('executionSegment', str),
  K6_EXECUTION_SEGMENT_SEQUENCE: opt('executionSegmentSequence', str),
  K6_NO_SETUP: opt('noSetup', bool),
  K6_NO_TEARDOWN: opt('noTeardown', bool),
  K6_SETUP_TIMEOUT: opt('setupTimeout', dur),
  K6_TEARDOWN_TIMEOUT: opt('teardownTimeout', dur),
  // k6 2.2 (grafana/k6#5854): the handleSummary() budget, 2 minutes by default
  K6_HANDLE_SUMMARY_TIMEOUT: opt('handleSummaryTimeout', dur),
  K6_MIN_ITERATION_DURATION: opt('minIterationDuration', dur),
  K6_THROW: opt('throw', bool),
  K6_NO_THRESHOLDS: opt('noThresholds', bool),
  K6_NO_SUMMARY: opt('noSummary', bool),
  K6_SUMMARY_TREND_STATS: opt('summaryTrendStats', list),
  K6_SUMMARY_TIME_UNIT: opt('summaryTimeUnit', str),
  K6_SYSTEM_TAGS: opt('systemTags', list),
  K6_TAGS: (layer, value, name) => {
    layer.options.tags = Object.fromEntries(parseList(value).map((kv) => parseKeyValue(name, kv)));
  },
  K6_USER_AGENT: opt('userAgent', str),
  K6_MAX_REDIRECTS: opt('maxRedirects', int),
  K6_BATCH: opt('batch', int),
  K6_BATCH_PER_HOST: opt('batchPerHost', int),
  K6_RPS: opt('rps', int),
  K6_INSECURE_SKIP_TLS_VERIFY: opt('insecureSkipTLSVerify', bool),
  K6_HTTP_DEBUG: opt('httpDebug', str),
  K6_DISCARD_RESPONSE_BODIES: opt('discardResponseBodies', bool),
  K6_NO_CONNECTION_REUSE: opt('noConnectionReuse', bool),
  K6_NO_VU_CONNECTION_REUSE: opt('noVUConnectionReuse', bool),
  // run settings
  K6_OUT: (layer, value) => {
    layer.settings.out = parseList(value);
  },
  K6_SUMMARY_EXPORT: (layer, value) => {
    if (value !== '') layer.settings.summaryExport = value;
  },
  K6_SUMMARY_MODE: (layer, value) => {
    layer.settings.summaryMode = value;
  },
  K6_NO_COLOR: (layer, value, name) => {
    layer.settings.noColor = parseBoolean(name, value);
  },
  K6_QUIET: (layer, value, name) => {
    layer.settings.quiet = parseBoolean(name, value);
  },
  K6_INCLUDE_SYSTEM_ENV_VARS: (layer, value, name) => {
    layer.settings.includeSystemEnvVars = parseBoolean(name, value);
  },
  K6_LOG_OUTPUT: (layer, value) => {
    layer.settings.logOutput = value;
  },
  K6_LOG_FORMAT: (layer, value, name) => {
    if (value === '') return;
    if (value !== 'raw' && value !== 'json') throw new ConfigError(name, `"${value}" is not one of raw, json`);
    layer.settings.logFormat = value;
  },
  K6_CONSOLE_OUTPUT: (layer, value) => {
    if (value !== '') layer.settings.consoleOutput = value;
  },
  K6_CONFIG: (layer, value) => {
    if (value !== '') layer.settings.configFile = value;
  },
  // the engine's own (no k6 equivalent): see README "Limits"
  AETOS_INIT_TIMEOUT: (layer, value, name) => {
    layer.settings.initTimeoutMs = optionDurationMs(name, value);
  },
  AETOS_WORKER_MEMORY: (layer, value, name) => {
    layer.settings.workerMemoryMb = parseInteger(name, value, 16);
  },
};

/** The layer the process environment contributes. */
export function layerFromEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer = emptyLayer();
  for (const [name, apply] of Object.entries(k6EnvVars)) {
    const value = env[name];
    if (value !== undefined) apply(layer, value, name);
  }
  return layer;
}
