/** Parses a `Server-Timing` header (`db;dur=1.2, cache;dur=0.05`) into {name: ms}. Pure: unit-tested. */
export function parseServerTiming(header: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!header) return out;
  for (const entry of header.split(',')) {
    const [rawName, ...params] = entry.split(';');
    const name = rawName?.trim();
    if (!name) continue;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim() === 'dur' && v !== undefined) {
        const ms = Number(v.trim().replace(/^"|"$/g, ''));
        if (Number.isFinite(ms)) out[name] = ms;
      }
    }
  }
  return out;
}
