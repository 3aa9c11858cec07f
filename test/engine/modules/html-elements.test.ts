/**
 * k6/html's per-tag Elements on a real HTML fixture (test/fixtures/html/elements.html): each tag's
 * Element has its own accessors (HrefElement's URL parts, a form's controls, a select's options, a
 * table's rows, …) besides the plain Element's; response.html() over a real local server resolves
 * URL attributes against the response URL.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlModule } from '../../../engine/modules/html/index.ts';
import { closeAll, load } from './http/harness.ts';

const PAGE = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/html/elements.html'), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { parseHTML } = htmlModule(null as never) as { parseHTML: (s: string) => any };
const doc = parseHTML(PAGE);
const el = (id: string) => doc.find(`#${id}`).get(0);
const ids = (list: { id(): string }[]) => list.map((e) => e.id());

describe('k6/html per-tag Elements', () => {
  it('AnchorElement / AreaElement (HrefElement): the parts of href, rel, text, toString', () => {
    const a = el('a1');
    expect([a.protocol(), a.username(), a.password(), a.hostname(), a.port(), a.host(), a.origin()]).toEqual(['https', 'picker', 'pw', 'wms.example.test', '8443', 'wms.example.test:8443', 'https://wms.example.test:8443']);
    expect([a.pathname(), a.search(), a.hash()]).toEqual(['/bins/list', '?zone=B', '#top']);
    expect(a.relList()).toEqual(['next', 'prefetch']);
    expect([a.rel(), a.target(), a.download(), a.hrefLang(), a.referrerPolicy(), a.text()]).toEqual(['next prefetch', '_self', 'bins.csv', 'de', 'origin', 'All bins']);
    expect(String(a)).toBe('https://picker:pw@wms.example.test:8443/bins/list?zone=B#top');
    // a relative href without a document URL: path, query and fragment only
    expect([el('a2').pathname(), el('a2').search(), el('a2').hash(), el('a2').host(), el('a2').protocol()]).toEqual(['/orders', '?status=open', '#recent', '', '']);
    expect(el('a4').href()).toBe('');
    const area = el('area1');
    expect([area.href(), area.alt(), area.shape(), area.coords(), area.pathname()]).toEqual(['/zone/a', 'Zone A', 'rect', '0,0,10,10', '/zone/a']);
    // each() hands out the same per-tag Elements
    const hashes: string[] = [];
    doc.find('a').each((_: number, e: { hash(): string }) => hashes.push(e.hash()));
    expect(hashes).toEqual(['#top', '#recent', '', '']);
  });

  it('FormElement: attributes with their defaults, elements() (inside, or pointing at it with form=), length', () => {
    const f = el('pick');
    expect([f.action(), f.method(), f.enctype(), f.encoding(), f.acceptCharset(), f.target(), f.noValidate(), f.autocomplete()]).toEqual(['/pick', 'post', 'multipart/form-data', 'multipart/form-data', 'UTF-8', '_top', true, 'on']);
    expect(ids(f.elements())).toEqual(['obj1', 'fs1', 'name', 'express', 'zone', 'tags', 'bin', 'note', 'out1', 'go', 'draft', 'outside']);
    expect(f.length()).toBe(12);
    const fs = el('fs1');
    expect([fs.type(), fs.disabled(), fs.name(), fs.form().id()]).toEqual(['fieldset', true, 'who', 'pick']);
    expect(ids(fs.elements())).toEqual(['name', 'express', 'zone']);
    expect([el('legend1').form().id(), el('legend1').accessKey()]).toEqual(['pick', 'l']);
  });

  it('InputElement and LabelElement: values, flags, numbers with defaults, labels(), list(), control()', () => {
    const name = el('name');
    expect([name.type(), name.name(), name.value(), name.defaultValue(), name.required(), name.maxLength(), name.size(), name.placeholder(), name.autocomplete(), name.checked()]).toEqual(['text', 'picker', 'ada', 'ada', true, 20, 20, 'your name', 'off', false]);
    expect(ids(name.labels())).toEqual(['lbl-name']);
    expect(ids(name.list().options())).toEqual(['p1', 'p2']);
    expect(name.form().id()).toBe('pick');
    const express = el('express');
    expect([express.type(), express.checked(), express.defaultChecked()]).toEqual(['checkbox', true, true]);
    expect(ids(express.labels())).toEqual(['lbl-wrap']);
    expect([el('lbl-name').htmlFor(), el('lbl-name').control().id(), el('lbl-name').form().id(), el('lbl-wrap').control().id()]).toEqual(['name', 'name', 'pick', 'express']);
  });

  it('SelectElement and OptionElement: options, the selected one (marked, or the first enabled), value, index, label, disabled through an optgroup', () => {
    const zone = el('zone');
    expect(ids(zone.options())).toEqual(['zA', 'zB', 'zC']);
    expect([zone.type(), zone.length(), zone.selectedIndex(), zone.value(), zone.name(), zone.form().id()]).toEqual(['select-one', 3, 1, 'Zone B', 'zone', 'pick']);
    expect(ids(zone.selectedOptions())).toEqual(['zB']);
    const tags = el('tags');
    expect([tags.type(), tags.multiple(), tags.size(), tags.selectedIndex(), tags.value()]).toEqual(['select-multiple', true, 3, 0, 'red']);
    expect(tags.selectedOptions().map((o: { value(): string }) => o.value())).toEqual(['red', 'green']);
    expect([el('bin').value(), el('bin').selectedIndex()]).toEqual(['B-1', 1]);
    const [zA, zB, zC] = [el('zA'), el('zB'), el('zC')];
    expect([zA.value(), zA.label(), zA.text(), zA.index(), zA.disabled(), zA.selected(), zA.form().id()]).toEqual(['A', 'Zone A', 'Zone A', 0, false, false, 'pick']);
    expect([zB.value(), zB.selected(), zB.defaultSelected()]).toEqual(['Zone B', true, true]);
    expect([zC.value(), zC.label(), zC.text(), zC.index(), zC.disabled()]).toEqual(['C', 'Zone C (closed)', 'C', 2, true]);
    expect([el('og1').label(), el('og1').disabled()]).toEqual(['closed', true]);
    expect(el('p2').index()).toBe(1);
  });

  it('ButtonElement: type default submit, the form it submits and its form* overrides', () => {
    const go = el('go');
    expect([go.type(), go.name(), go.value(), go.accessKey(), go.form().id()]).toEqual(['submit', 'go', 'pick', 'g', 'pick']);
    expect([go.formAction(), go.formMethod(), go.formEnctype(), go.formTarget(), go.formNoValidate()]).toEqual(['/pick', 'post', 'multipart/form-data', '_top', false]);
    const draft = el('draft');
    expect([draft.type(), draft.formAction(), draft.formMethod(), draft.formEnctype(), draft.formTarget(), draft.formNoValidate()]).toEqual(['button', '/draft', 'get', 'text/plain', '_blank', true]);
    expect([el('outside').type(), el('outside').form().id()]).toEqual(['reset', 'pick']);
    expect(el('loose').form()).toBeUndefined();
  });

  it('TextAreaElement and OutputElement', () => {
    const note = el('note');
    expect([note.value(), note.defaultValue(), note.textLength(), note.rows(), note.cols(), note.wrap(), note.readOnly(), note.type(), note.autocomplete(), note.form().id()]).toEqual(['handle with care', 'handle with care', 16, 4, 30, 'hard', true, 'textarea', 'on', 'pick']);
    const out = el('out1');
    expect([out.value(), out.defaultValue(), out.htmlFor(), out.name(), out.type(), out.form().id()]).toEqual(['12', '12', 'name express', 'total', 'output', 'pick']);
  });

  it('TableElement, sections, rows and cells', () => {
    const t = el('bins');
    expect([t.caption().textContent(), t.sortable(), t.tBodies().length, t.tHead().rows().length, t.tFoot().rows()[0].id()]).toEqual(['Bins', true, 2, 1, 'fr']);
    expect(ids(t.rows())).toEqual(['hr', 'r1', 'r2', 'r3', 'fr']);
    expect([el('r2').rowIndex(), el('r2').sectionRowIndex(), el('r3').rowIndex(), el('r3').sectionRowIndex()]).toEqual([2, 1, 3, 0]);
    expect(ids(el('r1').cells())).toEqual(['c11', 'c12']);
    expect([el('c12').colSpan(), el('c12').rowSpan(), el('c12').headers(), el('c12').cellIndex(), el('c11').colSpan()]).toEqual([2, 3, 'th2', 1, 1]);
    expect([el('th1').scope(), el('th1').abbr(), el('th1').sorted(), el('th2').scope()]).toEqual(['col', 'Bin', true, '']);
  });

  it('ImageElement, MapElement, ObjectElement: numbers, flags, CORS and referrer keywords, the images of a map', () => {
    const img = el('img1');
    expect([img.src(), img.alt(), img.width(), img.height(), img.isMap(), img.useMap(), img.crossOrigin(), img.referrerPolicy()]).toEqual(['img/floor.png', 'Floor plan', 640, 480, true, '#floor', 'anonymous', 'no-referrer']);
    expect([el('img2').crossOrigin(), el('img2').width(), el('img3').crossOrigin()]).toEqual(['anonymous', 0, null]);
    expect([el('map1').name(), el('map1').areas().length]).toEqual(['floor', 2]);
    expect(ids(el('map1').images())).toEqual(['img1', 'obj1']);
    expect([el('obj1').data(), el('obj1').type(), el('obj1').typeMustMatch(), el('obj1').form().id()]).toEqual(['plan.svg', 'image/svg+xml', false, 'pick']);
  });

  it('lists, progress, meter, media, head elements and the rest', () => {
    expect([el('steps').start(), el('steps').type(), el('steps').reversed(), el('countdown').reversed()]).toEqual([5, 'i', false, true]);
    expect([el('s1').value(), el('s2').value(), el('s3').value(), el('u1').value()]).toEqual([5, 9, 10, null]);
    expect([el('prog1').max(), el('prog1').value(), el('prog1').position(), el('prog2').max(), el('prog2').value(), el('prog2').position()]).toEqual([200, 0.25, 0.25, 1, 0, -1]);
    const m = el('meter1');
    expect([m.min(), m.max(), m.low(), m.high(), m.optimum(), m.value()]).toEqual([0, 100, 20, 80, 50, 65]);
    expect([el('cv').width(), el('cv').height()]).toEqual([300, 150]);
    const v = el('vid');
    expect([v.src(), v.controls(), v.muted(), v.loop(), v.autoplay(), v.preload(), v.crossOrigin()]).toEqual(['tour.mp4', true, true, true, false, 'none', null]);
    expect([el('frame').src(), el('frame').name(), el('frame').width(), el('frame').allowfullscreen(), el('frame').referrerPolicy()]).toEqual(['embed.html', 'embedded', '300', true, '']);
    expect([el('meta1').name(), el('meta1').content(), el('meta2').httpEquiv()]).toEqual(['author', 'wms team', 'refresh']);
    const link = el('link1');
    expect([link.href(), link.rel(), link.relList(), link.hreflang(), link.media(), link.crossOrigin(), el('link2').crossOrigin()]).toEqual(['css/site.css', 'stylesheet alternate', ['stylesheet', 'alternate'], 'en', 'print', 'use-credentials', null]);
    const s = el('script1');
    expect([s.src(), s.type(), s.async(), s.defer(), s.noModule(), s.text()]).toEqual(['app.js', 'module', true, true, false, "console.log('boot')"]);
    expect([el('base1').href(), el('base1').target(), doc.find('title').get(0).text()]).toEqual(['/static/', '_blank', 'Bin  report']);
    expect([el('t1').datetime(), el('ins1').cite(), el('ins1').datetime(), el('bq').cite(), el('d1').value()]).toEqual(['2026-12-01', '/changes', '2026-11-30', 'https://example.test/src', '117']);
  });

  it('an element without a tag class of its own is a plain Element (no borrowed accessors)', () => {
    const body = doc.find('body').get(0);
    expect(body.nodeName()).toBe('BODY');
    expect(body.href).toBeUndefined();
    expect(body.value).toBeUndefined();
    expect(el('a1').elements).toBeUndefined();
    expect(el('c11').rows).toBeUndefined();
  });
});

describe('response.html(): URL attributes resolve against the response URL', () => {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closeAll();
    await new Promise((r) => server.close(r));
  });

  it('links, sources, form actions; an absolute href stays; a missing one is empty', async () => {
    const { http: api } = load();
    const page = (await api.get(`${base}/report/page.html`)).html();
    const get = (id: string) => page.find(`#${id}`).get(0);
    expect(get('a3').href()).toBe(`${base}/report/details`);
    expect(get('a2').href()).toBe(`${base}/orders?status=open#recent`);
    expect([get('a2').host(), get('a2').pathname(), get('a2').protocol()]).toEqual([`127.0.0.1:${base.split(':')[2]}`, '/orders', 'http']);
    expect(get('a1').href()).toBe('https://picker:pw@wms.example.test:8443/bins/list?zone=B#top');
    expect(get('a4').href()).toBe('');
    expect(get('img1').src()).toBe(`${base}/report/img/floor.png`);
    expect(get('pick').action()).toBe(`${base}/pick`);
    expect(get('go').formAction()).toBe(`${base}/pick`);
    expect(get('draft').formAction()).toBe(`${base}/draft`);
    expect(get('obj1').data()).toBe(`${base}/report/plan.svg`);
  });
});
