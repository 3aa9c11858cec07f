/**
 * k6/browser's objects on playwright-core: `browser` (one per VU), BrowserContext, Page, Locator,
 * Keyboard, Mouse — the async API as k6 documents it (every call that talks to the browser returns
 * a promise; `page.locator()`, `page.keyboard`, `page.url()` do not). Thin wrappers rather than
 * playwright's own objects: they expose k6's surface only, put k6's default timeout
 * (K6_BROWSER_TIMEOUT) on every call, emit the browser metrics, and bound every call so a browser
 * that stops answering is ended (process.ts) instead of holding the VU.
 */
import path from 'node:path';
import type { BrowserContext, Keyboard, Locator, Mouse, Page, Request } from 'playwright-core';
import type { VuContext } from '../../types.ts';
import { type LaunchedBrowser, release, retain, suspectHang, threadBrowser } from './process.ts';
import type { BrowserSettings } from './settings.ts';
import { vitalMetrics, vitalsBinding, vitalsInitScript, VitalsLog } from './vitals.ts';

/** Resolves after two rendered frames, or after a second if the page renders none (bounded). */
const paintedFrames = 'new Promise((done) => { setTimeout(done, 1000); requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))); })';

const notInRegistry = 'browser not found in registry. make sure to set browser type option in scenario definition in order to use the browser module';
/** How long closing a context may take at iteration end before the browser is suspected of hanging. */
const closeMs = 5000;

/** Playwright's messages carry a call log and the browser's own log after the first line; the script gets the first line. */
function scriptError(name: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const short = msg.split('\n')[0]!.trim();
  return new Error(short.startsWith(name) ? short : `${name}: ${short}`);
}

function hungMessage(pid: number | undefined): string {
  return `the browser process (pid ${pid ?? '?'}) did not answer either: it was ended, the next iteration starts a new one`;
}

/** What every wrapper of one VU shares: the VU, the settings, the browser in use. */
class Session {
  constructor(
    readonly vu: VuContext,
    readonly settings: BrowserSettings,
    readonly launched: LaunchedBrowser,
  ) {}

  /**
   * Runs one browser call. Playwright's own timeouts (K6_BROWSER_TIMEOUT) end calls on a working
   * browser; this bound (5 s later) catches a browser that does not answer at all.
   */
  async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const limit = this.settings.timeoutMs + 5000;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const what = `${name}: no answer in ${limit / 1000}s`;
        void this.endIfHung(what).then((ended) => reject(new Error(ended ? `${what}; ${hungMessage(this.launched.pid)}` : what)));
      }, limit);
    });
    // a call in flight when the browser dies does not always settle by itself: end it then
    let unsubscribe = () => {};
    const gone = new Promise<never>((_, reject) => {
      unsubscribe = this.launched.whenGone(() => reject(new Error(`${name}: the browser process (pid ${this.launched.pid ?? '?'}) ended`)));
    });
    const work = fn();
    // whichever loses the race may still reject later: nobody waits for it then
    for (const p of [work, hung, gone]) p.catch(() => undefined);
    try {
      return await Promise.race([work, hung, gone]);
    } catch (err) {
      throw scriptError(name, err);
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  /**
   * Probes the browser after `what` went unanswered; when it does not answer either it is ended,
   * and a warning says so (also when the caller swallows the error, as the end of a page load does).
   */
  async endIfHung(what: string): Promise<boolean> {
    const ended = await suspectHang(this.launched);
    if (ended) this.vu.log.warn(`${what}; ${hungMessage(this.launched.pid)}`);
    return ended;
  }

  /** A relative screenshot path lands in AETOS_BROWSER_SCREENSHOTS_DIR (the run folder under `load`), else the working directory. */
  screenshotPath(p: unknown): string | undefined {
    if (typeof p !== 'string' || p === '') return undefined;
    return path.resolve(this.settings.screenshotsDir ?? process.cwd(), p);
  }
}

