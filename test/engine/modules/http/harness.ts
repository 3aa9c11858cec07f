/**
 * Shared setup for the k6/http tests: a module instance over a RecordingVu, closed afterwards.
 */
import { httpModule } from '../../../../engine/modules/http/index.ts';
import { RecordingVu } from './recording-vu.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HttpApi = Record<string, any>;

export interface Loaded {
  vu: RecordingVu;
  http: HttpApi;
}

const open: RecordingVu[] = [];

export function load(options: Record<string, unknown> = {}, id = 1): Loaded {
  const vu = new RecordingVu(options, id);
  const http = httpModule(vu) as HttpApi;
  open.push(vu);
  return { vu, http };
}

export async function closeAll(): Promise<void> {
  for (const vu of open.splice(0)) await vu.fire('close');
}
