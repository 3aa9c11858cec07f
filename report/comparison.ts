/**
 * The shape of a comparison of two runs (compare.ts makes it; the report embeds it as `baseline`).
 * Types only, in a file of their own so report data can name them without importing compare.ts.
 */
export interface SideStats {
  count: number;
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errorRate: number | null;
}

export type Stat = 'p50' | 'p95' | 'p99' | 'errors' | 'rps';

export interface Rule {
  source: string;
  stat: Stat;
  /** '>' trips on an increase beyond `amount`, '<' on a decrease beyond it. */
  op: '>' | '<';
  amount: number;
  /** '%' relative change; 'ms' absolute (latency); 'pp' percentage points (errors). */
  unit: '%' | 'ms' | 'pp';
}

export interface CompareRow {
  name: string;
  a: SideStats;
  b: SideStats;
  /** Relative change b vs a, % (null when a is 0 or missing). */
  change: { p50: number | null; p95: number | null; p99: number | null; rps: number | null };
  verdict: string;
  /** Mann–Whitney p-value and Cliff's delta (null without histograms). */
  test: { p: number; delta: number } | null;
  errorsP: number;
  tripped: string[];
}

export interface Comparison {
  kind: 'comparison';
  a: { label: string };
  b: { label: string };
  rules: string[];
  rows: CompareRow[];
  /** One line: the worst row's verdict, or "no significant change". */
  verdict: string;
  failed: boolean;
  method: string;
}
