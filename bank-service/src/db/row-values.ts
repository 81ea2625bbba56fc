// Engine-neutral conversions between stored values and the API's shapes, so MariaDB and SQLite
// rows come out identical: numbers as numbers, booleans as booleans, timestamps as ISO-8601 `Z`.

/** BIGINT / INT / COUNT(*) → number (mysql2 may hand back a string for values beyond 2^53). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  throw new TypeError(`expected a numeric database value, got ${typeof value}`);
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** TINYINT(1) / SQLite 0|1 → boolean. */
export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'string') return value !== '0' && value !== '' && value.toLowerCase() !== 'false';
  return false;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** A Date → `YYYY-MM-DD HH:MM:SS.mmm` in UTC: accepted by MariaDB DATETIME(3) and sorts as text in SQLite. */
export function toDbTimestamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
  );
}

/** A stored timestamp (string in UTC, Date, or epoch ms) → ISO-8601 with milliseconds and `Z`. */
export function fromDbTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (typeof value === 'string') {
    const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]00:?00)?$/.exec(value);
    if (match) {
      const fraction = (match[3] ?? '.000').slice(1).padEnd(3, '0').slice(0, 3);
      return `${match[1]}T${match[2]}.${fraction}Z`;
    }
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  throw new TypeError('expected a timestamp database value');
}

export function fromNullableDbTimestamp(value: unknown): string | null {
  return value === null || value === undefined ? null : fromDbTimestamp(value);
}
