import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../ops/shared/duration.ts';
import { firstValue, parsePrometheus, sumWhere } from '../../../ops/shared/prometheus.ts';

const text = `# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 52428800
nodejs_eventloop_lag_seconds 0.0125 1700000000000
http_requests_total{method="GET",route="/api/inventory",status_code="200"} 90
http_requests_total{method="GET",route="/api/x",status_code="503"} 7
http_requests_total{method="POST",route="/a \\"q\\"",status_code="500"} 3
http_request_duration_seconds_bucket{le="+Inf"} 100
`;

describe('Prometheus text', () => {
  const s = parsePrometheus(text);
  it('reads gauges, timestamps, labels with escapes and +Inf', () => {
    expect(firstValue(s, 'process_resident_memory_bytes')).toBe(52428800);
    expect(firstValue(s, 'nodejs_eventloop_lag_seconds')).toBe(0.0125);
    expect(s.find((x) => x.labels.status_code === '500')?.labels.route).toBe('/a "q"');
    expect(s.find((x) => x.name === 'http_request_duration_seconds_bucket')?.labels.le).toBe('+Inf');
  });
  it('sums counters by label filter', () => {
    expect(sumWhere(s, 'http_requests_total')).toBe(100);
    expect(sumWhere(s, 'http_requests_total', (l) => Number(l.status_code) >= 500)).toBe(10);
    expect(sumWhere(s, 'missing_total')).toBeUndefined();
  });
});

describe('durations', () => {
  it('parses units and bare seconds, refuses the rest naming the flag', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration(1.5)).toBe(1500);
    expect(() => parseDuration('5 minutes', '--interval')).toThrow('--interval: "5 minutes" is not a duration');
  });
});
