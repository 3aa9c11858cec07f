/**
 * The last line of a generator's output that is a JSON object: autocannon -j, wrk with
 * http-wrk-report.lua and bench/http-engine-load.ts print their result that way, after whatever
 * else they write.
 */
export function lastJsonLine<T>(out: string): T {
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (line === undefined) throw new Error('no JSON line in the output');
  return JSON.parse(line) as T;
}
