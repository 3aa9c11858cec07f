// Why: tests write only to temporary folders and leave none behind (the house rule of quiet
// neighbours). A test file that asks for folders here gets them removed after its last test,
// whatever the tests did with them; vitest runs each file in its own fork, so the list is the file's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new folder under the OS temp folder, named `<prefix>XXXXXX`, removed when the file's tests end. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
