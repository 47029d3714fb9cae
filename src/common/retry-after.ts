/**
 * Milliseconds a `Retry-After` header asks for (RFC 9110 §10.2.3: delta-seconds or an HTTP date), or
 * undefined when absent or unreadable. A date in the past means "now" (0). The one reader of the
 * header, for the Kubernetes API client and the registry transport alike; each caller bounds the
 * wait itself.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only HTTP dates (they name a weekday/month): Date.parse would read "-1" as a year.
  if (!/[a-z]/i.test(v)) return undefined;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
