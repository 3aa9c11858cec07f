/**
 * k6/html's Element: a DOM node seen through k6's method-style API (`el.nodeName()`,
 * `el.textContent()`, `el.attributes()`, …), as `Selection.get(i)` and `Selection.each` hand it
 * out. Built on the domhandler nodes cheerio parses into; no state of its own.
 */
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element as DomElement } from 'domhandler';

/** DOM nodeType numbers (k6 reports the W3C ones). */
const NODE_TYPES: Record<string, number> = { tag: 1, script: 1, style: 1, text: 3, cdata: 4, directive: 10, comment: 8, root: 9 };

function isElement(n: AnyNode | null | undefined): n is DomElement {
  return !!n && (n.type === 'tag' || n.type === 'script' || n.type === 'style');
}

/** Per-tag Element classes (element-types.ts registers them): `Selection.get(i)` of an <a> is an AnchorElement. */
type ElementClass = new ($: CheerioAPI, node: AnyNode) => Element;
const tagClasses = new Map<string, ElementClass>();

export function registerTagClass(tags: readonly string[], cls: ElementClass): void {
  for (const t of tags) tagClasses.set(t, cls);
}

/** The Element for a node: its tag's class, or the plain Element. */
export function elementOf($: CheerioAPI, node: AnyNode): Element {
  const cls = isElement(node) ? tagClasses.get(node.name) : undefined;
  return cls ? new cls($, node) : new Element($, node);
}

/** The URL a document was fetched from (response.html()); URL attributes resolve against it. */
const documentUrls = new WeakMap<CheerioAPI, string>();
export function setDocumentUrl($: CheerioAPI, url: string): void {
  documentUrls.set($, url);
}

export interface Attribute {
  name: string;
  value: string;
  localName: string;
  prefix: string;
  namespaceURI: string;
}

export class Element {
  constructor(
    /** The cheerio document this node belongs to (for selector matching). */
    readonly $: CheerioAPI,
    readonly node: AnyNode,
  ) {}

  protected elementAt(n: AnyNode | null | undefined): Element | undefined {
    return n ? elementOf(this.$, n) : undefined;
  }
  protected elementChildren(): DomElement[] {
    return 'children' in this.node ? (this.node.children as AnyNode[]).filter(isElement) : [];
  }
  protected attribs(): Record<string, string> {
    return isElement(this.node) ? this.node.attribs : {};
  }
  /** The document's URL, when it came from a response. */
  protected documentUrl(): string | undefined {
    return documentUrls.get(this.$);
  }
  /** Elements of this document matching `selector` (document order). */
  protected inDocument(selector: string): Element[] {
    return this.$(selector)
      .toArray()
      .map((n) => elementOf(this.$, n));
  }

