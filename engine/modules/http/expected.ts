/**
 * Which responses count as expected (k6's `expected_response` tag and `http_req_failed`):
 * `http.expectedStatuses(200, {min: 300, max: 399})` and `http.setResponseCallback(cb)`.
 * The default callback accepts 200–399.
 */
export class ExpectedStatuses {
  private readonly exact: Set<number>;
  private readonly ranges: { min: number; max: number }[];
  constructor(args: unknown[]) {
    this.exact = new Set();
    this.ranges = [];
    args.forEach((a, i) => {
      if (typeof a === 'number' && Number.isInteger(a)) this.exact.add(a);
      else if (a && typeof a === 'object' && Number.isInteger((a as { min: number }).min) && Number.isInteger((a as { max: number }).max))
        this.ranges.push({ min: (a as { min: number }).min, max: (a as { max: number }).max });
      else
        throw new TypeError(
          `http.expectedStatuses: argument ${i + 1} must be an integer status or {min, max} with integer bounds, got ${JSON.stringify(a)}`,
        );
    });
  }
  matches(status: number): boolean {
    if (this.exact.has(status)) return true;
    for (const r of this.ranges) if (status >= r.min && status <= r.max) return true;
    return false;
  }
}

export function expectedStatuses(...args: unknown[]): ExpectedStatuses {
  return new ExpectedStatuses(args);
}

export const defaultResponseCallback = new ExpectedStatuses([{ min: 200, max: 399 }]);

/** Validates a callback given to setResponseCallback or the responseCallback param. */
export function asResponseCallback(cb: unknown, where: string): ExpectedStatuses | null {
  if (cb === null || cb === undefined) return null;
  if (cb instanceof ExpectedStatuses) return cb;
  throw new TypeError(`${where}: only the result of http.expectedStatuses(...) or null is supported as a response callback`);
}
