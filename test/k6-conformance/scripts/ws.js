// k6/ws as in k6's documentation: connect, talk on open, answer messages, close from a timer.
import ws from 'k6/ws';
import { check } from 'k6';

export const options = {
  vus: 2,
  iterations: 4,
  thresholds: {
    ws_msgs_received: ['count>=8'],
    ws_session_duration: ['p(95)<10000'],
    checks: ['rate==1'],
  },
};

export default function () {
  const res = ws.connect(`${__ENV.WS}/chat`, { tags: { room: 'docks' } }, function (socket) {
    socket.on('open', () => {
      socket.send(JSON.stringify({ event: 'join', vu: __VU }));
      socket.ping();
    });
    socket.on('message', (msg) => {
      const m = JSON.parse(msg);
      if (m.event === 'joined') socket.send(JSON.stringify({ event: 'say', text: 'hello' }));
      if (m.event === 'said') socket.close();
    });
    socket.on('pong', () => {});
    socket.setTimeout(() => socket.close(), 5000);
  });
  check(res, { 'status is 101': (r) => r && r.status === 101 });
}
