// The benchmark script of bench/engine-vus.ts: constant-vus VUs that only sleep. The first
// iteration of the test prints a marker so the bench can time start → first iteration.
import { sleep } from 'k6';
import exec from 'k6/execution';

export default function () {
  if (exec.scenario.iterationInTest === 0) console.log('FIRST_ITERATION');
  sleep(1);
}
