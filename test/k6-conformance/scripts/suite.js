// All module scripts in one k6 run, one scenario each (k6's `scenarios` with `exec`): every
// script keeps its own iterations, VUs and thresholds. One run costs one engine start instead
// of four; each script still runs alone as it is (`aetos-load run scripts/ws.js`).
// files-crypto.js opens its files with top-level await in the imported module, as k6 allows.
import html, { options as htmlOptions } from './html-and-http.js';
import ws, { options as wsOptions } from './ws.js';
import websockets, { options as websocketsOptions } from './websockets.js';
import grpc, { options as grpcOptions } from './grpc.js';
import files, { options as filesOptions } from './files-crypto.js';

const parts = { html: htmlOptions, ws: wsOptions, websockets: websocketsOptions, grpc: grpcOptions, files: filesOptions };

const scenarios = {};
const thresholds = {};
for (const [name, o] of Object.entries(parts)) {
  scenarios[name] = { executor: 'shared-iterations', vus: o.vus || 1, iterations: o.iterations, exec: name, maxDuration: '60s' };
  // each script's thresholds hold for its own scenario's samples (a sub-metric by tag, as in k6)
  for (const [metric, list] of Object.entries(o.thresholds || {})) thresholds[`${metric}{scenario:${name}}`] = list;
}

export const options = { scenarios, thresholds };
export { html, ws, websockets, grpc, files };