function screenshotOptions(s: Session, opts: unknown): Record<string, unknown> {
  const o = typeof opts === 'object' && opts !== null ? { ...(opts as Record<string, unknown>) } : {};
  const file = s.screenshotPath(o.path);
  if (file) o.path = file;
  else delete o.path;
  return o;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

// ------------------------------------------------------------------------------------------------

export class K6Locator {
  constructor(
    private readonly s: Session,
    private readonly l: Locator,
  ) {}
  locator(selector: string): K6Locator {
    return new K6Locator(this.s, this.l.locator(selector));
  }
  first(): K6Locator {
    return new K6Locator(this.s, this.l.first());
  }
  last(): K6Locator {
    return new K6Locator(this.s, this.l.last());
  }
  nth(i: number): K6Locator {
    return new K6Locator(this.s, this.l.nth(i));
  }
  click(o?: object) {
    return this.s.call('locator.click', () => this.l.click(o));
  }
  dblclick(o?: object) {
    return this.s.call('locator.dblclick', () => this.l.dblclick(o));
  }
  fill(value: string, o?: object) {
    return this.s.call('locator.fill', () => this.l.fill(value, o));
  }
  /** k6's type(): key by key, as playwright's pressSequentially. */
  type(text: string, o?: object) {
    return this.s.call('locator.type', () => this.l.pressSequentially(text, o));
  }
  press(key: string, o?: object) {
    return this.s.call('locator.press', () => this.l.press(key, o));
  }
  clear(o?: object) {
    return this.s.call('locator.clear', () => this.l.clear(o));
  }
  check(o?: object) {
    return this.s.call('locator.check', () => this.l.check(o));
  }
  uncheck(o?: object) {
    return this.s.call('locator.uncheck', () => this.l.uncheck(o));
  }
  hover(o?: object) {
    return this.s.call('locator.hover', () => this.l.hover(o));
  }
  focus(o?: object) {
    return this.s.call('locator.focus', () => this.l.focus(o));
  }
  selectOption(values: string | string[], o?: object) {
    return this.s.call('locator.selectOption', () => this.l.selectOption(values, o));
  }
  textContent(o?: object) {
    return this.s.call('locator.textContent', () => this.l.textContent(o));
  }
  innerText(o?: object) {
    // biome-ignore lint/performance/useDomNodeTextContent: k6's Locator.innerText() is this playwright call, not a DOM read
    return this.s.call('locator.innerText', () => this.l.innerText(o));
  }
  innerHTML(o?: object) {
    return this.s.call('locator.innerHTML', () => this.l.innerHTML(o));
  }
  inputValue(o?: object) {
    return this.s.call('locator.inputValue', () => this.l.inputValue(o));
  }
  getAttribute(name: string, o?: object) {
    return this.s.call('locator.getAttribute', () => this.l.getAttribute(name, o));
  }
  count() {
    return this.s.call('locator.count', () => this.l.count());
  }
  isVisible() {
    return this.s.call('locator.isVisible', () => this.l.isVisible());
  }
  isHidden() {
    return this.s.call('locator.isHidden', () => this.l.isHidden());
  }
  isEnabled(o?: object) {
    return this.s.call('locator.isEnabled', () => this.l.isEnabled(o));
  }
  isDisabled(o?: object) {
    return this.s.call('locator.isDisabled', () => this.l.isDisabled(o));
  }
  isChecked(o?: object) {
    return this.s.call('locator.isChecked', () => this.l.isChecked(o));
  }
  isEditable(o?: object) {
    return this.s.call('locator.isEditable', () => this.l.isEditable(o));
  }
  waitFor(o?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }) {
    return this.s.call('locator.waitFor', () => this.l.waitFor(o));
  }
  async screenshot(o?: object): Promise<ArrayBuffer> {
    return toArrayBuffer(await this.s.call('locator.screenshot', () => this.l.screenshot(screenshotOptions(this.s, o))));
  }
}

export class K6Keyboard {
  constructor(
    private readonly s: Session,
    private readonly k: Keyboard,
  ) {}
  down(key: string) {
    return this.s.call('keyboard.down', () => this.k.down(key));
  }
  up(key: string) {
    return this.s.call('keyboard.up', () => this.k.up(key));
  }
  press(key: string, o?: { delay?: number }) {
    return this.s.call('keyboard.press', () => this.k.press(key, o));
  }
  type(text: string, o?: { delay?: number }) {
    return this.s.call('keyboard.type', () => this.k.type(text, o));
  }
  insertText(text: string) {
    return this.s.call('keyboard.insertText', () => this.k.insertText(text));
  }
}

export class K6Mouse {
  constructor(
    private readonly s: Session,
    private readonly m: Mouse,
  ) {}
  click(x: number, y: number, o?: object) {
    return this.s.call('mouse.click', () => this.m.click(x, y, o));
  }
  dblclick(x: number, y: number, o?: object) {
    return this.s.call('mouse.dblclick', () => this.m.dblclick(x, y, o));
  }
  down(o?: object) {
    return this.s.call('mouse.down', () => this.m.down(o));
  }
  up(o?: object) {
    return this.s.call('mouse.up', () => this.m.up(o));
  }
  move(x: number, y: number, o?: { steps?: number }) {
    return this.s.call('mouse.move', () => this.m.move(x, y, o));
  }
  wheel(dx: number, dy: number) {
    return this.s.call('mouse.wheel', () => this.m.wheel(dx, dy));
  }
}

