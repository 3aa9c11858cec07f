// k6/net/grpc as in k6's documentation: load the .proto in the init context, connect in the
// iteration, invoke, and a server stream.
import grpc from 'k6/net/grpc';
import { check } from 'k6';

const client = new grpc.Client();
client.load(['../protos'], 'stock.proto');

export const options = {
  iterations: 3,
  thresholds: { grpc_req_duration: ['p(95)<5000'], grpc_streams_msgs_received: ['count==6'], checks: ['rate==1'] },
};

export default function () {
  client.connect(__ENV.GRPC, { plaintext: true });
  const res = client.invoke('stock.Stock/GetItem', { sku: 'A-1' }, { metadata: { 'x-picker': 'ada' } });
  check(res, {
    'status is OK': (r) => r && r.status === grpc.StatusOK,
    'message': (r) => r.message.sku === 'A-1' && r.message.qty === '7',
  });
  const missing = client.invoke('stock.Stock/GetItem', { sku: 'nope' });
  check(missing, { 'not found': (r) => r.status === grpc.StatusNotFound });
  const stream = new grpc.Stream(client, 'stock.Stock/ListItems');
  let seen = 0;
  stream.on('data', () => seen++);
  stream.on('end', () => {
    check(seen, { 'two items streamed': (n) => n === 2 });
    client.close();
  });
  stream.write({ sku: 'B' });
  stream.end();
}
