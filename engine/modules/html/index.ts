/**
 * `k6/html`: parseHTML(src) → Selection (selection.ts) over a document parsed by cheerio (parse5,
 * the HTML5 algorithm, as Go's x/net/html that k6 uses). Stateless, so one instance serves every VU.
 * `response.html()` in k6/http uses parseHTML too.
 */
import type * as Cheerio from 'cheerio';
import { lazyRequire } from '../../lazy-require.ts';
import type { ModuleFactory } from '../../types.ts';
import { Element, setDocumentUrl } from './element.ts';
import './element-types.ts';
import { Selection } from './selection.ts';
import { moduleExports } from '../module-exports.ts';

export { Element, Selection };

/** cheerio costs ~300 ms to import: k6/http links parseHTML for response.html(), so it is required on first use only. */
const cheerio = lazyRequire<typeof Cheerio>('cheerio');

/** `url`: where the document came from (response.html()); its elements' URL attributes (href, src, action…) resolve against it. */
export function parseHTML(src: unknown, url?: string): Selection {
  if (typeof src !== 'string') throw new TypeError('parseHTML: the argument must be a string of HTML');
  const $ = cheerio().load(src);
  if (url) setDocumentUrl($, url);
  return new Selection($, $.root());
}

// scripts call parseHTML(src) with one argument, as k6 documents it
const mod = { parseHTML: (src: unknown) => parseHTML(src) };
export const htmlModule: ModuleFactory = () => moduleExports(mod);
