/**
 * Dates as the seed's Python log-service stored them: text, not BSON dates — its messages carry
 * `"date": "2025-01-16T17:10:26"` (no offset: UTC, as every timestamp of the product), and Python's
 * `str(datetime)` writes `2025-01-16 17:10:26.123456`. Accepted: `YYYY-MM-DD`, then optionally `T` or
 * a space, `hh:mm`, `:ss`, a fraction of any length (cut to milliseconds) and `Z` or `±hh[:mm]`.
 */
const LEGACY_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The instant a legacy date string names, or undefined when it names none. */
export function parseLegacyDate(text: string): Date | undefined {
  const match = LEGACY_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const parts = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = parts;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(utc);
  // Date.UTC rolls 2025-02-30 over to March: refuse what does not round-trip.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return new Date(utc - offsetMs(zone));
}

function offsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  return sign * (hours * 60 + minutes) * 60_000;
}
