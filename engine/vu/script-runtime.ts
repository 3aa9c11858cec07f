/**
 * `__k6`: what the transformed script calls into (engine/loader/transform.ts writes these calls).
 * One small object per VU; every method lives on the prototype, so VUs share the code.
 *
 *  - `require(name)` / `importDefault(name)`: the VU's instance of a k6 module.
 *  - `vu`, `iter`, `env`: `__VU`, `__ITER`, `__ENV` (rewritten identifiers; the realm is shared).
 *    `__ENV` is copy-on-write per VU.
 *  - `forEach`, `map`, `filter`, … : Array methods whose callback blocks, run sequentially and
 *    awaited in order (k6 runs them synchronously, one after another).
 */
import { pathToFileURL } from 'node:url';

export interface RuntimeHost {
  moduleInstance(name: string): Record<string, unknown>;
  readonly idInInstance: number;
  readonly iterationInInstance: number;
  readonly env: Record<string, string>;
  /** The script the user ran (for `import.meta.url`). */
  readonly scriptPath: string;
}

type Callback = (value: unknown, index: number, array: unknown) => unknown;
type Reducer = (acc: unknown, value: unknown, index: number, array: unknown) => unknown;

interface ArrayLikeish {
  length: number;
  [i: number]: unknown;
}

/** The elements to visit and how to read them; Maps and Sets iterate their entries like their own forEach. */
function elementsOf(target: unknown, method: string): { list: ArrayLikeish; holes: boolean; self: unknown; kind: 'array' | 'map' | 'set' } {
  if (Array.isArray(target)) return { list: target, holes: true, self: target, kind: 'array' };
  if (method === 'forEach' && target instanceof Map) return { list: [...target.entries()], holes: false, self: target, kind: 'map' };
  if (method === 'forEach' && target instanceof Set) return { list: [...target.values()], holes: false, self: target, kind: 'set' };
  if (target !== null && typeof target === 'object' && typeof (target as ArrayLikeish).length === 'number') {
    return { list: target as ArrayLikeish, holes: false, self: target, kind: 'array' };
  }
  const what = target === null ? 'null' : typeof target;
  throw new TypeError(`cannot run a blocking callback in ${method}() of ${what}: only arrays, array-likes, Maps and Sets are supported by the engine`);
}

/**
 * `__ENV` as one VU sees it: reads go to the env shared by all VUs (no copy per VU); the first
 * write gives this VU its own copy, so a VU that changes `__ENV` does not change it for others.
 */
interface EnvState {
  base: Record<string, string>;
  own: Record<string, string> | null;
}
const current = (t: EnvState) => t.own ?? t.base;
const writable = (t: EnvState) => (t.own ??= { ...t.base });
const envHandler: ProxyHandler<EnvState> = {
  get: (t, k) => (typeof k === 'string' ? current(t)[k] : undefined),
  set: (t, k, v) => {
    if (typeof k !== 'string') return false;
    writable(t)[k] = v;
    return true;
  },
  has: (t, k) => typeof k === 'string' && k in current(t),
  deleteProperty: (t, k) => (typeof k === 'string' ? delete writable(t)[k] : false),
  ownKeys: (t) => Object.keys(current(t)),
  getOwnPropertyDescriptor: (t, k) => {
    const env = current(t);
    if (typeof k !== 'string' || !Object.prototype.hasOwnProperty.call(env, k)) return undefined;
    return { value: env[k], writable: true, enumerable: true, configurable: true };
  },
  defineProperty: (t, k, d) => {
    if (typeof k !== 'string') return false;
    writable(t)[k] = d.value;
    return true;
  },
};

export class ScriptRuntime {
  private envState: EnvState | null = null;
  private envView: Record<string, string> | null = null;

  constructor(private readonly host: RuntimeHost) {}

  require(name: string): Record<string, unknown> {
    return this.host.moduleInstance(name);
  }

  importDefault(name: string): unknown {
    const m = this.host.moduleInstance(name);
    return 'default' in m ? m.default : m;
  }

  /** `import.meta`: the URL of the script the user ran and `resolve()` against it. */
  get importMeta(): { url: string; resolve(specifier: string): string } {
    const url = pathToFileURL(this.host.scriptPath).href;
    return { url, resolve: (specifier: string) => new URL(specifier, url).href };
  }

  get vu(): number {
    return this.host.idInInstance;
  }

  get iter(): number {
    return this.host.iterationInInstance;
  }

