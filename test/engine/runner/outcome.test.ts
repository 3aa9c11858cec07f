// The exit code is one pure function of how the run ended, in k6's order of precedence.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../engine/errors.ts';
import { exitCodeOf } from '../../../engine/runner/outcome.ts';
import type { RunOutcome } from '../../../engine/runner/outcome.ts';

const ok: RunOutcome = { aborted: false, signalled: false, thresholdsAborted: false, thresholdsFailed: false, markedFailed: false };
const code = (o: Partial<RunOutcome>) => exitCodeOf({ ...ok, ...o });

describe('exitCodeOf', () => {
  it('0 when nothing happened', () => expect(code({})).toBe(0));

  it('each cause alone', () => {
    expect(code({ errorCode: ExitCode.SetupTimeout })).toBe(100);
    expect(code({ errorCode: ExitCode.TeardownTimeout })).toBe(101);
    expect(code({ errorCode: ExitCode.GenericTimeout })).toBe(102);
    expect(code({ errorCode: ExitCode.InvalidConfig })).toBe(104);
    expect(code({ errorCode: ExitCode.ScriptException })).toBe(107);
    expect(code({ resultsErrorCode: ExitCode.GenericEngine })).toBe(103);
    expect(code({ aborted: true })).toBe(108);
    expect(code({ signalled: true })).toBe(105);
    expect(code({ thresholdsFailed: true })).toBe(99);
    expect(code({ thresholdsAborted: true })).toBe(99);
    expect(code({ markedFailed: true })).toBe(110);
  });

  it('precedence: engine error > failed results write > abort > signal > thresholds > fail()', () => {
    const all: Partial<RunOutcome> = { errorCode: 101, resultsErrorCode: 103, aborted: true, signalled: true, thresholdsFailed: true, markedFailed: true };
    expect(code(all)).toBe(101);
    expect(code({ ...all, errorCode: undefined })).toBe(103);
    expect(code({ ...all, errorCode: undefined, resultsErrorCode: undefined })).toBe(108);
    expect(code({ signalled: true, thresholdsFailed: true, markedFailed: true })).toBe(105);
    expect(code({ thresholdsFailed: true, markedFailed: true })).toBe(99);
  });

  it('an error code of 0 is no error', () => expect(code({ errorCode: ExitCode.OK, markedFailed: true })).toBe(110));
});
