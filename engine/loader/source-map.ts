/**
 * Source positions for the loader: maps a position in the transformed script (what V8 runs) back
 * through the loader's own edits (magic-string map) and the bundle's inline source map (esbuild)
 * to the original file:line, so load-time refusals, runtime errors and stack traces name the line
 * the user wrote. Uses node:module's SourceMap (no extra dependency).
 */
import { SourceMap } from 'node:module';
import path from 'node:path';

export interface OriginalPosition {
  /** Absolute path of the original file. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const inlineMapPattern = /\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/;

/** The bundle's inline source map comment: its range in `code` and the decoded map, or null. */
export function findInlineSourceMap(code: string): { start: number; end: number; map: SourceMap } | null {
  const m = inlineMapPattern.exec(code);
  if (!m) return null;
  try {
    const payload = JSON.parse(Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
    return { start: m.index, end: code.length, map: new SourceMap(payload) };
  } catch {
    return null;
  }
}

/** Path relative to the working directory when inside it (what the user typed), else absolute. */
export function displayPath(file: string): string {
  if (/^https?:\/\//.test(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Maps positions of the code the loader produced back to the original sources.
 * `transformed` maps generated → bundle; `bundle` (when the script came from a bundle with an inline
 * map) maps bundle → original sources. Without a bundle map the bundle *is* the original file.
 */
export class PositionMapper {
  constructor(
    private readonly scriptFile: string,
    private readonly bundle: SourceMap | null,
    private readonly bundleDir: string,
    private readonly transformed: SourceMap | null,
  ) {}

  /** A position in the bundle / hand-written script (1-based line, 1-based column) → original. */
  fromBundle(line: number, column: number): OriginalPosition {
    if (!this.bundle) return { file: this.scriptFile, line, column };
    const e = this.bundle.findEntry(line - 1, Math.max(0, column - 1)) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (e.originalSource === undefined || e.originalLine === undefined) return { file: this.scriptFile, line, column };
    const src = e.originalSource.startsWith('file://') ? new URL(e.originalSource).pathname : e.originalSource;
    const pos = { line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 };
    // a module imported by URL (engine/build/remote-modules.ts): esbuild names it `remote:<url>`
    const remote = /(?:^|\/)remote:(https?:\/\/?.*)$/.exec(src);
    if (remote) return { file: (remote[1] as string).replace(/^(https?:)\/(?!\/)/, '$1//'), ...pos };
    return { file: path.resolve(this.bundleDir, src), ...pos };
  }

  /** A position in the code V8 runs (1-based line and column) → original. */
  fromGenerated(line: number, column: number): OriginalPosition {
    if (!this.transformed) return this.fromBundle(line, column);
    const e = this.transformed.findEntry(line - 1, Math.max(0, column - 1)) as { originalLine?: number; originalColumn?: number };
    if (e.originalLine === undefined) return { file: this.scriptFile, line: 0, column: 0 };
    return this.fromBundle(e.originalLine + 1, (e.originalColumn ?? 0) + 1);
  }

  /** `file:line` for a bundle position, for messages. */
  where(line: number, column: number): string {
    const p = this.fromBundle(line, column);
    return `${displayPath(p.file)}:${p.line}`;
  }
}

/**
 * A script error's stack as the user should see it: the message, then only the script's frames,
 * each `generatedFile:line:col` rewritten to the original `file:line:col` (engine and Node frames
 * say nothing to the user; k6 shows script frames only). The synthetic name of an anonymous
 * default export reads `default`, as in k6.
 */
export function scriptStack(stack: string, generatedFile: string, mapper: PositionMapper, defaultLocal: string | null = null): string {
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  const head = firstFrame < 0 ? lines : lines.slice(0, firstFrame);
  const frames = firstFrame < 0 ? [] : lines.slice(firstFrame).filter((l) => l.includes(generatedFile));
  let text = [...head, ...frames].join('\n');
  if (defaultLocal && /^[\w$]+$/.test(defaultLocal)) text = text.replace(new RegExp(`\\bat (async )?${defaultLocal.replace(/\$/g, '\\$')} `, 'g'), 'at $1default ');
  return rewriteStack(text, generatedFile, mapper);
}

/**
 * Rewrites every `generatedFile:line:col` in a stack trace to the original `file:line:col`.
 * Returns the rewritten text; frames of other files stay as they are.
 */
export function rewriteStack(stack: string, generatedFile: string, mapper: PositionMapper): string {
  let out = '';
  let from = 0;
  for (;;) {
    const at = stack.indexOf(generatedFile + ':', from);
    if (at < 0) break;
    const rest = stack.slice(at + generatedFile.length);
    const m = /^:(\d+):(\d+)/.exec(rest);
    if (!m) {
      out += stack.slice(from, at + generatedFile.length);
      from = at + generatedFile.length;
      continue;
    }
    const p = mapper.fromGenerated(Number(m[1]), Number(m[2]));
    out += stack.slice(from, at) + `${displayPath(p.file)}:${p.line}:${p.column}`;
    from = at + generatedFile.length + m[0].length;
  }
  return out + stack.slice(from);
}

/** The first `file:line` of the script in a stack trace, mapped to the original, or null. */
export function firstScriptFrame(stack: string, generatedFile: string, mapper: PositionMapper): string | null {
  const at = stack.indexOf(generatedFile + ':');
  if (at < 0) return null;
  const m = /^:(\d+):(\d+)/.exec(stack.slice(at + generatedFile.length));
  if (!m) return null;
  const p = mapper.fromGenerated(Number(m[1]), Number(m[2]));
  return `${displayPath(p.file)}:${p.line}`;
}
