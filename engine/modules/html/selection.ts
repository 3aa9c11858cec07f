/**
 * k6/html's Selection: a jQuery-like set of nodes (k6 builds it on goquery; this on cheerio).
 * Every traversal returns a new Selection; `each` hands its callback Elements, `map`, `filter`
 * and `is` hand theirs one-node Selections, as k6 does.
 */
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { type Element, elementOf } from './element.ts';

type Callback = (index: number, item: unknown) => unknown;

export class Selection {
  constructor(
    readonly $: CheerioAPI,
    readonly sel: Cheerio<AnyNode>,
  ) {}

  private wrap(sel: Cheerio<AnyNode>): Selection {
    return new Selection(this.$, sel);
  }
  /** A k6 filter argument (selector string, Selection, or fn(index, Selection)) as cheerio takes it. */
  private matcher(arg: unknown, fn: string): string | Cheerio<AnyNode> | ((i: number, el: AnyNode) => boolean) {
    if (typeof arg === 'string') return arg;
    if (arg instanceof Selection) return arg.sel;
    if (typeof arg === 'function') return (i: number, el: AnyNode) => Boolean((arg as Callback)(i, this.wrap(this.$(el))));
    throw new TypeError(`${fn}: the argument must be a selector string, a Selection or a function`);
  }
  private optSelector(s: unknown): string | undefined {
    return s === undefined || s === null ? undefined : String(s);
  }

  // --- traversal ----------------------------------------------------------------------------
  find(selector: unknown): Selection {
    if (selector instanceof Selection) return this.wrap(this.sel.find(selector.sel as never));
    return this.wrap(this.sel.find(String(selector)));
  }
  children(selector?: unknown): Selection {
    return this.wrap(this.sel.children(this.optSelector(selector)));
  }
  contents(): Selection {
    return this.wrap(this.sel.contents());
  }
  closest(selector: unknown): Selection {
    return this.wrap(this.sel.closest(String(selector)));
  }
  parent(selector?: unknown): Selection {
    return this.wrap(this.sel.parent(this.optSelector(selector)));
  }
  parents(selector?: unknown): Selection {
    return this.wrap(this.sel.parents(this.optSelector(selector)));
  }
  parentsUntil(until?: unknown, filter?: unknown): Selection {
    return this.wrap(this.sel.parentsUntil(until instanceof Selection ? (until.sel as never) : this.optSelector(until), this.optSelector(filter)));
  }
  next(selector?: unknown): Selection {
    return this.wrap(this.sel.next(this.optSelector(selector)));
  }
  nextAll(selector?: unknown): Selection {
    return this.wrap(this.sel.nextAll(this.optSelector(selector)));
  }
  nextUntil(until?: unknown, filter?: unknown): Selection {
    return this.wrap(this.sel.nextUntil(until instanceof Selection ? (until.sel as never) : this.optSelector(until), this.optSelector(filter)));
  }
  prev(selector?: unknown): Selection {
    return this.wrap(this.sel.prev(this.optSelector(selector)));
  }
  prevAll(selector?: unknown): Selection {
    return this.wrap(this.sel.prevAll(this.optSelector(selector)));
  }
  prevUntil(until?: unknown, filter?: unknown): Selection {
    return this.wrap(this.sel.prevUntil(until instanceof Selection ? (until.sel as never) : this.optSelector(until), this.optSelector(filter)));
  }
  siblings(selector?: unknown): Selection {
    return this.wrap(this.sel.siblings(this.optSelector(selector)));
  }
  first(): Selection {
    return this.wrap(this.sel.first());
  }
  last(): Selection {
    return this.wrap(this.sel.last());
  }
  eq(index: unknown): Selection {
    return this.wrap(this.sel.eq(Number(index)));
  }
  slice(start: unknown, end?: unknown): Selection {
    return this.wrap(this.sel.slice(Number(start), end === undefined ? undefined : Number(end)));
  }
  filter(arg: unknown): Selection {
    return this.wrap(this.sel.filter(this.matcher(arg, 'filter') as never));
  }
  not(arg: unknown): Selection {
    return this.wrap(this.sel.not(this.matcher(arg, 'not') as never));
  }
  has(selector: unknown): Selection {
    return this.wrap(this.sel.has(selector instanceof Selection ? (selector.sel.get(0) as never) : String(selector)));
  }
  is(arg: unknown): boolean {
    return this.sel.is(this.matcher(arg, 'is') as never);
  }
  add(arg: unknown): Selection {
    if (arg instanceof Selection) return this.wrap(this.sel.add(arg.sel));
    // a selector is matched against the whole document, as in goquery
    return this.wrap(this.sel.add(this.$.root().find(String(arg))));
  }
  end(): Selection {
    return this.wrap(this.sel.end() as Cheerio<AnyNode>);
  }

  // --- iteration ----------------------------------------------------------------------------
  each(fn: unknown): Selection {
    if (typeof fn !== 'function') throw new TypeError('each: the argument must be a function');
    this.sel.toArray().forEach((el, i) => (fn as Callback)(i, elementOf(this.$, el)));
    return this;
  }
  map(fn: unknown): unknown[] {
    if (typeof fn !== 'function') throw new TypeError('map: the argument must be a function');
    return this.sel.toArray().map((el, i) => (fn as Callback)(i, this.wrap(this.$(el))));
  }
  size(): number {
    return this.sel.length;
  }
  get length(): number {
    return this.sel.length;
  }
  /** get(i): the Element at i (negative counts from the end); get(): all Elements. */
  get(index?: unknown): Element | Element[] | undefined {
    if (index === undefined) return this.sel.toArray().map((n) => elementOf(this.$, n));
    const n = this.sel.get(Number(index));
    return n ? elementOf(this.$, n) : undefined;
  }
  toArray(): Selection[] {
    return this.sel.toArray().map((n) => this.wrap(this.$(n)));
  }

  // --- content ------------------------------------------------------------------------------
  text(): string {
    return this.sel.text();
  }
  /** Inner HTML of the first node; undefined for an empty selection. */
  html(): string | undefined {
    return this.sel.length === 0 ? undefined : (this.sel.html() ?? undefined);
  }
  attr(name: unknown, def?: unknown): unknown {
    const v = this.sel.attr(String(name));
    return v === undefined ? def : v;
  }
  hasClass(name: unknown): boolean {
    return this.sel.hasClass(String(name));
  }
  /** data(): every data-* attribute of the first node, camelCased and typed (numbers, booleans, JSON); data(key): one. */
  data(key?: unknown): unknown {
    if (this.sel.length === 0) return undefined;
    return key === undefined ? this.sel.data() : this.sel.data(String(key));
  }
  val(): unknown {
    return this.sel.val();
  }
  serializeArray(): { name: string; value: string }[] {
    return this.sel.serializeArray();
  }
  serialize(): string {
    return this.sel.serialize();
  }
  /** Form fields as an object; a name given several times (checkboxes, select multiple) maps to an array. */
  serializeObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, value } of this.serializeArray()) {
      const prev = out[name];
      if (prev === undefined) out[name] = value;
      else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return out;
  }
}
