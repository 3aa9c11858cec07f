/**
 * A small reader for the Prometheus text exposition format (what the target's `/metrics`
 * serves through prom-client). Only what the monitor needs: samples with labels, and sums
 * over a metric name filtered by labels.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;
const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = lineRe.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(labelRe)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (!Number.isNaN(value) || m[4] === 'NaN') out.push({ name: m[1], labels, value });
  }
  return out;
}

/** The first sample of `name` (e.g. a gauge without labels), or undefined. */
export function firstValue(samples: PromSample[], name: string): number | undefined {
  return samples.find((s) => s.name === name)?.value;
}

/** Sum of every sample of `name` whose labels pass `where` (all of them when omitted); undefined when none. */
export function sumWhere(samples: PromSample[], name: string, where?: (labels: Record<string, string>) => boolean): number | undefined {
  let found = false;
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name || (where && !where(s.labels))) continue;
    found = true;
    sum += s.value;
  }
  return found ? sum : undefined;
}
