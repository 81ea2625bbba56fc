/** Parsing of `wrk --latency` output (wrk 4.1): requests/s, latency percentiles, errors. */

export interface WrkResult {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50Ms: number;
  p75Ms: number;
  p90Ms: number;
  p99Ms: number;
  requests: number;
  /** `Non-2xx or 3xx responses` (0 when wrk printed none). */
  non2xx: number;
  /** connect + read + write + timeout socket errors. */
  socketErrors: number;
  /** Responses per HTTP status, from the `STATUS <code> <count>` lines of scripts/bench/wrk/statuses.lua. */
  statuses: Record<string, number>;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `14.10ms` → 14.1, `812.00us` → 0.812, `1.02s` → 1020. */
export function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: "${text}"`);
  const unit = UNIT_MS[match[2] ?? ''];
  if (unit === undefined) throw new Error(`unknown wrk unit in "${text}"`);
  return Number(match[1]) * unit;
}

function percentile(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+(?:us|ms|s|m|h))\\s*$`, 'm').exec(output);
  if (!match?.[1]) throw new Error(`wrk output has no ${label}% latency line (run wrk with --latency)`);
  return durationMs(match[1]);
}

export function parseWrkOutput(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (!rps?.[1]) throw new Error(`wrk output has no Requests/sec line:\n${output}`);
  const requests = /^\s*(\d+) requests in /m.exec(output);
  const non2xx = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: percentile(output, '50'),
    p75Ms: percentile(output, '75'),
    p90Ms: percentile(output, '90'),
    p99Ms: percentile(output, '99'),
    requests: requests?.[1] ? Number(requests[1]) : 0,
    non2xx: non2xx?.[1] ? Number(non2xx[1]) : 0,
    socketErrors,
    statuses: Object.fromEntries([...output.matchAll(/^STATUS (\d+) (\d+)$/gm)].map((m) => [m[1] ?? '', Number(m[2])])),
  };
}
