/**
 * Shapes the loader refuses at load time: each must fail with a ScriptLoadError (exit 107) whose
 * message names the ORIGINAL file:line (the .ts line for TypeScript scenarios) and says why.
 */
import { describe, expect, it } from 'vitest';
import { ScriptLoadError } from '../../../engine/errors.ts';
import { loadScript } from '../../../engine/loader/index.ts';
import { fixture } from '../vu/harness.ts';

async function refusal(file: string): Promise<string> {
  const err = await loadScript(fixture(`refused/${file}`)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScriptLoadError);
  expect((err as ScriptLoadError).exitCode).toBe(107);
  return (err as Error).message;
}

describe('shapes the pass cannot make safe are refused with file:line', () => {
  const cases: [string, RegExp][] = [
    ['r01-check-callback.js', /refused\/r01-check-callback\.js:4: blocking function \(\) => \{ sleep\(1\); return true; \} is passed to check\(\), which cannot wait for it$/],
    ['r02-sort-comparator.js', /refused\/r02-sort-comparator\.js:4: blocking function \(a, b\) => .* is passed to xs\.sort\(\), which cannot wait for it$/],
    ['r03-getter.js', /refused\/r03-getter\.js:3: a getter cannot block: get slow\(\)/],
    ['r04-constructor.js', /refused\/r04-constructor\.js:3: a class constructor cannot block/],
    ['r05-generator.js', /refused\/r05-generator\.js:2: a generator function cannot block/],
    ['r06-class-field.js', /refused\/r06-class-field\.js:3: a blocking call in a class field initialiser or static block cannot be awaited: sleep\(0\.1\)$/],
    ['r07-new.js', /refused\/r07-new\.js:4: blocking function Thing is used with new; a constructor cannot wait$/],
    ['r08-unknown-function.js', /refused\/r08-unknown-function\.js:4: blocking function \(k, v\) => .* is passed to JSON\.parse\(\), which cannot wait for it$/],
    ['r10-unsupported-module.js', /refused\/r10-unsupported-module\.js:3: module "k6\/experimental\/redis" is not supported by the aetos-load engine .*run this script with --runner k6$/],
    ['r11-syntax-error.js', /refused\/r11-syntax-error\.js:3: SyntaxError: Unexpected token$/],
    ['r13-dynamic-import.js', /refused\/r13-dynamic-import\.js:3: dynamic import\(\) is not supported by the engine: import '\.\/lib\.js' statically at the top of the script$/],
    ['r14-async-group.js', /refused\/r14-async-group\.js:4: k6 does not accept an async function as the group\(\) callback: make it a plain function/],
    ['r15-async-check.js', /refused\/r15-async-check\.js:5: an async check\(\) condition always passes \(its promise is truthy\)/],
    ['r12-check-callback.ts', /refused\/r12-check-callback\.ts:13: blocking function \(xs\) => .* is passed to check\(\), which cannot wait for it$/],
  ];
  for (const [file, pattern] of cases) {
    it(file, async () => {
      expect(await refusal(file)).toMatch(pattern);
    });
  }

  it('a missing script is one clear line', async () => {
    const err = await loadScript(fixture('refused/does-not-exist.js')).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/does-not-exist\.js: no such file$/);
  });
});
