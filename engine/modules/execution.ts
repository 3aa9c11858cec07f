/**
 * `k6/execution`: the VU's live view of the test (issue 3 item 2). One instance per VU; its
 * objects read the VU's context on every access, so values are always current. The views are
 * small classes whose getters live on shared prototypes (a VU holds only the objects, not a
 * closure per getter). `vu.tags` is the VU's own mutable tag set, merged into every sample it emits.
 */
import type { ModuleFactory, ScenarioInfo, Tags, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

/**
 * `exec.vu.tags`: reads see the VU's tags; writes and deletes go through the VU (setTag/deleteTag),
 * which then knows its merged tag sets are stale. Tag values are strings in samples; k6 accepts
 * strings, numbers and booleans.
 */
function tagsView(vu: VuContext): Tags {
  const checked = (key: string, value: unknown): string => {
    if (value !== null && typeof value === 'object') throw new TypeError(`exec.vu.tags: the value of "${key}" must be a string, number or boolean`);
    return String(value);
  };
  return new Proxy(vu.tags as Tags, {
    set(_target, key, value) {
      if (typeof key !== 'string') return false;
      vu.setTag(key, checked(key, value));
      return true;
    },
    defineProperty(_target, key, desc) {
      if (typeof key !== 'string' || !('value' in desc)) return false;
      vu.setTag(key, checked(key, desc.value));
      return true;
    },
    deleteProperty(_target, key) {
      if (typeof key === 'string') vu.deleteTag(key);
      return true;
    },
  });
}

class VuView {
  readonly #vu: VuContext;
  #tags: Tags | null = null;
  readonly metrics: MetricsView;
  constructor(vu: VuContext) {
    this.#vu = vu;
    this.metrics = new MetricsView(this);
  }
  get idInInstance(): number {
    return this.#vu.idInInstance;
  }
  get idInTest(): number {
    return this.#vu.idInTest;
  }
  get iterationInInstance(): number {
    return this.#vu.iterationInInstance;
  }
  get iterationInScenario(): number {
    return this.#vu.iterationInScenario;
  }
  get tags(): Tags {
    return (this.#tags ??= tagsView(this.#vu));
  }
}

class MetricsView {
  readonly metadata: Record<string, string> = {};
  readonly #owner: VuView;
  constructor(owner: VuView) {
    this.#owner = owner;
  }
  get tags(): Tags {
    return this.#owner.tags;
  }
}

class ScenarioView {
  readonly #vu: VuContext;
  constructor(vu: VuContext) {
    this.#vu = vu;
  }
  get #current(): ScenarioInfo {
    if (!this.#vu.scenario) throw new Error('getting scenario information outside of an iteration is not supported');
    return this.#vu.scenario;
  }
  get name(): string {
    return this.#current.name;
  }
  get executor(): string {
    return this.#current.executor;
  }
  get startTime(): number {
    return this.#current.startTime;
  }
  get progress(): number {
    return this.#current.progress();
  }
  get iterationInInstance(): number {
    return this.#current.iterationInInstance;
  }
  get iterationInTest(): number {
    return this.#current.iterationInTest;
  }
}

class InstanceView {
  readonly #vu: VuContext;
  constructor(vu: VuContext) {
    this.#vu = vu;
  }
  get iterationsInterrupted(): number {
    return this.#vu.instance.iterationsInterrupted;
  }
  get iterationsCompleted(): number {
    return this.#vu.instance.iterationsCompleted;
  }
  get vusActive(): number {
    return this.#vu.instance.vusActive;
  }
  get vusInitialized(): number {
    return this.#vu.instance.vusInitialized;
  }
  get currentTestRunDuration(): number {
    return this.#vu.instance.currentTestRunDuration;
  }
}

class TestView {
  readonly #vu: VuContext;
  constructor(vu: VuContext) {
    this.#vu = vu;
    // abort/fail are called detached too (`const { abort } = exec.test`)
    this.abort = this.abort.bind(this);
    this.fail = this.fail.bind(this);
  }
  abort(reason?: unknown): never {
    return this.#vu.test.abort(reason === undefined ? undefined : String(reason));
  }
  fail(reason?: unknown): void {
    this.#vu.test.fail(reason === undefined ? undefined : String(reason));
  }
  get options(): Readonly<Record<string, unknown>> {
    return this.#vu.options;
  }
}

export const executionModule: ModuleFactory = (vu) => {
  const mod = { vu: new VuView(vu), scenario: new ScenarioView(vu), instance: new InstanceView(vu), test: new TestView(vu) };
  return moduleExports(mod);
};
