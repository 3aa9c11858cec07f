/**
 * k6's archive format (`k6 archive`, `k6 run archive.tar`): a tar holding
 *   metadata.json                      filename, pwd, options, env, k6version, goos, type, compatibilityMode
 *   scripts/file/<absolute path>       the script and every local module it imports
 *   scripts/https/<host>/<path>        every module imported by URL (scripts/http/… for http://)
 *   files/file/<absolute path>         every file the init code open()ed
 * `filename` and `pwd` are `file:///…` URLs; the script's path inside the archive is its absolute
 * path without the leading slash. The same layout both ways, so a k6 archive runs on the engine
 * and an engine archive runs on k6.
 *
 * Running an archive needs no network: it is extracted to a temporary folder (file/<abs path>
 * keeps relative imports and open() paths working), then bundled once with remote imports served
 * from the archive, into one self-contained script beside the original.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { BundleError, bundleToString } from './bundle.ts';
import { RemoteModuleError } from './remote-modules.ts';

export interface ArchiveMetadata {
  type: 'js';
  /** `file:///abs/script.js` (k6 writes a URL). */
  filename: string;
  /** `file:///abs/dir/`. */
  pwd: string;
  options: Record<string, unknown>;
  env: Record<string, string>;
  compatibilityMode: string;
  k6version: string;
  goos: string;
  [key: string]: unknown;
}

export interface ArchiveContents {
  metadata: ArchiveMetadata;
  /** Local modules by absolute path, the main script among them. */
  localScripts: Map<string, Buffer | string>;
  /** Remote modules by URL. */
  remoteScripts: Map<string, Buffer | string>;
  /** open()ed files by absolute path. */
  files: Map<string, Buffer | string>;
}

/** Raised for an archive that cannot be read or run; the message names the archive and why. */
export class ArchiveError extends Error {}

/** `/home/u/s.js` → `file/home/u/s.js`; `https://host/a/b.js` → `https/host/a/b.js` (k6's scheme/host/path). */
export function archivePathOf(ref: string): string {
  if (/^https?:\/\//i.test(ref)) {
    const u = new URL(ref);
    return `${u.protocol.slice(0, -1)}/${u.host}${decodeURIComponent(u.pathname)}`;
  }
  const abs = path.resolve(ref).split(path.sep).join('/');
  return `file/${abs.replace(/^\/+/, '')}`;
}

export const goos = () => (process.platform === 'win32' ? 'windows' : process.platform);

export async function writeArchive(out: string, c: ArchiveContents): Promise<void> {
  const pack = tar.pack();
  const entries: [string, Buffer | string][] = [['metadata.json', `${JSON.stringify(c.metadata, null, 2)}\n`]];
  for (const [p, body] of [...c.localScripts].sort()) entries.push([`scripts/${archivePathOf(p)}`, body]);
  for (const [u, body] of [...c.remoteScripts].sort()) entries.push([`scripts/${archivePathOf(u)}`, body]);
  for (const [p, body] of [...c.files].sort()) entries.push([`files/${archivePathOf(p)}`, body]);
  const mtime = new Date();
  for (const [name, body] of entries) pack.entry({ name, mtime, mode: 0o644 }, typeof body === 'string' ? Buffer.from(body) : body);
  pack.finalize();
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await pipeline(pack, createWriteStream(tmp));
  await rename(tmp, out);
}

/** Every entry of a tar, name → bytes (names without a leading `./` or `/`). */
async function readTar(file: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const extract = tar.extract();
  const source = createReadStream(file);
  // the pipeline and the loop fail together on a bad tar: one error, reported once
  const done = pipeline(source, extract).then(
    () => null,
    (err: Error) => err,
  );
  let failure: Error | null = null;
  try {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === 'file') entries.set(entry.header.name.replace(/^(\.\/|\/)+/, ''), Buffer.concat(chunks));
    }
  } catch (err) {
    failure = err as Error;
  }
  failure = (await done) ?? failure;
  if (failure) throw new ArchiveError(`${file}: not a readable tar archive: ${failure.message}`);
  return entries;
}

export interface OpenedArchive {
  /** The self-contained script to run (inside `dir`). */
  scriptPath: string;
  metadata: ArchiveMetadata;
  /** The temporary folder it was extracted to; `close()` removes it. */
  dir: string;
  close(): Promise<void>;
}

const fileUrlPath = (u: string) => (u.startsWith('file://') ? fileURLToPath(u) : u);

/** Extracts an archive (k6's or ours) and bundles its script with remote modules from the archive only. */
export async function openArchive(tarPath: string): Promise<OpenedArchive> {
  const entries = await readTar(tarPath);
  const metaBytes = entries.get('metadata.json');
  if (!metaBytes) throw new ArchiveError(`${tarPath}: no metadata.json: not a k6 archive`);
  let metadata: ArchiveMetadata;
  try {
    metadata = JSON.parse(metaBytes.toString('utf8')) as ArchiveMetadata;
  } catch (err) {
    throw new ArchiveError(`${tarPath}: metadata.json: ${(err as Error).message}`);
  }
  if (typeof metadata.filename !== 'string' || metadata.filename === '') throw new ArchiveError(`${tarPath}: metadata.json has no "filename"`);
  if (metadata.type && metadata.type !== 'js') throw new ArchiveError(`${tarPath}: archive type "${metadata.type}" is not supported (only "js")`);

  const dir = await mkdtemp(path.join(tmpdir(), 'aetos-archive-'));
  const remote = new Map<string, string>();
  try {
    for (const [name, body] of entries) {
      const m = /^(scripts|files)\/(file|https|http)\/(.+)$/.exec(name);
      if (!m) continue;
      const [, , scheme, rest] = m as unknown as [string, string, string, string];
      if (scheme === 'file') {
        const target = path.join(dir, 'file', rest);
        if (!target.startsWith(path.join(dir, 'file') + path.sep)) throw new ArchiveError(`${tarPath}: entry "${name}" points outside the archive`);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, body);
      } else if (m[1] === 'scripts') remote.set(`${scheme}://${rest}`, body.toString('utf8'));
    }
    const original = fileUrlPath(metadata.filename);
    const mainPath = path.join(dir, archivePathOf(original));
    if (!entries.has(`scripts/${archivePathOf(original)}`)) throw new ArchiveError(`${tarPath}: the script ${metadata.filename} is not in the archive`);
    const code = await bundleToString(mainPath, {
      remote: async (url) => {
        const text = remote.get(url) ?? remote.get(url.replace(/^(https?):\/\/([^/]+):(80|443)\//, '$1://$2/'));
        if (text === undefined) throw new RemoteModuleError(`${url} is not in the archive ${tarPath} (an archive runs without network)`);
        return text;
      },
    }).catch((err: unknown) => {
      throw err instanceof BundleError ? new ArchiveError(`${tarPath}: ${err.message}`) : err;
    });
    const scriptPath = path.join(path.dirname(mainPath), `${path.basename(mainPath, path.extname(mainPath))}.archive-bundle.js`);
    await writeFile(scriptPath, code);
    return { scriptPath, metadata, dir, close: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

