/**
 * Test harness for the loader and VU runtime: loads a fixture script, creates real VUs with a
 * recording metric sink and a logger that keeps its lines, and runs iterations the way an
 * executor does. No part of the engine is replaced; only the outputs are captured.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../engine/log.ts';
import { loadScript, type LoadedScript } from '../../../engine/loader/index.ts';
import type { InstanceInfo, IterationOutcome, MetricSink, ScenarioInfo, Tags, TestControl } from '../../../engine/types.ts';
import { createVu, type Vu } from '../../../engine/vu/index.ts';

export const scriptsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/scripts');
export const fixture = (name: string) => path.join(scriptsDir, name);

export interface Sample {
  name: string;
  value: number;
  tags: Tags;
}

export class Recorder implements MetricSink {
  samples: Sample[] = [];
  defined = new Map<string, string>();
  lines: string[] = [];
  define(name: string, type: string): void {
    this.defined.set(name, type);
  }
  add(name: string, value: number, tags: Tags): void {
    this.samples.push({ name, value, tags: { ...tags } });
  }
  of(name: string): Sample[] {
    return this.samples.filter((s) => s.name === name);
  }
  /** The msg of every console line, in order. */
  get console(): string[] {
    return this.lines.filter((l) => l.includes('source=console')).map(msgOf);
  }
  get errors(): string[] {
    return this.lines.filter((l) => l.includes('level=error')).map(msgOf);
  }
}

export function msgOf(line: string): string {
  const m = /msg=("(?:[^"\\]|\\.)*")/.exec(line);
  return m ? (JSON.parse(m[1] as string) as string) : line;
}

export function scenario(name = 'default', over: Partial<ScenarioInfo> = {}): ScenarioInfo {
  return { name, executor: 'per-vu-iterations', startTime: Date.now(), progress: () => 0.5, iterationInInstance: 0, iterationInTest: 0, ...over };
}

export interface Harness {
  script: LoadedScript;
  rec: Recorder;
  aborted: string[];
  failed: string[];
  vu(id?: number, env?: Record<string, string>, options?: Record<string, unknown>): Promise<Vu>;
  /** Runs `n` iterations of `exec` on a VU, one after another. */
  iterate(vu: Vu, n: number, over?: { exec?: string; data?: unknown; tags?: Tags; env?: Record<string, string>; scenario?: ScenarioInfo }): Promise<IterationOutcome[]>;
}

export async function harness(file: string): Promise<Harness> {
  const script = await loadScript(file.startsWith('/') ? file : fixture(file));
  const rec = new Recorder();
  const log = createLogger({ level: 'debug', write: (l) => rec.lines.push(l) });
  const aborted: string[] = [];
  const failed: string[] = [];
  const test: TestControl = {
    abort(reason?: string): never {
      aborted.push(reason ?? '');
      const { IterationInterrupted } = errorsModule;
      throw new IterationInterrupted('abort');
    },
    fail(reason?: string) {
      failed.push(reason ?? '');
    },
  };
  const instance: InstanceInfo = { iterationsInterrupted: 0, iterationsCompleted: 7, vusActive: 2, vusInitialized: 2, currentTestRunDuration: 1234 };
  let counter = 0;
  return {
    script,
    rec,
    aborted,
    failed,
    vu: (id = 1, env = {}, options = {}) =>
      createVu(script, { idInInstance: id, idInTest: id + 100, env, options, sink: rec, log, instance: () => instance, test }),
    async iterate(vu, n, over = {}) {
      const out: IterationOutcome[] = [];
      for (let i = 0; i < n; i++) {
        out.push(
          await vu.runIteration({
            exec: over.exec ?? 'default',
            scenario: over.scenario ?? scenario(),
            iterationInScenario: counter++,
            tags: over.tags ?? {},
            env: over.env,
            data: over.data,
          }),
        );
      }
      return out;
    },
  };
}

import * as errorsModule from '../../../engine/errors.ts';