export class K6Page {
  readonly keyboard: K6Keyboard;
  readonly mouse: K6Mouse;
  constructor(
    private readonly s: Session,
    private readonly p: Page,
    private readonly ctx: K6Context,
  ) {
    this.keyboard = new K6Keyboard(s, p.keyboard);
    this.mouse = new K6Mouse(s, p.mouse);
  }
  context(): K6Context {
    return this.ctx;
  }
  url(): string {
    return this.p.url();
  }
  isClosed(): boolean {
    return this.p.isClosed();
  }
  locator(selector: string): K6Locator {
    return new K6Locator(this.s, this.p.locator(selector));
  }
  async goto(url: string, o?: object) {
    await this.ctx.endPageLoad(this.p);
    const res = await this.s.call('page.goto', () => this.p.goto(url, o));
    return res ? responseView(res) : null;
  }
  async reload(o?: object) {
    await this.ctx.endPageLoad(this.p);
    const res = await this.s.call('page.reload', () => this.p.reload(o));
    return res ? responseView(res) : null;
  }
  async waitForNavigation(o?: object) {
    const res = await this.s.call('page.waitForNavigation', () => this.p.waitForNavigation(o));
    return res ? responseView(res) : null;
  }
  waitForLoadState(state?: 'load' | 'domcontentloaded' | 'networkidle', o?: object) {
    return this.s.call('page.waitForLoadState', () => this.p.waitForLoadState(state, o));
  }
  async waitForSelector(selector: string, o?: object): Promise<void> {
    await this.s.call('page.waitForSelector', () => this.p.waitForSelector(selector, o));
  }
  waitForTimeout(ms: number) {
    return this.s.call('page.waitForTimeout', () => this.p.waitForTimeout(ms));
  }
  async waitForFunction(fn: string | ((arg: unknown) => unknown), o?: object, arg?: unknown): Promise<unknown> {
    const handle = await this.s.call('page.waitForFunction', () => this.p.waitForFunction(fn as never, arg, o));
    return this.s.call('page.waitForFunction', () => handle.jsonValue());
  }
  evaluate(fn: string | ((arg: unknown) => unknown), arg?: unknown): Promise<unknown> {
    return this.s.call('page.evaluate', () => this.p.evaluate(fn as never, arg));
  }
  title() {
    return this.s.call('page.title', () => this.p.title());
  }
  content() {
    return this.s.call('page.content', () => this.p.content());
  }
  setViewportSize(size: { width: number; height: number }) {
    return this.s.call('page.setViewportSize', () => this.p.setViewportSize(size));
  }
  bringToFront() {
    return this.s.call('page.bringToFront', () => this.p.bringToFront());
  }
  click(selector: string, o?: object) {
    return this.s.call('page.click', () => this.p.click(selector, o));
  }
  fill(selector: string, value: string, o?: object) {
    return this.s.call('page.fill', () => this.p.fill(selector, value, o));
  }
  type(selector: string, text: string, o?: object) {
    return this.s.call('page.type', () => this.p.locator(selector).pressSequentially(text, o));
  }
  press(selector: string, key: string, o?: object) {
    return this.s.call('page.press', () => this.p.press(selector, key, o));
  }
  textContent(selector: string, o?: object) {
    return this.s.call('page.textContent', () => this.p.textContent(selector, o));
  }
  isVisible(selector: string) {
    return this.s.call('page.isVisible', () => this.p.isVisible(selector));
  }
  async screenshot(o?: object): Promise<ArrayBuffer> {
    return toArrayBuffer(await this.s.call('page.screenshot', () => this.p.screenshot(screenshotOptions(this.s, o))));
  }
  async close(): Promise<void> {
    if (this.p.isClosed()) return;
    await this.ctx.endPageLoad(this.p);
    await this.s.call('page.close', () => this.p.close());
    // a page from browser.newPage() owns its context (as in Playwright): the next newPage() may follow
    if (this.ctx.ownedBy === this) await this.ctx.close();
  }
}

