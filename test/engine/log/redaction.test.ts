/**
 * k6/secrets' redaction where every log line is made (engine/log.ts): text, json and raw formats,
 * field names and values, the worker thread's hand-off to the main thread (`once`), and the
 * repeated-error counter's lines. Secret values are unique to this file: the registry is per thread.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatAs, REDACTED, RepeatedErrors, redact, redactedWrites, redactFromLogs } from '../../../engine/log.ts';

const secret = 'redaction-test-Zq81';
const inner = 'Zq81-in';
redactFromLogs(secret);
redactFromLogs(`${inner}ner-longer`);
redactFromLogs(inner);

describe('redaction in engine/log.ts', () => {
  it('every format: msg, field values and field names', () => {
    expect(REDACTED).toBe('***SECRET_REDACTED***');
    const text = formatAs('text', 'info', `token ${secret}`, { source: 'console', [secret]: `x${secret}y` });
    expect(text).toContain(`msg="token ${REDACTED}"`);
    expect(text).toContain(`${REDACTED}=x${REDACTED}y`);
    const json = JSON.parse(formatAs('json', 'error', `Error: ${secret}\n    at f (a.js:1:1)`, { at: 'a.js:1' }));
    expect(json.msg).toBe(`Error: ${REDACTED}\n    at f (a.js:1:1)`);
    expect(formatAs('raw', 'info', `${secret}!`, {})).toBe(`${REDACTED}!`);
    // the longer secret goes whole, not as a redacted prefix with its tail showing
    expect(redact(`a ${inner}ner-longer b ${inner}`)).toBe(`a ${REDACTED} b ${REDACTED}`);
    for (const line of [text, JSON.stringify(json)]) expect(line).not.toContain(secret);
  });

  it("a worker's once hand-off (exceptions for the main thread's counter) leaves the thread redacted", () => {
    const handed: string[] = [];
    const log = createLogger({ once: (key, _lvl, msg, fields) => handed.push(key, msg, JSON.stringify(fields)), write: () => {} });
    log.error(`Error: bad ${secret}`, { source: 'stacktrace', at: 'a.js:3', note: secret });
    log.once(`k ${secret}`, 'warning', `warn ${secret}`);
    expect(handed.join('\n')).not.toContain(secret);
    expect(handed.join('\n')).toContain(REDACTED);
  });

  it('the repeated-error counter: the first line, "… repeated" and "thrown N times in all"', () => {
    const lines: string[] = [];
    const repeats = new RepeatedErrors((lvl, msg, fields) => lines.push(formatAs('text', lvl, msg, fields)), 0);
    const log = createLogger({ repeats, write: (l) => lines.push(l) });
    for (let i = 0; i < 3; i++) log.error(`Error: ${secret}\n    at default (s.js:2:3)`, { source: 'stacktrace', at: 's.js:2' });
    repeats.flush();
    repeats.close();
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`repeated 2 times in the last 0 s: Error: ${REDACTED}`);
    expect(lines[2]).toContain(`thrown 3 times in all: Error: ${REDACTED}`);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('redactedWrites: a stream whose text writes are redacted, everything else its own', () => {
    const out = new PassThrough();
    let got = '';
    out.on('data', (d) => (got += d));
    const w = redactedWrites(out);
    w.write(`aetos-load run: ${secret}\n`);
    w.write(Buffer.from('bytes pass as they are\n'));
    expect(w.writable).toBe(true);
    expect(got).toBe(`aetos-load run: ${REDACTED}\nbytes pass as they are\n`);
  });
});