  get env(): Record<string, string> {
    const base = this.host.env;
    if (!this.envState || this.envState.base !== base) {
      this.envState = { base, own: null };
      this.envView = new Proxy(this.envState, envHandler) as unknown as Record<string, string>;
    }
    return this.envView as Record<string, string>;
  }

  async forEach(target: unknown, cb: Callback, thisArg?: unknown): Promise<void> {
    const { list, holes, self, kind } = elementsOf(target, 'forEach');
    for (let i = 0; i < list.length; i++) {
      if (holes && !(i in list)) continue;
      if (kind === 'map') {
        const [k, v] = list[i] as [unknown, unknown];
        await cb.call(thisArg, v, k as number, self);
      } else if (kind === 'set') await cb.call(thisArg, list[i], list[i] as number, self);
      else await cb.call(thisArg, list[i], i, self);
    }
  }

  async map(target: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
    const { list, holes, self } = elementsOf(target, 'map');
    const out: unknown[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      if (holes && !(i in list)) continue;
      out[i] = await cb.call(thisArg, list[i], i, self);
    }
    return out;
  }

  async filter(target: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
    const { list, holes, self } = elementsOf(target, 'filter');
    const out: unknown[] = [];
    for (let i = 0; i < list.length; i++) {
      if (holes && !(i in list)) continue;
      const v = list[i];
      if (await cb.call(thisArg, v, i, self)) out.push(v);
    }
    return out;
  }

  async flatMap(target: unknown, cb: Callback, thisArg?: unknown): Promise<unknown[]> {
    const mapped = await this.map(target, cb, thisArg);
    return mapped.flat(1);
  }

  async some(target: unknown, cb: Callback, thisArg?: unknown): Promise<boolean> {
    const { list, holes, self } = elementsOf(target, 'some');
    for (let i = 0; i < list.length; i++) {
      if (holes && !(i in list)) continue;
      if (await cb.call(thisArg, list[i], i, self)) return true;
    }
    return false;
  }

  async every(target: unknown, cb: Callback, thisArg?: unknown): Promise<boolean> {
    const { list, holes, self } = elementsOf(target, 'every');
    for (let i = 0; i < list.length; i++) {
      if (holes && !(i in list)) continue;
      if (!(await cb.call(thisArg, list[i], i, self))) return false;
    }
    return true;
  }

  async find(target: unknown, cb: Callback, thisArg?: unknown): Promise<unknown> {
    const i = await this.findIndex(target, cb, thisArg);
    return i < 0 ? undefined : (target as ArrayLikeish)[i];
  }

  async findIndex(target: unknown, cb: Callback, thisArg?: unknown): Promise<number> {
    const { list, self } = elementsOf(target, 'findIndex');
    for (let i = 0; i < list.length; i++) if (await cb.call(thisArg, list[i], i, self)) return i;
    return -1;
  }

  async findLast(target: unknown, cb: Callback, thisArg?: unknown): Promise<unknown> {
    const i = await this.findLastIndex(target, cb, thisArg);
    return i < 0 ? undefined : (target as ArrayLikeish)[i];
  }

  async findLastIndex(target: unknown, cb: Callback, thisArg?: unknown): Promise<number> {
    const { list, self } = elementsOf(target, 'findLastIndex');
    for (let i = list.length - 1; i >= 0; i--) if (await cb.call(thisArg, list[i], i, self)) return i;
    return -1;
  }

  async reduce(target: unknown, cb: Reducer, ...initial: unknown[]): Promise<unknown> {
    return this.fold(target, cb, initial, false);
  }

  async reduceRight(target: unknown, cb: Reducer, ...initial: unknown[]): Promise<unknown> {
    return this.fold(target, cb, initial, true);
  }

  private async fold(target: unknown, cb: Reducer, initial: unknown[], right: boolean): Promise<unknown> {
    const method = right ? 'reduceRight' : 'reduce';
    const { list, holes, self } = elementsOf(target, method);
    const indices: number[] = [];
    for (let i = 0; i < list.length; i++) if (!holes || i in list) indices.push(i);
    if (right) indices.reverse();
    let k = 0;
    let acc: unknown;
    if (initial.length > 0) acc = initial[0];
    else {
      if (indices.length === 0) throw new TypeError(`${method} of empty array with no initial value`);
      acc = list[indices[0] as number];
      k = 1;
    }
    for (; k < indices.length; k++) {
      const i = indices[k] as number;
      acc = await cb(acc, list[i], i, self);
    }
    return acc;
  }
}
