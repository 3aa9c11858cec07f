// blacklistIPs and blockHostnames as k6's options documentation describes them.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  iterations: 1,
  blacklistIPs: ['127.0.0.0/8'],
  blockHostnames: ['*.blocked.test'],
  hosts: { 'api.blocked.test': __ENV.SENTINEL.replace('http://', '') },
  thresholds: { checks: ['rate==1'], 'http_reqs{error_code:1111}': ['count==1'] },
};

export default function () {
  const ip = http.get(`${__ENV.SENTINEL}/page`);
  check(ip, { 'blacklisted IP': (r) => r.status === 0 && r.error_code === 1111 });
  const name = http.get('http://api.blocked.test/page');
  check(name, { 'blocked hostname': (r) => r.error_code === 1112 });
}