/** What page.goto and waitForNavigation resolve to: k6's Response, the common part. */
function responseView(r: import('playwright-core').Response) {
  return {
    url: () => r.url(),
    status: () => r.status(),
    statusText: () => r.statusText(),
    ok: () => r.ok(),
    headers: () => r.headers(),
    text: () => r.text(),
    json: () => r.json(),
  };
}

export class K6Context {
  private readonly vitals = new WeakMap<Page, VitalsLog>();
  private readonly pageMap = new Map<Page, K6Page>();
  /** Metric work started by network events: settled before the context is reported closed. */
  private readonly pending = new Set<Promise<void>>();
  closed = false;
  /** The page browser.newPage() created this context for: closing it closes the context. */
  ownedBy: K6Page | null = null;

  constructor(
    private readonly s: Session,
    private readonly c: BrowserContext,
  ) {
    c.setDefaultTimeout(s.settings.timeoutMs);
    c.setDefaultNavigationTimeout(s.settings.timeoutMs);
    c.on('requestfinished', (r) => this.network(r, false));
    c.on('requestfailed', (r) => this.network(r, true));
    c.on('close', () => (this.closed = true));
  }

  /** Web Vitals reporting in every page of the context (called once, before the first page). */
  async instrument(): Promise<void> {
    await this.c.exposeBinding(vitalsBinding, (source, report: unknown) => this.logOf(source.page).record(report));
    await this.c.addInitScript({ content: vitalsInitScript() });
  }

  private logOf(p: Page): VitalsLog {
    let l = this.vitals.get(p);
    if (!l) this.vitals.set(p, (l = new VitalsLog()));
    return l;
  }

  async newPage(): Promise<K6Page> {
    const p = await this.s.call('browserContext.newPage', () => this.c.newPage());
    const page = new K6Page(this.s, p, this);
    this.pageMap.set(p, page);
    p.on('close', () => this.emitVitals(p));
    return page;
  }

  pages(): K6Page[] {
    return [...this.pageMap.values()].filter((p) => !p.isClosed());
  }

  /**
   * Ends the measurement of the page's current document: two animation frames let the last DOM
   * change be painted and its LCP entry reach the library (a script that waits for an element and
   * closes the page at once beat that paint on a busy machine: LCP was the earlier, smaller
   * candidate), then the library is told the page was hidden (so it reports final LCP, CLS and INP
   * as on a tab switch), one round trip lets the reports arrive, and the values are emitted.
   */
  async endPageLoad(p: Page): Promise<void> {
    if (p.isClosed() || !p.url().startsWith('http')) return this.emitVitals(p);
    await this.s
      .call('page.vitals', async () => {
        await p.evaluate(paintedFrames);
        await p.evaluate('window.__aetosHide && window.__aetosHide()');
        await p.evaluate('0');
      })
      .catch(() => undefined);
    this.emitVitals(p);
  }

  private emitVitals(p: Page): void {
    const log = this.vitals.get(p);
    if (!log) return;
    for (const r of log.take()) this.s.vu.emit(vitalMetrics[r.name]!.metric, r.value, { url: r.url });
  }

  /** browser_http_req_duration / _failed, browser_data_sent / _received for one request, tagged as k6 tags them. */
  private network(r: Request, failed: boolean): void {
    const url = r.url();
    if (!url.startsWith('http')) return;
    const work = (async () => {
      const res = failed ? null : await r.response().catch(() => null);
      const status = res?.status() ?? 0;
      const tags = { url, method: r.method(), status: String(status), resource_type: r.resourceType() };
      const t = r.timing();
      const vu = this.s.vu;
      if (t.responseEnd >= 0) vu.emit('browser_http_req_duration', t.responseEnd, tags);
      vu.emit('browser_http_req_failed', failed || status === 0 || status >= 400 ? 1 : 0, tags);
      const sizes = await r.sizes().catch(() => null);
      if (sizes) {
        vu.emit('browser_data_sent', sizes.requestHeadersSize + sizes.requestBodySize, tags);
        vu.emit('browser_data_received', sizes.responseHeadersSize + sizes.responseBodySize, tags);
      }
    })().catch(() => undefined);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const p of this.pageMap.keys()) await this.endPageLoad(p);
    await this.settleMetrics();
    this.closed = true;
    await this.s.call('browserContext.close', () => this.c.close());
  }

  /** Waits (a little) for the metrics of requests that finished just before. */
  private async settleMetrics(): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  cookies(urls?: string | string[]) {
    return this.s.call('browserContext.cookies', () => this.c.cookies(urls));
  }
  addCookies(cookies: Parameters<BrowserContext['addCookies']>[0]) {
    return this.s.call('browserContext.addCookies', () => this.c.addCookies(cookies));
  }
  clearCookies() {
    return this.s.call('browserContext.clearCookies', () => this.c.clearCookies());
  }
  addInitScript(script: string | { content?: string }) {
    const content = typeof script === 'string' ? script : script?.content;
    return this.s.call('browserContext.addInitScript', () => this.c.addInitScript({ content: String(content ?? '') }));
  }
  setDefaultTimeout(ms: number): void {
    this.c.setDefaultTimeout(ms);
  }
  setDefaultNavigationTimeout(ms: number): void {
    this.c.setDefaultNavigationTimeout(ms);
  }
  setOffline(offline: boolean) {
    return this.s.call('browserContext.setOffline', () => this.c.setOffline(offline));
  }
  grantPermissions(permissions: string[], o?: { origin?: string }) {
    return this.s.call('browserContext.grantPermissions', () => this.c.grantPermissions(permissions, o));
  }
}

