// Why: the small HTML page at GET / (a real frontend asset for page-load style scenarios).
import type { FastifyInstance } from 'fastify';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AetosWMS</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}</style>
</head><body>
<h1>AetosWMS</h1>
<p>Reference warehouse service for aetos-load. API under <code>/api</code>, health at <a href="/api/health">/api/health</a>, metrics at <a href="/metrics">/metrics</a>.</p>
<form id="login"><input name="username" placeholder="user0001"> <input name="password" type="password" placeholder="password"> <button>Log in</button></form>
<table id="inv"><thead><tr><th>SKU</th><th>Name</th><th>Location</th><th>Available</th></tr></thead><tbody></tbody></table>
<script>
document.getElementById('login').onsubmit = async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const r = await fetch('/api/auth/login', {method:'POST', headers:{'content-type':'application/json'}, body: JSON.stringify(Object.fromEntries(f))});
  if (!r.ok) return alert('login failed');
  const { token } = await r.json();
  const inv = await (await fetch('/api/inventory?pageSize=20', {headers:{authorization:'Bearer '+token}})).json();
  document.querySelector('#inv tbody').innerHTML = inv.items.map(i => '<tr><td>'+i.sku+'</td><td>'+i.name+'</td><td>'+i.location+'</td><td>'+i.available+'</td></tr>').join('');
};
</script>
</body></html>
`;

export async function frontendRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
}
