/** The guide's "run the system test — all pass": the existing health check, its score above 90 %. */
import { TargetUnreachable, runHealthCheck, type HealthOptions } from '../../health/index.ts';
import { item, type PreflightItem } from '../types.ts';

export async function healthItem(opts: HealthOptions): Promise<PreflightItem> {
  const name = 'Health test score > 90 %';
  try {
    const r = await runHealthCheck(opts);
    const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    const reason = `score ${r.score.toFixed(1)} % (needs > ${r.required} %)${failed.length ? `; failed: ${failed.join(', ')}` : ''}`;
    return item('health', name, r.verdict === 'healthy' ? 'pass' : 'fail', reason, { score: r.score });
  } catch (err) {
    if (err instanceof TargetUnreachable) return item('health', name, 'fail', err.message, { score: 0 });
    throw err;
  }
}
