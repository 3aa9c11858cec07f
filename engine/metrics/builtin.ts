/**
 * k6's built-in metrics (names, types, contains) as k6 documents them ("Built-in metrics").
 * Every collector and store pre-declares them, so thresholds on them validate before any sample.
 * The generator_* metrics are the engine's own (engine/metrics/generator.ts), not k6's.
 */
import type { MetricType, ValueType } from '../types.ts';

export interface MetricDef {
  type: MetricType;
  contains: ValueType;
}

export const builtinMetrics: Readonly<Record<string, MetricDef>> = Object.freeze({
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
  iterations: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  checks: { type: 'rate', contains: 'default' },
  group_duration: { type: 'trend', contains: 'time' },
  data_sent: { type: 'counter', contains: 'data' },
  data_received: { type: 'counter', contains: 'data' },
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
  ws_sessions: { type: 'counter', contains: 'default' },
  ws_connecting: { type: 'trend', contains: 'time' },
  ws_session_duration: { type: 'trend', contains: 'time' },
  ws_msgs_sent: { type: 'counter', contains: 'default' },
  ws_msgs_received: { type: 'counter', contains: 'default' },
  ws_ping: { type: 'trend', contains: 'time' },
  grpc_req_duration: { type: 'trend', contains: 'time' },
  grpc_streams: { type: 'counter', contains: 'default' },
  grpc_streams_msgs_sent: { type: 'counter', contains: 'default' },
  grpc_streams_msgs_received: { type: 'counter', contains: 'default' },
  // not k6's: the engine's own load, per worker thread and window (generator.ts)
  generator_event_loop_delay: { type: 'trend', contains: 'time' },
  generator_cpu: { type: 'trend', contains: 'default' },
  generator_saturated: { type: 'rate', contains: 'default' },
  // k6/browser (engine/modules/browser)
  browser_data_received: { type: 'counter', contains: 'data' },
  browser_data_sent: { type: 'counter', contains: 'data' },
  browser_http_req_duration: { type: 'trend', contains: 'time' },
  browser_http_req_failed: { type: 'rate', contains: 'default' },
  browser_web_vital_cls: { type: 'trend', contains: 'default' },
  browser_web_vital_fcp: { type: 'trend', contains: 'time' },
  browser_web_vital_inp: { type: 'trend', contains: 'time' },
  browser_web_vital_lcp: { type: 'trend', contains: 'time' },
  browser_web_vital_ttfb: { type: 'trend', contains: 'time' },
});

/** The sub-metric k6's summary always shows under http_req_duration. */
export const expectedResponseSubmetric = 'http_req_duration{expected_response:true}';
