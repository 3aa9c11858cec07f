// k6/html and the k6/http gaps, the way k6's documentation teaches them: parse a page, read
// its elements, post its form; digest authentication with the credentials in the URL.
import http from 'k6/http';
import { parseHTML } from 'k6/html';
import { check, group } from 'k6';

export const options = {
  iterations: 2,
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  group('page', () => {
    const res = http.get(`${__ENV.HTTP}/page`);
    const doc = parseHTML(res.body);
    check(doc, {
      'title read': (d) => d.find('head title').text() === 'Pick list',
      'three rows': (d) => d.find('table tr.line').size() === 3,
      'first sku': (d) => d.find('tr.line').first().find('td').eq(0).text() === 'A-1',
      'data attribute': (d) => d.find('table').data('warehouse') === 7,
    });
    const skus = res.html('tr.line').map((i, row) => row.find('td').first().text());
    check(skus, { 'map over rows': (s) => s.join(',') === 'A-1,B-2,C-3' });
    const form = res.html().find('form');
    const fields = form.serializeObject();
    const posted = http.post(`${__ENV.HTTP}${form.attr('action')}`, fields);
    check(posted, { 'form echoed': (r) => r.json('picker') === 'ada' && r.json('zone') === 'B' });
    res.html('a.next').each((i, el) => {
      check(el, { 'element API': (e) => e.nodeName() === 'A' && e.textContent() === 'Next page' && e.attributes().href.value === '/page?p=2' });
    });
  });
  group('digest', () => {
    const res = http.get(`http://picker:secret@${__ENV.HTTP.replace('http://', '')}/digest`, { auth: 'digest' });
    check(res, { 'digest authenticated': (r) => r.status === 200 });
  });
}
