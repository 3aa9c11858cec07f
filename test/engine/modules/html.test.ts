/** k6/html on cheerio: parseHTML, the Selection API, Elements, and response.html() over a real local server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlModule } from '../../../engine/modules/html/index.ts';
import { closeAll, load } from './http/harness.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { parseHTML } = htmlModule(null as never) as { parseHTML: (s: string) => any };

const PAGE = `<!doctype html><html lang="en"><head><title>Stock  list</title></head><body>
<div id="main" class="box wide" data-user-id="42" data-active="true" data-cfg='{"a":1}'>
  <h1>Items</h1>
  <ul><li class="a">one</li><li class="b">two</li><li class="a c">three</li><li>four</li></ul>
  <a href="/next" id="link">next &amp; more</a><!-- note -->
</div>
<form id="f" action="/save" method="POST">
  <input name="sku" value="X-1"><input name="qty" value="3">
  <input type="checkbox" name="tag" value="red" checked><input type="checkbox" name="tag" value="blue" checked>
  <input type="checkbox" name="tag" value="green">
  <select name="bin"><option value="A1">A1</option><option value="B2" selected>B2</option></select>
  <textarea name="note">fragile</textarea>
</form></body></html>`;

describe('k6/html parseHTML and Selection', () => {
  const doc = parseHTML(PAGE);

  it('find, text, html, attr (with default), size, eq/first/last, slice', () => {
    expect(doc.find('title').text()).toBe('Stock  list');
    expect(doc.find('li').size()).toBe(4);
    expect(doc.find('li').eq(1).text()).toBe('two');
    expect(doc.find('li').first().text()).toBe('one');
    expect(doc.find('li').last().text()).toBe('four');
    expect(doc.find('li').slice(1, 3).text()).toBe('twothree');
    expect(doc.find('ul').html()).toContain('<li class="b">two</li>');
    expect(doc.find('nothing').html()).toBeUndefined();
    expect(doc.find('#link').attr('href')).toBe('/next');
    expect(doc.find('#link').attr('title')).toBeUndefined();
    expect(doc.find('#link').attr('title', 'none')).toBe('none');
    expect(doc.find('#link').text()).toBe('next & more');
  });

  it('filter / not / is / has / hasClass with selectors, functions and Selections', () => {
    const li = doc.find('li');
    expect(li.filter('.a').size()).toBe(2);
    expect(li.filter((i: number) => i % 2 === 1).text()).toBe('twofour');
    expect(li.filter((_: number, s: any) => s.text().startsWith('t')).size()).toBe(2);
    expect(li.not('.a').text()).toBe('twofour');
    expect(li.is('.c')).toBe(true);
    expect(li.is((_: number, s: any) => s.text() === 'nine')).toBe(false);
    expect(li.eq(0).is(doc.find('.a'))).toBe(true);
    expect(doc.find('div').has('a').size()).toBe(1);
    expect(doc.find('#main').hasClass('wide')).toBe(true);
    expect(doc.find('#main').hasClass('narrow')).toBe(false);
  });

  it('tree traversal: children, contents, closest, parent(s)(Until), next/prev(All/Until), siblings, add', () => {
    const b = doc.find('li.b');
    expect(doc.find('ul').children().size()).toBe(4);
    expect(doc.find('ul').children('.a').size()).toBe(2);
    expect(b.closest('div').attr('id')).toBe('main');
    expect(b.parent().get(0).nodeName()).toBe('UL');
    expect(b.parents().map((_: number, s: any) => s.get(0).nodeName())).toEqual(['UL', 'DIV', 'BODY', 'HTML']);
    expect(b.parentsUntil('body').size()).toBe(2);
    expect(b.next().text()).toBe('three');
    expect(b.nextAll().size()).toBe(2);
    expect(doc.find('li').first().nextUntil('.c').text()).toBe('two');
    expect(b.prev().text()).toBe('one');
    expect(doc.find('li').last().prevAll('.a').size()).toBe(2);
    expect(doc.find('li').last().prevUntil('.b').text()).toBe('three');
    expect(b.siblings().size()).toBe(3);
    expect(doc.find('#main').contents().size()).toBeGreaterThan(4); // text and comment nodes too
    expect(doc.find('h1').add('#link').size()).toBe(2);
    expect(doc.find('h1').add(doc.find('li')).size()).toBe(5);
  });

  it('each gives Elements, map gives Selections; get, toArray', () => {
    const seen: string[] = [];
    doc.find('li').each((i: number, el: any) => seen.push(`${i}:${el.nodeName()}:${el.textContent()}`));
    expect(seen).toEqual(['0:LI:one', '1:LI:two', '2:LI:three', '3:LI:four']);
    expect(doc.find('li').map((_: number, s: any) => s.text().toUpperCase())).toEqual(['ONE', 'TWO', 'THREE', 'FOUR']);
    expect(doc.find('li').get(-1).textContent()).toBe('four');
    expect(doc.find('li').get(9)).toBeUndefined();
    expect(doc.find('li').get()).toHaveLength(4);
    expect(doc.find('li').toArray()[2].text()).toBe('three');
  });

  it('data() camelCases data-* names and types their values', () => {
    const main = doc.find('#main');
    expect(main.data('userId')).toBe(42);
    expect(main.data('active')).toBe(true);
    expect(main.data()).toEqual({ userId: 42, active: true, cfg: { a: 1 } });
    expect(doc.find('nothing').data()).toBeUndefined();
  });

  it('forms: val, serialize, serializeArray, serializeObject', () => {
    const f = doc.find('#f');
    expect(doc.find('select').val()).toBe('B2');
    expect(doc.find('textarea').val()).toBe('fragile');
    expect(f.serializeArray()).toEqual([
      { name: 'sku', value: 'X-1' },
      { name: 'qty', value: '3' },
      { name: 'tag', value: 'red' },
      { name: 'tag', value: 'blue' },
      { name: 'bin', value: 'B2' },
      { name: 'note', value: 'fragile' },
    ]);
    expect(f.serialize()).toBe('sku=X-1&qty=3&tag=red&tag=blue&bin=B2&note=fragile');
    expect(f.serializeObject()).toEqual({ sku: 'X-1', qty: '3', tag: ['red', 'blue'], bin: 'B2', note: 'fragile' });
  });

  it('Element: nodeType, id, attributes(), classList, siblings, ownerDocument, querySelector', () => {
    const main = doc.find('#main').get(0);
    expect(main.nodeType()).toBe(1);
    expect(main.id()).toBe('main');
    expect(main.className()).toBe('box wide');
    expect(main.classList()).toEqual(['box', 'wide']);
    expect(main.attributes().id.value).toBe('main');
    expect(main.hasAttribute('DATA-ACTIVE')).toBe(true);
    expect(main.getAttribute('data-user-id')).toBe('42');
    expect(main.firstElementChild().nodeName()).toBe('H1');
    expect(main.childElementCount()).toBe(3);
    expect(main.ownerDocument().nodeType()).toBe(9);
    expect(main.ownerDocument().nodeName()).toBe('#document');
    expect(main.querySelectorAll('li.a').map((e: any) => e.textContent())).toEqual(['one', 'three']);
    expect(main.querySelector('a').href()).toBe('/next');
    expect(main.contains(main.querySelector('a'))).toBe(true);
    expect(main.matches('div.box')).toBe(true);
    const li = doc.find('li.b').get(0);
    expect(li.nextElementSibling().textContent()).toBe('three');
    expect(li.previousElementSibling().textContent()).toBe('one');
    expect(li.parentElement().nodeName()).toBe('UL');
    expect(doc.find('#f').get(0).action()).toBe('/save');
    expect(doc.find('#f').get(0).method()).toBe('post');
    const comment = doc.find('#main').contents().filter((_: number, s: any) => s.get(0).nodeType() === 8);
    expect(comment.get(0).nodeValue()).toBe(' note ');
  });
});

describe('response.html() in k6/http', () => {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closeAll();
    await new Promise((r) => server.close(r));
  });

  it('parses the body; with a selector it finds within it', async () => {
    const { http: api } = load();
    const res = await api.get(`${base}/page`);
    expect(res.html().find('h1').text()).toBe('Items');
    expect(res.html('li.a').size()).toBe(2);
    const none = await api.get(`${base}/page`, { responseType: 'none' });
    expect(() => none.html()).toThrow('response.html(): the body is null');
  });
});
