/**
 * k6/html's per-tag Elements: `Selection.get(i)` / `each` hand out an AnchorElement for <a>, a
 * FormElement for <form>, … each with the accessors of its tag (`a.href()`, `form.elements()`,
 * `select.options()`, `table.rows()`, …) on top of the plain Element's. Accessors that only read
 * an attribute are declared in tables (ACCESSORS: kind and attribute per method) and put on the
 * class prototypes; the ones that look at other nodes (a form's controls, a label's control, a
 * table's rows) are methods. Attribute semantics follow the HTML reflection rules k6 applies:
 * a missing string attribute is '', booleans are the attribute's presence, numbers fall back to
 * their default, enumerated attributes to theirs, URL attributes resolve against the document's
 * URL when it came from a response (as given otherwise).
 */
import type { AnyNode, Element as DomElement } from 'domhandler';
import { Element, registerTagClass } from './element.ts';

type Accessor =
  | ['str', string]
  | ['bool', string]
  | ['int', string, number | null]
  | ['url', string]
  | ['enum', string, readonly string[], string, string?]
  | ['const', string]
  | ['list', string];

const REFERRER = ['', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url'];
const CORS = ['anonymous', 'use-credentials'];
const INPUT_TYPES = ['button', 'checkbox', 'color', 'date', 'datetime-local', 'email', 'file', 'hidden', 'image', 'month', 'number', 'password', 'radio', 'range', 'reset', 'search', 'submit', 'tel', 'text', 'time', 'url', 'week'];
const FORM_CONTROLS = 'button, fieldset, input, object, output, select, textarea';
const LABELABLE = new Set(['button', 'input', 'meter', 'output', 'progress', 'select', 'textarea']);

class Base extends Element {
  str(name: string): string {
    return this.attribs()[name] ?? '';
  }
  has(name: string): boolean {
    return name in this.attribs();
  }
  int(name: string, def: number | null): number | null {
    const raw = this.attribs()[name];
    const n = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
    return Number.isNaN(n) ? def : n;
  }
  url(name: string): string {
    const raw = this.attribs()[name];
    if (raw === undefined) return '';
    const base = this.documentUrl();
    if (!base) return raw;
    if (raw === '') return base;
    try {
      return new URL(raw, base).href;
    } catch {
      return raw;
    }
  }
  enumerated(name: string, values: readonly string[], missing: string, invalid = missing): string {
    const raw = this.attribs()[name];
    if (raw === undefined) return missing;
    // matched without regard to case; the answer is the canonical keyword
    return values.find((x) => x.toLowerCase() === raw.toLowerCase()) ?? invalid;
  }
  nodeEl(): DomElement {
    return this.node as DomElement;
  }
  /** Descendants matching `selector`, as Elements. */
  descendants(selector: string): Element[] {
    return this.$(this.node)
      .find(selector)
      .toArray()
      .map((n) => this.elementAt(n) as Element);
  }
  /** Children matching `selector`, as Elements. */
  childElements(selector: string): Element[] {
    return this.$(this.node)
      .children(selector)
      .toArray()
      .map((n) => this.elementAt(n) as Element);
  }
  /** The form a control belongs to: its `form` attribute's form, else its nearest form ancestor. */
  form(): Element | undefined {
    const id = this.attribs().form;
    if (id !== undefined) return this.inDocument(`form[id="${id.replace(/"/g, '\\"')}"]`)[0];
    return this.elementAt(this.$(this.node).closest('form').get(0));
  }
  /** <label>s of a labelable control: those around it, then those pointing at its id (document order). */
  labels(): Element[] {
    if (!LABELABLE.has(this.nodeEl().name)) return [];
    const around = this.$(this.node)
      .parents('label')
      .toArray()
      .filter((l) => (l as DomElement).attribs.for === undefined);
    const id = this.attribs().id;
    const pointing = id === undefined ? [] : this.$(`label[for="${id.replace(/"/g, '\\"')}"]`).toArray();
    return [...around, ...pointing].map((n) => this.elementAt(n) as Element);
  }
}

class HrefElement extends Base {
  /** k6's parts of the href: protocol without its colon, the port as written. */
  private parts() {
    const href = this.url('href');
    const m = /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#]*)(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(href);
    if (m) return { protocol: (m[1] as string).toLowerCase(), username: m[2] ?? '', password: m[3] ?? '', hostname: m[4] ?? '', port: m[5] ?? '', pathname: m[6] ?? '', search: m[7] ?? '', hash: m[8] ?? '' };
    const r = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(href) as RegExpExecArray;
    return { protocol: '', username: '', password: '', hostname: '', port: '', pathname: r[1] ?? '', search: r[2] ?? '', hash: r[3] ?? '' };
  }
  hash(): string {
    return this.parts().hash;
  }
  host(): string {
    const p = this.parts();
    const defaultPort = { http: '80', https: '443' }[p.protocol];
    return p.port === '' || p.port === defaultPort ? p.hostname : `${p.hostname}:${p.port}`;
  }
  hostname(): string {
    return this.parts().hostname;
  }
  port(): string {
    return this.parts().port;
  }
  origin(): string {
    const p = this.parts();
    return p.protocol === '' ? '' : `${p.protocol}://${p.hostname}${p.port === '' ? '' : `:${p.port}`}`;
  }
  pathname(): string {
    return this.parts().pathname;
  }
  protocol(): string {
    return this.parts().protocol;
  }
  search(): string {
    return this.parts().search;
  }
  username(): string {
    return this.parts().username;
  }
  password(): string {
    return this.parts().password;
  }
  text(): string {
    return this.textContent();
  }
  toString(): string {
    return this.url('href');
  }
}
class AnchorElement extends HrefElement {}
class AreaElement extends HrefElement {}

class ButtonElement extends Base {
  /** The form's attribute unless the button overrides it (formaction, …). */
  private formAttr(own: string, ofForm: string, read: (el: Base, name: string) => string): string {
    if (this.has(own)) return read(this, own);
    const f = this.form();
    return f instanceof Base ? read(f, ofForm) : '';
  }
  formAction(): string {
    return this.formAttr('formaction', 'action', (e, n) => e.url(n));
  }
  formEnctype(): string {
    return this.formAttr('formenctype', 'enctype', (e, n) => e.enumerated(n, ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'], 'application/x-www-form-urlencoded'));
  }
  formMethod(): string {
    return this.formAttr('formmethod', 'method', (e, n) => e.enumerated(n, ['get', 'post', 'dialog'], 'get'));
  }
  formNoValidate(): boolean {
    return this.has('formnovalidate');
  }
  formTarget(): string {
    return this.formAttr('formtarget', 'target', (e, n) => e.str(n));
  }
}

class FormElement extends Base {
  /** Its controls: inside it (but not in a nested form's) or pointing at it with form="id". */
  elements(): Element[] {
    const id = this.attribs().id;
    const outside = id === undefined ? [] : this.$(`[form="${id.replace(/"/g, '\\"')}"]`).toArray();
    const inside = this.$(this.node).find(FORM_CONTROLS).toArray();
    const all = new Set<AnyNode>([...inside, ...outside]);
    return this.$(FORM_CONTROLS)
      .toArray()
      .filter((n) => all.has(n))
      .map((n) => this.elementAt(n) as Element);
  }
  length(): number {
    return this.elements().length;
  }
}

class FieldSetElement extends Base {
  elements(): Element[] {
    return this.descendants(FORM_CONTROLS);
  }
}

class InputElement extends Base {
  /** The <datalist> its `list` attribute names. */
  list(): Element | undefined {
    const id = this.attribs().list;
    return id === undefined ? undefined : this.inDocument(`datalist[id="${id.replace(/"/g, '\\"')}"]`)[0];
  }
  value(): string {
    return this.str('value');
  }
}

class OptionElement extends Base {
  /** Disabled itself or through a disabled <optgroup>. */
  disabled(): boolean {
    return this.has('disabled') || this.$(this.node).parent('optgroup[disabled]').length > 0;
  }
  form(): Element | undefined {
    const select = this.$(this.node).closest('select').get(0);
    return select ? (this.elementAt(select) as Base).form() : undefined;
  }
  /** Its position among the options of its <select> or <datalist>. */
  index(): number {
    const list = this.$(this.node).closest('select, datalist');
    return list.length ? list.find('option').toArray().indexOf(this.nodeEl()) : 0;
  }
  label(): string {
    return this.attribs().label ?? this.text();
  }
  text(): string {
    return this.textContent();
  }
  value(): string {
    return this.attribs().value ?? this.text();
  }
}

class SelectElement extends Base {
  options(): Element[] {
    return this.descendants('option');
  }
  length(): number {
    return this.options().length;
  }
  selectedOptions(): Element[] {
    const opts = this.options() as OptionElement[];
    const marked = opts.filter((o) => o.hasAttribute('selected'));
    if (marked.length > 0) return this.has('multiple') ? marked : [marked.at(-1) as OptionElement];
    // a single-choice list shows its first enabled option
    const first = opts.find((o) => !o.disabled());
    return this.has('multiple') || !first ? [] : [first];
  }
  selectedIndex(): number {
    const s = this.selectedOptions()[0];
    return s ? this.options().findIndex((o) => o.node === s.node) : -1;
  }
  type(): string {
    return this.has('multiple') ? 'select-multiple' : 'select-one';
  }
  value(): string {
    const s = this.selectedOptions()[0] as OptionElement | undefined;
    return s ? s.value() : '';
  }
}

class DataListElement extends Base {
  options(): Element[] {
    return this.descendants('option');
  }
}

class LabelElement extends Base {
  /** The control it labels: the element its `for` names, else the first labelable element inside it. */
  control(): Element | undefined {
    const id = this.attribs().for;
    if (id !== undefined) return this.inDocument(`[id="${id.replace(/"/g, '\\"')}"]`)[0];
    const inside = this.$(this.node)
      .find('*')
      .toArray()
      .find((n) => LABELABLE.has((n as DomElement).name));
    return this.elementAt(inside);
  }
  form(): Element | undefined {
    const c = this.control();
    return c instanceof Base ? c.form() : undefined;
  }
}

class LegendElement extends Base {
  form(): Element | undefined {
    const fs = this.$(this.node).parent('fieldset').get(0);
    return fs ? (this.elementAt(fs) as Base).form() : undefined;
  }
}

class LiElement extends Base {
  /** Its ordinal in an <ol> (its own value, else one more than the item before); null outside an <ol>. */
  value(): number | null {
    const list = this.$(this.node).parent('ol');
    if (list.length === 0) return this.int('value', null);
    let n = (this.elementAt(list.get(0)) as Base).int('start', 1) as number;
    for (const li of list.children('li').toArray()) {
      const own = (this.elementAt(li) as Base).int('value', null);
      if (own !== null) n = own;
      if (li === this.node) return n;
      n++;
    }
    return n;
  }
}

class MapElement extends Base {
  areas(): Element[] {
    return this.descendants('area');
  }
  /** The images and objects whose usemap names this map. */
  images(): Element[] {
    const name = this.attribs().name ?? this.attribs().id;
    if (name === undefined) return [];
    return this.inDocument('img[usemap], object[usemap]').filter((e) => e.getAttribute('usemap') === `#${name}`);
  }
}

class OutputElement extends Base {
  value(): string {
    return this.textContent();
  }
  defaultValue(): string {
    return this.textContent();
  }
}

class ProgressElement extends Base {
  max(): number {
    const m = Number.parseFloat(this.attribs().max ?? '');
    return m > 0 ? m : 1;
  }
  /** As k6: the fraction done (value / max), 0 without a value. */
  value(): number {
    const v = Number.parseFloat(this.attribs().value ?? '');
    return Number.isNaN(v) ? 0 : Math.min(Math.max(v, 0), this.max()) / this.max();
  }
  /** The fraction done, -1 for an indeterminate bar (no value). */
  position(): number {
    return this.has('value') ? this.value() : -1;
  }
}

class ScriptElement extends Base {
  text(): string {
    return this.textContent();
  }
}

class TitleElement extends Base {
  text(): string {
    return this.textContent();
  }
}

class TableElement extends Base {
  private part(tag: string): Element | undefined {
    return this.elementAt(this.$(this.node).children(tag).get(0));
  }
  caption(): Element | undefined {
    return this.part('caption');
  }
  tHead(): Element | undefined {
    return this.part('thead');
  }
  tFoot(): Element | undefined {
    return this.part('tfoot');
  }
  tBodies(): Element[] {
    return this.childElements('tbody');
  }
  /** Every row: the head's, the bodies' (and rows directly in the table), then the foot's. */
  rows(): Element[] {
    const t = this.$(this.node);
    const nodes = [...t.children('thead').children('tr').toArray(), ...t.children('tbody, tr').toArray().flatMap((n) => ((n as DomElement).name === 'tr' ? [n] : this.$(n).children('tr').toArray())), ...t.children('tfoot').children('tr').toArray()];
    return nodes.map((n) => this.elementAt(n) as Element);
  }
}

class TableSectionElement extends Base {
  rows(): Element[] {
    return this.childElements('tr');
  }
}

class TableRowElement extends Base {
  cells(): Element[] {
    return this.childElements('td, th');
  }
  /** Its index among all rows of its table, -1 outside one. */
  rowIndex(): number {
    const table = this.$(this.node).closest('table').get(0);
    if (!table) return -1;
    return (this.elementAt(table) as TableElement).rows().findIndex((r) => r.node === this.node);
  }
  /** Its index within its thead / tbody / tfoot (or table). */
  sectionRowIndex(): number {
    return this.$(this.node).parent().children('tr').toArray().indexOf(this.nodeEl());
  }
}

class TableCellElement extends Base {
  cellIndex(): number {
    return this.$(this.node).parent('tr').children('td, th').toArray().indexOf(this.nodeEl());
  }
}

class TextAreaElement extends Base {
  value(): string {
    return this.textContent();
  }
  defaultValue(): string {
    return this.textContent();
  }
  textLength(): number {
    return this.textContent().length;
  }
}

class MediaElement extends Base {}
class SimpleElement extends Base {}

/** Attribute accessors per class (method name → how it reads which attribute). */
const ACCESSORS: [typeof Base, readonly string[], Record<string, Accessor>][] = [
  [AnchorElement, ['a'], { download: ['str', 'download'], referrerPolicy: ['enum', 'referrerpolicy', REFERRER, ''], href: ['url', 'href'], target: ['str', 'target'], type: ['str', 'type'], accessKey: ['str', 'accesskey'], hrefLang: ['str', 'hreflang'], media: ['str', 'media'], rel: ['str', 'rel'], relList: ['list', 'rel'] }],
  [AreaElement, ['area'], { alt: ['str', 'alt'], coords: ['str', 'coords'], shape: ['str', 'shape'], download: ['str', 'download'], referrerPolicy: ['enum', 'referrerpolicy', REFERRER, ''], href: ['url', 'href'], target: ['str', 'target'], rel: ['str', 'rel'], relList: ['list', 'rel'] }],
  [MediaElement, ['audio', 'video'], { autoplay: ['bool', 'autoplay'], controls: ['bool', 'controls'], loop: ['bool', 'loop'], muted: ['bool', 'muted'], defaultMuted: ['bool', 'muted'], preload: ['enum', 'preload', ['none', 'metadata', 'auto'], 'auto'], src: ['url', 'src'], currentSrc: ['url', 'src'], crossOrigin: ['enum', 'crossorigin', CORS, null as never, 'anonymous'], mediaGroup: ['str', 'mediagroup'] }],
  [SimpleElement, ['base'], { href: ['url', 'href'], target: ['str', 'target'] }],
  [ButtonElement, ['button'], { accessKey: ['str', 'accesskey'], autofocus: ['bool', 'autofocus'], disabled: ['bool', 'disabled'], name: ['str', 'name'], type: ['enum', 'type', ['submit', 'reset', 'button', 'menu'], 'submit'], value: ['str', 'value'], tabIndex: ['int', 'tabindex', 0] }],
  [SimpleElement, ['canvas'], { width: ['int', 'width', 300], height: ['int', 'height', 150] }],
  [SimpleElement, ['data'], { value: ['str', 'value'] }],
  [DataListElement, ['datalist'], {}],
  [SimpleElement, ['del', 'ins'], { cite: ['str', 'cite'], datetime: ['str', 'datetime'] }],
  [SimpleElement, ['embed'], { height: ['str', 'height'], width: ['str', 'width'], src: ['url', 'src'], type: ['str', 'type'] }],
  [FieldSetElement, ['fieldset'], { disabled: ['bool', 'disabled'], name: ['str', 'name'], type: ['const', 'fieldset'] }],
  [FormElement, ['form'], { action: ['url', 'action'], acceptCharset: ['str', 'accept-charset'], autocomplete: ['enum', 'autocomplete', ['on', 'off'], 'on'], enctype: ['enum', 'enctype', ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'], 'application/x-www-form-urlencoded'], encoding: ['enum', 'enctype', ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'], 'application/x-www-form-urlencoded'], method: ['enum', 'method', ['get', 'post', 'dialog'], 'get'], name: ['str', 'name'], noValidate: ['bool', 'novalidate'], target: ['str', 'target'] }],
  [SimpleElement, ['iframe'], { allowfullscreen: ['bool', 'allowfullscreen'], referrerPolicy: ['enum', 'referrerpolicy', REFERRER, ''], height: ['str', 'height'], width: ['str', 'width'], name: ['str', 'name'], src: ['url', 'src'] }],
  [SimpleElement, ['img'], { alt: ['str', 'alt'], crossOrigin: ['enum', 'crossorigin', CORS, null as never, 'anonymous'], currentSrc: ['url', 'src'], height: ['int', 'height', 0], width: ['int', 'width', 0], isMap: ['bool', 'ismap'], name: ['str', 'name'], referrerPolicy: ['enum', 'referrerpolicy', REFERRER, ''], sizes: ['str', 'sizes'], src: ['url', 'src'], srcset: ['str', 'srcset'], useMap: ['str', 'usemap'] }],
  [InputElement, ['input'], { name: ['str', 'name'], type: ['enum', 'type', INPUT_TYPES, 'text'], defaultValue: ['str', 'value'], disabled: ['bool', 'disabled'], autofocus: ['bool', 'autofocus'], required: ['bool', 'required'], checked: ['bool', 'checked'], defaultChecked: ['bool', 'checked'], multiple: ['bool', 'multiple'], readonly: ['bool', 'readonly'], readOnly: ['bool', 'readonly'], alt: ['str', 'alt'], src: ['url', 'src'], width: ['str', 'width'], height: ['str', 'height'], accept: ['str', 'accept'], autocomplete: ['str', 'autocomplete'], pattern: ['str', 'pattern'], placeholder: ['str', 'placeholder'], min: ['str', 'min'], max: ['str', 'max'], dirName: ['str', 'dirname'], accessKey: ['str', 'accesskey'], step: ['str', 'step'], maxLength: ['int', 'maxlength', -1], size: ['int', 'size', 20], tabIndex: ['int', 'tabindex', 0] }],
  [SimpleElement, ['keygen'], { autofocus: ['bool', 'autofocus'], challenge: ['str', 'challenge'], disabled: ['bool', 'disabled'], keytype: ['enum', 'keytype', ['RSA', 'DSA', 'EC'], 'RSA'], name: ['str', 'name'], type: ['const', 'keygen'] }],
  [LabelElement, ['label'], { htmlFor: ['str', 'for'] }],
  [LegendElement, ['legend'], { accessKey: ['str', 'accesskey'] }],
  [LiElement, ['li'], { type: ['str', 'type'] }],
  [SimpleElement, ['link'], { crossOrigin: ['enum', 'crossorigin', CORS, null as never, 'anonymous'], referrerPolicy: ['enum', 'referrerpolicy', REFERRER, ''], href: ['url', 'href'], hreflang: ['str', 'hreflang'], media: ['str', 'media'], rel: ['str', 'rel'], relList: ['list', 'rel'], target: ['str', 'target'], type: ['str', 'type'] }],
  [MapElement, ['map'], { name: ['str', 'name'] }],
  [SimpleElement, ['meta'], { content: ['str', 'content'], httpEquiv: ['str', 'http-equiv'], name: ['str', 'name'] }],
  [SimpleElement, ['meter'], { min: ['int', 'min', 0], max: ['int', 'max', 1], low: ['int', 'low', 0], high: ['int', 'high', 0], optimum: ['int', 'optimum', 0], value: ['int', 'value', 0] }],
  [SimpleElement, ['object'], { data: ['url', 'data'], height: ['str', 'height'], width: ['str', 'width'], name: ['str', 'name'], type: ['str', 'type'], typeMustMatch: ['bool', 'typemustmatch'], useMap: ['str', 'usemap'], tabIndex: ['int', 'tabindex', 0] }],
  [SimpleElement, ['ol'], { reversed: ['bool', 'reversed'], start: ['int', 'start', 1], type: ['str', 'type'] }],
  [SimpleElement, ['optgroup'], { disabled: ['bool', 'disabled'], label: ['str', 'label'] }],
  [OptionElement, ['option'], { defaultSelected: ['bool', 'selected'], selected: ['bool', 'selected'] }],
  [OutputElement, ['output'], { htmlFor: ['str', 'for'], name: ['str', 'name'], type: ['const', 'output'] }],
  [SimpleElement, ['param'], { name: ['str', 'name'], value: ['str', 'value'] }],
  [SimpleElement, ['pre'], { name: ['str', 'name'], value: ['str', 'value'] }],
  [ProgressElement, ['progress'], {}],
  [SimpleElement, ['blockquote', 'q', 'quote'], { cite: ['str', 'cite'] }],
  [ScriptElement, ['script'], { crossOrigin: ['str', 'crossorigin'], type: ['str', 'type'], src: ['url', 'src'], charset: ['str', 'charset'], async: ['bool', 'async'], defer: ['bool', 'defer'], noModule: ['bool', 'nomodule'] }],
  [SelectElement, ['select'], { autofocus: ['bool', 'autofocus'], disabled: ['bool', 'disabled'], multiple: ['bool', 'multiple'], name: ['str', 'name'], required: ['bool', 'required'], size: ['int', 'size', 0] }],
  [SimpleElement, ['source'], { keySystem: ['str', 'keysystem'], media: ['str', 'media'], sizes: ['str', 'sizes'], src: ['url', 'src'], srcset: ['str', 'srcset'], type: ['str', 'type'] }],
  [SimpleElement, ['style'], { media: ['str', 'media'], type: ['str', 'type'] }],
  [TableElement, ['table'], { sortable: ['bool', 'sortable'] }],
  [TableSectionElement, ['thead', 'tbody', 'tfoot'], {}],
  [TableRowElement, ['tr'], {}],
  [TableCellElement, ['td'], { colSpan: ['int', 'colspan', 1], rowSpan: ['int', 'rowspan', 1], headers: ['str', 'headers'] }],
  [TableCellElement, ['th'], { colSpan: ['int', 'colspan', 1], rowSpan: ['int', 'rowspan', 1], headers: ['str', 'headers'], abbr: ['str', 'abbr'], scope: ['enum', 'scope', ['row', 'col', 'rowgroup', 'colgroup'], ''], sorted: ['bool', 'sorted'] }],
  [TextAreaElement, ['textarea'], { accessKey: ['str', 'accesskey'], autocomplete: ['enum', 'autocomplete', ['on', 'off'], 'on'], autocapitalize: ['enum', 'autocapitalize', ['none', 'off', 'characters', 'words', 'sentences'], 'sentences'], autofocus: ['bool', 'autofocus'], cols: ['int', 'cols', 20], disabled: ['bool', 'disabled'], maxLength: ['int', 'maxlength', -1], name: ['str', 'name'], placeholder: ['str', 'placeholder'], readOnly: ['bool', 'readonly'], required: ['bool', 'required'], rows: ['int', 'rows', 2], tabIndex: ['int', 'tabindex', 0], type: ['const', 'textarea'], wrap: ['enum', 'wrap', ['hard', 'soft'], 'soft'] }],
  [SimpleElement, ['time'], { datetime: ['str', 'datetime'] }],
  [TitleElement, ['title'], {}],
  [SimpleElement, ['track'], { kind: ['enum', 'kind', ['subtitles', 'captions', 'descriptions', 'chapters', 'metadata'], 'subtitles', 'metadata'], label: ['str', 'label'], src: ['url', 'src'], srclang: ['str', 'srclang'] }],
  [SimpleElement, ['ul'], { type: ['str', 'type'] }],
];

function reader(a: Accessor): (this: Base) => unknown {
  switch (a[0]) {
    case 'str':
      return function () {
        return this.str(a[1]);
      };
    case 'bool':
      return function () {
        return this.has(a[1]);
      };
    case 'int':
      return function () {
        return this.int(a[1], a[2]);
      };
    case 'url':
      return function () {
        return this.url(a[1]);
      };
    case 'enum':
      return function () {
        return this.enumerated(a[1], a[2], a[3], a[4] ?? a[3]);
      };
    case 'const':
      return () => a[1];
    case 'list':
      return function () {
        return this.str(a[1]).split(/\s+/).filter(Boolean);
      };
  }
}

// One class per tag (several tags may share an implementation, each tag its own accessors):
// a subclass per entry, so <td> and <th> or <audio> and <base> do not share a prototype.
for (const [cls, tags, accessors] of ACCESSORS) {
  const perTag = class extends (cls as unknown as typeof Base) {};
  Object.defineProperty(perTag, 'name', { value: cls.name });
  for (const [method, a] of Object.entries(accessors)) {
    // an accessor named like a method the classes use themselves would break them (a textarea's wrap())
    if (method in cls.prototype) throw new Error(`k6/html: the ${tags.join('/')} accessor ${method}() would hide a method of ${cls.name}`);
    Object.defineProperty(perTag.prototype, method, { value: reader(a), writable: true, configurable: true });
  }
  registerTagClass(tags, perTag as unknown as new (...args: ConstructorParameters<typeof Element>) => Element);
}
