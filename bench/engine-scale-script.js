// The script of bench/engine-scale.ts: an active VU makes one request and sleeps a second (the
// issue 21 measure: RSS per active VU, the rate 10,000 of them reach, first-request start-up).
import http from 'k6/http';
import { sleep } from 'k6';

export default function () {
  http.get(__ENV.URL);
  sleep(Number(__ENV.SLEEP ?? 1));
}
