/** The run folder of `load`: unique per run, `latest`, run.json listing only what this run wrote, masked credentials. */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunFolder, filesWrittenSince, maskCredentials, pointLatest, readLatest, runStamp, writeRunRecord } from '../../../engine/outputs/run-folder.ts';
import { tempDir } from '../../temp-dir.ts';

const tmp = () => tempDir('aetos-runfolder-');

describe('run folder', () => {
  it('results/<name>/<UTC time>/: two runs in the same second never share a folder', () => {
    const root = tmp();
    const at = new Date(Date.UTC(2026, 11, 1, 7, 5, 3, 120));
    expect(runStamp(at)).toBe('2026-12-01T07-05-03Z');
    const a = createRunFolder(root, 'smoke', at);
    const b = createRunFolder(root, 'smoke', at);
    expect(a).toBe(path.join(root, 'smoke/2026-12-01T07-05-03Z'));
    expect(b).toBe(path.join(root, 'smoke/2026-12-01T07-05-03Z-2'));
  });

  it('latest is swapped to the newest run (a symlink, or a file naming it)', () => {
    const root = tmp();
    const a = createRunFolder(root, 'heavy', new Date(Date.UTC(2026, 0, 1)));
    const b = createRunFolder(root, 'heavy', new Date(Date.UTC(2026, 0, 2)));
    pointLatest(a);
    expect(readLatest(path.join(root, 'heavy'))).toBe(a);
    pointLatest(b);
    expect(readLatest(path.join(root, 'heavy'))).toBe(b);
  });

  it('run.json lists only the files written since the run started (plus named extras), credentials masked', () => {
    const dir = tmp();
    const started = Date.now();
    writeFileSync(path.join(dir, 'old-summary.json'), '{}');
    const old = new Date(started - 3600_000);
    utimesSync(path.join(dir, 'old-summary.json'), old, old);
    writeFileSync(path.join(dir, 'summary.json'), '{}');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub/report.html'), '<html>');
    writeFileSync(path.join(dir, 'junit.xml.tmp-1-1'), 'partial');
    expect(filesWrittenSince(dir, started)).toEqual(['sub/report.html', 'summary.json']);
    const record = writeRunRecord(
      dir,
      {
        scenario: 'smoke',
        profile: 'quick',
        baseUrl: 'https://ci:s3cret@wms.example.test/api',
        embeddedTarget: false,
        startedAt: new Date(started).toISOString(),
        endedAt: new Date().toISOString(),
        exitCode: 99,
        exitReason: 'thresholds crossed',
        engineVersion: '0.1.0',
        gitCommit: null,
        args: [],
      },
      ['old-summary.json'],
    );
    expect(record.files).toEqual(['old-summary.json', 'sub/report.html', 'summary.json', 'run.json']);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(onDisk.baseUrl).toBe('https://***:***@wms.example.test/api');
    expect(JSON.stringify(onDisk)).not.toContain('s3cret');
  });

  it('maskCredentials leaves URLs without credentials alone', () => {
    expect(maskCredentials('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(maskCredentials('http://token@host/')).toBe('http://***@host/');
  });
});
