// AetosWMS web UI: one script for every screen (document.body.dataset.page says which).
// Data always comes from /api with the bearer token the login returned; a 401 ends the session.
(() => {
  const page = document.body.dataset.page;
  const $ = (sel) => document.querySelector(sel);
  const token = () => sessionStorage.getItem('aetos.token');

  /** A DOM element with text (never HTML: data from the API is text). */
  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function toLogin(reason) {
    sessionStorage.removeItem('aetos.token');
    sessionStorage.removeItem('aetos.user');
    location.assign(reason ? `/?reason=${encodeURIComponent(reason)}` : '/');
  }

  async function api(path, init) {
    const res = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${token()}`, ...(init && init.body ? { 'content-type': 'application/json' } : {}) },
    });
    if (res.status === 401) {
      toLogin('expired');
      throw new Error('session expired');
    }
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    return { status: res.status, body };
  }

  /**
   * The screen's headline once its data arrived: a new element rather than new text in the
   * placeholder, because Largest Contentful Paint counts an element once, at its first paint — the
   * "Loading…" line would otherwise stand for the data the user waits for.
   */
  function summary(text, error) {
    const p = el('p', text, { id: 'summary', class: error ? 'lead error' : 'lead' });
    $('#summary').replaceWith(p);
  }

  function fail(target, text) {
    target.textContent = text;
    target.classList.add('error');
  }

  function chrome() {
    if (!token()) return toLogin();
    $('#who').textContent = sessionStorage.getItem('aetos.user') || '';
    $('#logout').addEventListener('click', () => toLogin());
    return true;
  }

  const screens = {
    login() {
      const reason = new URLSearchParams(location.search).get('reason');
      if (reason === 'expired') $('#message').textContent = 'Your session ended: log in again.';
      $('#login').addEventListener('submit', async (e) => {
        e.preventDefault();
        const form = new FormData(e.target);
        const res = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
        });
        if (!res.ok) return fail($('#message'), res.status === 401 ? 'Wrong user name or password.' : `Login failed (${res.status}).`);
        const { token: t, user } = await res.json();
        sessionStorage.setItem('aetos.token', t);
        sessionStorage.setItem('aetos.user', user.username);
        location.assign('/inventory');
      });
    },

    async inventory() {
      if (!chrome()) return;
      const params = new URLSearchParams(location.search);
      const search = params.get('search') || '';
      $('#search-input').value = search;
      const q = new URLSearchParams({ pageSize: '20' });
      if (search) q.set('search', search);
      const { status, body } = await api(`/api/inventory?${q}`);
      if (status !== 200) return summary(`Stock could not be loaded (${status}).`, true);
      const tbody = $('#stock tbody');
      for (const i of body.items) {
        const tr = el('tr');
        const sku = el('td');
        sku.append(el('a', i.sku, { href: `/item/${encodeURIComponent(i.sku)}`, class: 'sku' }));
        tr.append(sku, el('td', i.name), el('td', i.location), el('td', i.available));
        tbody.append(tr);
      }
      summary(
        search
          ? `${body.total} SKUs match “${search}”; the first ${body.items.length} are listed below with their location and available quantity.`
          : `${body.total} SKUs in stock; the first ${body.items.length} are listed below with their location and available quantity.`,
      );
    },

    async item() {
      if (!chrome()) return;
      const sku = decodeURIComponent(location.pathname.split('/').pop());
      const { status, body } = await api(`/api/inventory/${encodeURIComponent(sku)}`);
      if (status !== 200) return summary(status === 404 ? `No SKU ${sku}.` : `The item could not be loaded (${status}).`, true);
      summary(`${body.name} (${body.sku}): ${body.available} available at ${body.location}.`);
      const dl = $('#item');
      for (const [k, v] of [['SKU', body.sku], ['Name', body.name], ['Location', body.location], ['On hand', body.quantity], ['Reserved', body.reserved], ['Available', body.available]]) {
        dl.append(el('dt', k), el('dd', v));
      }
      $('#order').addEventListener('submit', async (e) => {
        e.preventDefault();
        const quantity = Number($('#quantity').value);
        const out = $('#order-result');
        out.classList.remove('error');
        out.textContent = 'Placing order…';
        const res = await api('/api/orders', { method: 'POST', body: JSON.stringify({ lines: [{ sku, quantity }] }) });
        if (res.status === 201) {
          out.textContent = `Order #${res.body.id} reserved.`;
          out.append(' ', el('a', 'See my orders', { href: '/orders', id: 'to-orders' }));
        } else if (res.status === 409) fail(out, 'Not enough stock for that quantity.');
        else fail(out, `The order failed (${res.status}).`);
      });
    },

    async orders() {
      if (!chrome()) return;
      const { status, body } = await api('/api/orders?pageSize=20');
      if (status !== 200) return summary(`Your orders could not be loaded (${status}).`, true);
      const tbody = $('#orders tbody');
      for (const o of body.items) {
        const tr = el('tr', undefined, { 'data-order': String(o.id) });
        tr.append(el('td', `#${o.id}`), el('td', o.status), el('td', o.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')), el('td', new Date(o.createdAt).toLocaleString()));
        tbody.append(tr);
      }
      summary(`You have ${body.total} order${body.total === 1 ? '' : 's'}; the newest ${body.items.length} are listed below.`);
    },
  };

  (screens[page] || (() => undefined))();
})();