/** newContext options k6 documents that playwright takes as they are. */
const contextOptionKeys = [
  'bypassCSP',
  'colorScheme',
  'deviceScaleFactor',
  'extraHTTPHeaders',
  'geolocation',
  'hasTouch',
  'httpCredentials',
  'ignoreHTTPSErrors',
  'isMobile',
  'javaScriptEnabled',
  'locale',
  'offline',
  'permissions',
  'reducedMotion',
  'screen',
  'timezoneID',
  'userAgent',
  'viewport',
] as const;

function contextOptions(o: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof o !== 'object' || o === null) return out;
  const src = o as Record<string, unknown>;
  for (const k of contextOptionKeys) if (src[k] !== undefined) out[k === 'timezoneID' ? 'timezoneId' : k] = src[k];
  return out;
}

/**
 * The `browser` export, one per VU. A context lives for one iteration: the VU's iterationEnd
 * closes it, whatever the script did, so pages never leak from one iteration into the next.
 */
export class K6Browser {
  private ctx: K6Context | null = null;
  private session: Session | null = null;
  private hooked = false;

  constructor(
    private readonly vu: VuContext,
    private readonly settings: () => BrowserSettings,
  ) {}

  private requireBrowserScenario(): void {
    const name = this.vu.scenario?.name;
    const scenarios = this.vu.options.scenarios as Record<string, { options?: { browser?: { type?: string } } }> | undefined;
    if (!name || !scenarios?.[name]?.options?.browser?.type) throw new Error(notInRegistry);
  }

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    retain();
    this.vu.on('iterationEnd', () => this.endIteration());
    this.vu.on('close', async () => {
      await this.endIteration();
      await release();
    });
  }

  private async endIteration(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = null;
    if (!ctx || ctx.closed || !this.session) return;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([ctx.close().then(() => true, () => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), closeMs)))]);
    clearTimeout(timer);
    if (!done) await this.session.endIfHung(`closing the iteration's browser context took over ${closeMs / 1000}s`);
  }

  async newContext(options?: unknown): Promise<K6Context> {
    this.requireBrowserScenario();
    if (this.ctx && !this.ctx.closed) throw new Error('existing browser context must be closed before creating a new one');
    this.hook();
    const settings = this.settings();
    const launched = await threadBrowser(settings, (pid) =>
      this.vu.log.warn(`browser process ${pid ?? '?'} ended unexpectedly: the iterations using it fail, the next one starts a new browser`),
    );
    const s = (this.session = new Session(this.vu, settings, launched));
    const c = await s.call('browser.newContext', () => launched.browser.newContext(contextOptions(options)));
    const ctx = new K6Context(s, c);
    this.ctx = ctx;
    await s.call('browser.newContext', () => ctx.instrument());
    return ctx;
  }

  async newPage(options?: unknown): Promise<K6Page> {
    const ctx = await this.newContext(options);
    const page = await ctx.newPage();
    ctx.ownedBy = page;
    return page;
  }

  context(): K6Context | null {
    return this.ctx && !this.ctx.closed ? this.ctx : null;
  }

  async closeContext(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = null;
    await ctx?.close();
  }

  isConnected(): boolean {
    return this.session?.launched.browser.isConnected() ?? false;
  }

  async version(): Promise<string> {
    this.requireBrowserScenario();
    this.hook();
    const l = await threadBrowser(this.settings(), () => undefined);
    return l.browser.version();
  }
}
