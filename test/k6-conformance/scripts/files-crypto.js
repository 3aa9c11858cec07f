// k6/experimental/fs, k6/experimental/csv, k6/crypto and k6/encoding as k6's documentation shows them.
import { open } from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { check } from 'k6';

const file = await open('../data/bins.csv');
const bins = await csv.parse(file, { skipFirstLine: true });

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

export default async function () {
  check(bins, { 'csv rows': (b) => b.length === 3 && b[1][0] === 'B-02' });
  const parser = new csv.Parser(file, { asObjects: true });
  const { value } = await parser.next();
  check(value, { 'csv objects': (v) => v.bin === 'A-01' && v.capacity === '40' });
  const info = await file.stat();
  check(info, { 'file stat': (i) => i.name === 'bins.csv' && i.size > 0 });
  const h = crypto.createHash('sha256');
  h.update('pick');
  check(h, { 'digest twice': (x) => x.digest('hex') === x.digest('hex') });
  check(crypto.md5('pick', 'binary'), { 'binary is an ArrayBuffer': (b) => b instanceof ArrayBuffer && b.byteLength === 16 });
  check(encoding.b64decode('cGljaw==', null, 's'), { 'null encoding is std': (s) => s === 'pick' });
}
