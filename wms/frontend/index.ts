// Why: the AetosWMS web UI the browser scenarios click through (scenarios/frontend.ts): login,
// inventory search, an item page that places an order, the user's orders. Plain HTML shells and
// one small script (app.js) using the same API as every other client, so the token gate stays
// where it is: the shells and assets are public and hold no data; every piece of data comes from
// /api with the bearer token the login returned (kept in sessionStorage), and a 401 sends the
// user back to the login page. Each screen is its own document, so each navigation is a page load
// with its own Web Vitals. No CDN, no build step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const here = import.meta.dirname;
const assets: Record<string, { type: string; body: string }> = {
  'app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(here, 'app.js'), 'utf8') },
  'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(here, 'app.css'), 'utf8') },
};

const nav = `<nav><a href="/inventory" id="nav-inventory">Inventory</a> <a href="/orders" id="nav-orders">My orders</a>
<span id="who"></span> <button type="button" id="logout">Log out</button></nav>`;

/** One screen: the same head, the screen's name on <body data-page> (app.js picks its code by it). */
function shell(pageName: string, title: string, main: string, withNav = true): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · AetosWMS</title><link rel="stylesheet" href="/assets/app.css"></head>
<body data-page="${pageName}"><header><strong class="brand">AetosWMS</strong>${withNav ? nav : ''}</header>
<main>${main}</main>
<script src="/assets/app.js"></script></body></html>
`;
}

const pages = {
  login: shell(
    'login',
    'Log in',
    `<h1>Warehouse sign-in</h1>
<form id="login"><label>User <input name="username" id="username" autocomplete="username" required></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
<button id="login-submit">Log in</button></form><p id="message" role="status"></p>
<p class="small">API under <code>/api</code> (<a href="/docs">reference</a>), health at <a href="/api/health">/api/health</a>, metrics at <a href="/metrics">/metrics</a>.</p>`,
    false,
  ),
  inventory: shell(
    'inventory',
    'Inventory',
    `<form id="search"><label>Search SKU or name <input name="search" id="search-input" maxlength="100"></label> <button id="search-submit">Search</button></form>
<p id="summary" class="lead">Loading stock…</p>
<table id="stock"><thead><tr><th>SKU</th><th>Name</th><th>Location</th><th>Available</th></tr></thead><tbody></tbody></table>`,
  ),
  item: shell(
    'item',
    'Item',
    `<p id="summary" class="lead">Loading item…</p>
<dl id="item"></dl>
<form id="order"><label>Quantity <input id="quantity" name="quantity" type="number" min="1" max="1000" value="1" required></label>
<button id="place-order">Place order</button></form><p id="order-result" role="status"></p>`,
  ),
  orders: shell(
    'orders',
    'My orders',
    `<p id="summary" class="lead">Loading your orders…</p>
<table id="orders"><thead><tr><th>Order</th><th>Status</th><th>Lines</th><th>Placed</th></tr></thead><tbody></tbody></table>`,
  ),
};

export async function frontendRoutes(app: FastifyInstance): Promise<void> {
  const html = (body: string) => async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);
  app.get('/', html(pages.login));
  app.get('/inventory', html(pages.inventory));
  app.get('/orders', html(pages.orders));
  // the SKU is read by app.js from the path; the shell is the same for every SKU
  app.get('/item/:sku', html(pages.item));
  app.get('/assets/:file', async (req, reply) => {
    const a = assets[(req.params as { file: string }).file];
    if (!a) return reply.code(404).send({ error: 'no such asset' });
    return reply.type(a.type).header('Cache-Control', 'public, max-age=300').send(a.body);
  });
}
