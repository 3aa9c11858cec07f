import { probe } from '/work/wt/trust/ops/shared/http-probe.ts';
const t=Date.now();
const r = await probe('http://127.0.0.1:45587/api/health', { timeoutMs: 1000 });
console.log(Date.now()-t, r);
const r2 = await probe('http://127.0.0.1:45587/api/auth/login', { method:'POST', body:{a:1}, timeoutMs: 1000 });
console.log(Date.now()-t, r2);
