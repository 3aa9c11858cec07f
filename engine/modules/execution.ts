/**
 * `k6/execution`: the VU's live view of the test (issue 3 item 2). One instance per VU; the
 * objects read the VU's context on every access, so values are always current. `vu.tags` is the
 * VU's own mutable tag set, merged into every sample it emits.
 */
import type { ModuleFactory, ScenarioInfo, Tags, VuContext } from '../types.ts';

function currentScenario(vu: VuContext): ScenarioInfo {
  if (!vu.scenario) throw new Error('getting scenario information outside of an iteration is not supported');
  return vu.scenario;
}

/** Tag values are strings in samples; k6 accepts strings, numbers and booleans. */
function tagsView(vu: VuContext): Tags {
  return new Proxy(vu.tags, {
    set(target, key, value) {
      if (typeof key !== 'string') return false;
      if (value !== null && typeof value === 'object') throw new TypeError(`exec.vu.tags: the value of "${key}" must be a string, number or boolean`);
      target[key] = String(value);
      return true;
    },
  });
}

export const executionModule: ModuleFactory = (vu) => {
  let tags: Tags | null = null;
  const tagsOf = () => (tags ??= tagsView(vu));
  const vuView = {
    get idInInstance() {
      return vu.idInInstance;
    },
    get idInTest() {
      return vu.idInTest;
    },
    get iterationInInstance() {
      return vu.iterationInInstance;
    },
    get iterationInScenario() {
      return vu.iterationInScenario;
    },
    get tags() {
      return tagsOf();
    },
    metrics: {
      get tags() {
        return tagsOf();
      },
      metadata: {} as Record<string, string>,
    },
  };
  const scenario = {
    get name() {
      return currentScenario(vu).name;
    },
    get executor() {
      return currentScenario(vu).executor;
    },
    get startTime() {
      return currentScenario(vu).startTime;
    },
    get progress() {
      return currentScenario(vu).progress();
    },
    get iterationInInstance() {
      return currentScenario(vu).iterationInInstance;
    },
    get iterationInTest() {
      return currentScenario(vu).iterationInTest;
    },
  };
  const instance = {
    get iterationsInterrupted() {
      return vu.instance.iterationsInterrupted;
    },
    get iterationsCompleted() {
      return vu.instance.iterationsCompleted;
    },
    get vusActive() {
      return vu.instance.vusActive;
    },
    get vusInitialized() {
      return vu.instance.vusInitialized;
    },
    get currentTestRunDuration() {
      return vu.instance.currentTestRunDuration;
    },
  };
  const test = {
    abort: (reason?: unknown): never => vu.test.abort(reason === undefined ? undefined : String(reason)),
    fail: (reason?: unknown) => vu.test.fail(reason === undefined ? undefined : String(reason)),
    get options() {
      return vu.options;
    },
  };
  const mod = { vu: vuView, scenario, instance, test };
  return { ...mod, default: mod };
};
