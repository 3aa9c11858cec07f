/**
 * Uploads: users send 10 MB files (the guide: "10MB files in < 5 seconds"). The file is built once
 * in the init context; the upload's own series (`http_req_duration{name:upload}`) is judged.
 */
import { check, group } from 'k6';
import type { Options } from 'k6/options';
import { profile } from '../lib/config.ts';
import { think } from '../lib/journey.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { upload } from '../lib/wms.ts';

const size = 10 * 1024 * 1024;
const file = 'aetos-upload-'.repeat(Math.ceil(size / 13)).slice(0, size);

const shape = { quick: { vus: 2, duration: '8s' }, standard: { vus: 10, duration: '2m' }, nightly: { vus: 20, duration: '15m' } }[profile()];

export const options: Options = {
  scenarios: {
    uploads: { executor: 'constant-vus', vus: shape.vus, duration: shape.duration },
  },
  thresholds: thresholdsFor('upload'),
};

export default function (): void {
  group('upload a 10 MB file', () => {
    const res = upload(file, `report-${__VU}-${__ITER}.bin`);
    check(res, {
      'upload is 201 or 200': (r) => r.status === 201 || r.status === 200,
      'size is 10 MB': (r) => r.status < 300 && r.json('size') === size,
    });
  });
  think(2, 4);
}
