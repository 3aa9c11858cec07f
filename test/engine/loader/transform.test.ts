/**
 * The blocking-call pass's output text: what it inserts and what it leaves alone. (The behaviour
 * of the output on real VUs is covered by shapes.test.ts; this pins down the rewriting rules.)
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { transformScript } from '../../../engine/loader/transform.ts';

const body = (code: string) => {
  const out = transformScript(code).code;
  // drop the module wrapper's first line, the return line and the closing line
  return out.split('\n').slice(1, -2).join('\n').trim();
};

describe('transformScript', () => {
  it('awaits blocking calls and makes their functions async, nothing else', () => {
    const out = body(`import { sleep } from 'k6';\nfunction a() { sleep(1); }\nfunction b() { return 1; }\nexport default function () { a(); b(); }`);
    expect(out).toBe(`async function a() { await sleep(1); }\nfunction b() { return 1; }\nasync function  __k6_default() { await a(); b(); }`);
  });

  it('leaves already-async code and existing awaits alone', () => {
    const src = `import http from 'k6/http';\nexport default async function () {\n  const r = await http.asyncRequest('GET', 'u');\n  await Promise.all([1].map(async (i) => i));\n}`;
    const r = transformScript(src);
    expect(r.stats).toEqual({ awaitedCalls: 0, asyncFunctions: 0, arrayRewrites: 0 });
    expect(body(src)).toContain("const r = await http.asyncRequest('GET', 'u');");
  });

  it('parenthesises an awaited call used as an object or callee, and guards the statement start against ASI', () => {
    const out = body(`import http from 'k6/http';\nexport default function () {\n  let x = 1\n  http.get('u').json()\n  return http.get('v').status + 1;\n}`);
    expect(out).toContain(";(await http.get('u')).json()");
    expect(out).toContain("return (await http.get('v')).status + 1;");
  });

  it('rewrites blocking Array callbacks into sequential helpers', () => {
    const out = body(`import { sleep } from 'k6';\nexport default function () { [1, 2].forEach((i) => sleep(i), this); }`);
    expect(out).toContain('await __k6.forEach([1, 2], async (i) => await sleep(i), this);');
  });

  it('moves a blocking default parameter into the body', () => {
    const out = body(`import { sleep } from 'k6';\nfunction f(a, b = sleep(1)) { return b; }\nexport default function () { f(1); }`);
    expect(out).toContain('async function f(a, b) { if (b === undefined) b = await sleep(1); return b; }');
  });

  it('turns imports into per-VU module lookups and __VU/__ITER/__ENV into runtime reads', () => {
    const r = transformScript(`import http, { get as g } from 'k6/http';\nimport * as k6 from 'k6';\nexport const options = { t: __ENV.T, v: __VU, i: __ITER };`);
    expect(r.code.split('\n')[0]).toContain('const http = __k6.importDefault("k6/http"); const { "get": g } = __k6.require("k6/http"); const k6 = __k6.require("k6");');
    expect(r.code).toContain('t: __k6.env.T, v: __k6.vu, i: __k6.iter');
    expect(r.imports.map((i) => [i.source, i.line])).toEqual([
      ['k6/http', 1],
      ['k6', 2],
    ]);
    expect(r.exportNames).toEqual(['options']);
  });

  it('output is one function expression V8 compiles', () => {
    const r = transformScript(`import { sleep } from 'k6';\nexport default () => sleep(1);`);
    const fn = new vm.Script(r.code).runInThisContext();
    expect(typeof fn).toBe('function');
    expect(fn.constructor.name).toBe('AsyncFunction');
  });
});
