// Why: tiny helpers the scenario and ops tests use to set and clear the target's faults.
export interface Faults {
  latencyMs?: number;
  errorRate?: number;
  leakMbPerMin?: number;
  slowQueryMs?: number;
  dbOutageSeconds?: number;
  crash?: boolean;
}

async function call(url: string, adminToken: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url.replace(/\/$/, '')}/api/admin/faults`, {
    method,
    headers: { 'x-admin-token': adminToken, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} /api/admin/faults: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const setFaults = (url: string, adminToken: string, faults: Faults) => call(url, adminToken, 'POST', faults);
export const clearFaults = (url: string, adminToken: string) => call(url, adminToken, 'DELETE');
export const getFaults = (url: string, adminToken: string) => call(url, adminToken, 'GET');
