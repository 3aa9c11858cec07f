// The k6 script of the k6/http throughput benchmark (bench/http-throughput.ts), run by
// `aetos-load run`: one GET per iteration, nothing else.
import http from 'k6/http';

export default function () {
  http.get(__ENV.URL);
}
