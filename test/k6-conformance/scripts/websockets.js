// k6/websockets (the browser-like API) as in k6's documentation.
import { WebSocket } from 'k6/websockets';
import { check } from 'k6';

export const options = { iterations: 2, thresholds: { ws_sessions: ['count==2'], checks: ['rate==1'] } };

export default function () {
  const ws = new WebSocket(`${__ENV.WS}/chat`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => ws.send(JSON.stringify({ event: 'join', vu: __VU }));
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    check(m, { 'joined': (x) => x.event === 'joined' });
    ws.close();
  });
  ws.onclose = () => check(ws, { 'closed': (s) => s.readyState === WebSocket.CLOSED });
}
