// aetos.config.json checking, the environment-variable item, and the resource item judged on
// given readings (never the host's) plus docker stats arithmetic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, checkConfig, loadPreflightConfig } from '../../../ops/preflight/config.ts';
import { envItem } from '../../../ops/preflight/items/env.ts';
import { judgeResources, readResources } from '../../../ops/preflight/items/resources.ts';
import { statsPercent, type DockerStats } from '../../../ops/shared/docker.ts';
import { startDockerEngine } from '../fixtures/docker-engine.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-pf-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aetos.config.json', () => {
  it('resolves paths against the file\'s folder and keeps every section', () => {
    const file = path.join(dir, 'aetos.config.json');
    writeFileSync(file, JSON.stringify({ requiredEnv: ['A_B'], uploads: { limitMb: 20 }, logging: { file: 'logs/api.log' }, backups: { dir: 'bk', pattern: '\\.dump$' }, notifications: { webhook: 'http://127.0.0.1:9/h', smtp: { host: 'h', port: 25, from: 'a@b', to: 'c@d' } }, resources: { cpuPercent: 70 } }));
    const { file: f, config } = loadPreflightConfig(file);
    expect(f).toBe(file);
    expect(config.logging?.file).toBe(path.join(dir, 'logs/api.log'));
    expect(config.backups?.dir).toBe(path.join(dir, 'bk'));
    expect(config.notifications?.smtp?.port).toBe(25);
    expect(config.resources?.cpuPercent).toBe(70);
  });

  it('no file named and none in the folder: an empty config; a named file that is missing: an error', () => {
    expect(loadPreflightConfig(undefined, dir + '/none')).toEqual({ config: {} });
    expect(() => loadPreflightConfig('nope.json', dir)).toThrow(/nope\.json: no such file/);
  });

  it('a malformed value is one line naming the key', () => {
    const f = '/x/aetos.config.json';
    expect(() => checkConfig({ uploads: { limitMb: 'big' } }, f)).toThrow(new ConfigError(f, '"uploads.limitMb" must be a number ≥ 0'));
    expect(() => checkConfig({ requiredEnv: ['OK', 'not ok'] }, f)).toThrow(/"requiredEnv" must be a list of environment variable names/);
    expect(() => checkConfig({ logging: {} }, f)).toThrow(/"logging" must be an object with "file" or "command"/);
    expect(() => checkConfig({ backups: { dir: 'b', pattern: '(' } }, f)).toThrow(/"backups.pattern" must be a regular expression/);
    expect(() => checkConfig({ notifications: { smtp: { host: 'h' } } }, f)).toThrow(/"notifications.smtp" must be an object with host, port, from and to/);
    expect(() => checkConfig({ resources: { diskPercent: 120 } }, f)).toThrow(/"resources.diskPercent" must be a percentage/);
    expect(() => checkConfig([], f)).toThrow(/must hold a JSON object/);
  });
});

describe('environment variables item', () => {
  it('fails naming the missing and empty ones, never printing values', () => {
    const r = envItem(['SET_ONE', 'EMPTY_ONE', 'MISSING_ONE'], undefined, { SET_ONE: 'secret-value', EMPTY_ONE: '' });
    expect(r.status).toBe('fail');
    expect(r.reason).toBe('2 of 3 not set or empty: EMPTY_ONE, MISSING_ONE');
    expect(JSON.stringify(r)).not.toContain('secret-value');
  });

  it('finds them in the deployment\'s env file too', () => {
    const envFile = path.join(dir, '.env.production');
    writeFileSync(envFile, 'JWT_SECRET=abc\nDATABASE_URL="postgres://x"\n');
    expect(envItem(['JWT_SECRET', 'DATABASE_URL', 'HOME_X'], envFile, { HOME_X: '1' }).status).toBe('pass');
  });

  it('is not configured without a list', () => {
    expect(envItem(undefined, undefined, {}).status).toBe('not configured');
  });
});

describe('resources item (given readings)', () => {
  it('passes below the guide\'s levels, fails above one naming it, warns on a missing reading', () => {
    expect(judgeResources({ source: 'this machine', cpuPercent: 40, memoryPercent: 50, diskPercent: 60 }).status).toBe('pass');
    const over = judgeResources({ source: 'this machine', cpuPercent: 40, memoryPercent: 91, diskPercent: 95 });
    expect(over.status).toBe('fail');
    expect(over.reason).toBe('this machine: over the alert level: memory 91 % (≤ 85), disk 95 % (≤ 90)');
    const missing = judgeResources({ source: '2 containers', cpuPercent: 10, diskPercent: 10, notes: [] });
    expect(missing.status).toBe('warn');
    expect(missing.reason).toContain('not read: memory');
  });

  it('judges against the configured levels', () => {
    expect(judgeResources({ source: 'm', cpuPercent: 99, memoryPercent: 10, diskPercent: 10 }, { cpuPercent: 100, memoryPercent: 85, diskPercent: 90 }).status).toBe('pass');
  });

  it('computes a container\'s CPU and memory as docker stats does', () => {
    const s = statsPercent({
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 10_000_000_000 },
      memory_stats: { usage: 600 * 2 ** 20, limit: 1024 * 2 ** 20, stats: { inactive_file: 88 * 2 ** 20 } },
    });
    expect(s.cpuPercent).toBeCloseTo(20, 6);
    expect(s.memoryPercent).toBeCloseTo(50, 6);
    expect(statsPercent({})).toEqual({});
  });

  it('reads AetosWMS\'s containers when a Docker engine runs them: the busiest one\'s CPU and memory', async () => {
    const stats = (cpu: number, memMb: number): DockerStats => ({
      cpu_stats: { cpu_usage: { total_usage: cpu * 1e7 }, system_cpu_usage: 2e9, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 1e9 },
      memory_stats: { usage: memMb * 2 ** 20, limit: 2048 * 2 ** 20, stats: { inactive_file: 0 } },
    });
    const engine = await startDockerEngine([
      { id: 'api1', name: 'aetos-api-1', state: 'running', restarts: 0, stats: stats(15, 512) },
      { id: 'db1', name: 'aetos-db-1', state: 'running', restarts: 0, stats: stats(30, 1024) },
      { id: 'other', name: 'someone-else', state: 'running', restarts: 0, labels: { 'com.docker.compose.project': 'other' }, stats: stats(50, 2000) },
    ]);
    try {
      const r = await readResources(dir, 2000, engine.socketPath);
      expect(r.source).toBe('2 containers');
      expect(r.cpuPercent).toBeCloseTo(60, 6); // 30e7 of 1e9 system ns on 2 CPUs
      expect(r.memoryPercent).toBeCloseTo(50, 6);
      expect(r.diskPercent).toBeGreaterThan(0);
      expect(judgeResources(r).status).toBe('pass');
    } finally {
      await engine.close();
    }
  });
});