  nodeName(): string {
    if (isElement(this.node)) return this.node.name.toUpperCase();
    return { text: '#text', comment: '#comment', root: '#document', cdata: '#cdata-section', directive: 'html' }[this.node.type as string] ?? '';
  }
  nodeType(): number {
    return NODE_TYPES[this.node.type as string] ?? 0;
  }
  nodeValue(): string | null {
    return this.node.type === 'text' || this.node.type === 'comment' ? (this.node as unknown as { data: string }).data : null;
  }
  textContent(): string {
    return this.$(this.node).text();
  }
  innerHTML(): string {
    return this.$(this.node).html() ?? '';
  }
  outerHTML(): string {
    return this.$.html(this.node);
  }
  id(): string {
    return this.attribs().id ?? '';
  }
  className(): string {
    return this.attribs().class ?? '';
  }
  classList(): string[] {
    return this.className().split(/\s+/).filter(Boolean);
  }
  lang(): string {
    return this.attribs().lang ?? '';
  }
  namespaceURI(): string {
    return isElement(this.node) ? (this.node.namespace ?? 'http://www.w3.org/1999/xhtml') : '';
  }
  attributes(): Record<string, Attribute> {
    const out: Record<string, Attribute> = {};
    for (const [name, value] of Object.entries(this.attribs())) {
      const colon = name.indexOf(':');
      out[name] = { name, value, localName: colon < 0 ? name : name.slice(colon + 1), prefix: colon < 0 ? '' : name.slice(0, colon), namespaceURI: '' };
    }
    return out;
  }
  getAttribute(name: string): string | undefined {
    return this.attribs()[String(name).toLowerCase()];
  }
  getAttributeNode(name: string): Attribute | undefined {
    return this.attributes()[String(name).toLowerCase()];
  }
  hasAttribute(name: string): boolean {
    return String(name).toLowerCase() in this.attribs();
  }
  hasAttributes(): boolean {
    return Object.keys(this.attribs()).length > 0;
  }
  hasChildNodes(): boolean {
    return 'children' in this.node && this.node.children.length > 0;
  }
  childNodes(): Element[] {
    return 'children' in this.node ? (this.node.children as AnyNode[]).map((n) => elementOf(this.$, n)) : [];
  }
  children(): Element[] {
    return this.elementChildren().map((n) => elementOf(this.$, n));
  }
  childElementCount(): number {
    return this.elementChildren().length;
  }
  firstChild(): Element | undefined {
    return this.elementAt('children' in this.node ? this.node.children[0] : undefined);
  }
  lastChild(): Element | undefined {
    return this.elementAt('children' in this.node ? this.node.children.at(-1) : undefined);
  }
  firstElementChild(): Element | undefined {
    return this.elementAt(this.elementChildren()[0]);
  }
  lastElementChild(): Element | undefined {
    return this.elementAt(this.elementChildren().at(-1));
  }
  parentNode(): Element | undefined {
    return this.elementAt(this.node.parent);
  }
  parentElement(): Element | undefined {
    return isElement(this.node.parent) ? this.elementAt(this.node.parent) : undefined;
  }
  nextSibling(): Element | undefined {
    return this.elementAt(this.node.next);
  }
  previousSibling(): Element | undefined {
    return this.elementAt(this.node.prev);
  }
  nextElementSibling(): Element | undefined {
    let n = this.node.next;
    while (n && !isElement(n)) n = n.next;
    return this.elementAt(n);
  }
  previousElementSibling(): Element | undefined {
    let n = this.node.prev;
    while (n && !isElement(n)) n = n.prev;
    return this.elementAt(n);
  }
  ownerDocument(): Element | undefined {
    let n: AnyNode = this.node;
    while (n.parent) n = n.parent;
    return n.type === 'root' ? elementOf(this.$, n) : undefined;
  }
  contains(other: unknown): boolean {
    if (!(other instanceof Element)) return false;
    for (let n: AnyNode | null = other.node; n; n = n.parent) if (n === this.node) return true;
    return false;
  }
  isSameNode(other: unknown): boolean {
    return other instanceof Element && other.node === this.node;
  }
  isEqualNode(other: unknown): boolean {
    return other instanceof Element && other.outerHTML() === this.outerHTML();
  }
  matches(selector: string): boolean {
    return this.$(this.node).is(String(selector));
  }
  querySelector(selector: string): Element | undefined {
    return this.elementAt(this.$(this.node).find(String(selector)).get(0));
  }
  querySelectorAll(selector: string): Element[] {
    return this.$(this.node)
      .find(String(selector))
      .toArray()
      .map((n) => elementOf(this.$, n));
  }
  getElementsByTagName(name: string): Element[] {
    return this.querySelectorAll(String(name));
  }
  getElementsByClassName(name: string): Element[] {
    return this.querySelectorAll(
      String(name)
        .split(/\s+/)
        .filter(Boolean)
        .map((c) => `.${c}`)
        .join(''),
    );
  }
  getElementById(id: string): Element | undefined {
    return this.elementAt(this.$(this.node).find(`[id="${String(id).replace(/"/g, '\\"')}"]`).get(0));
  }
  toString(): string {
    return isElement(this.node) ? `[object html.HTML${this.node.name[0]?.toUpperCase()}${this.node.name.slice(1)}Element]` : '[object html.Node]';
  }
}
