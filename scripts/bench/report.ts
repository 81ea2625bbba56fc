/** The one-line figures `make bench` prints, and the machine header. */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Aim {
  /** The ratio service / baseline must reach. */
  min: number;
}

const f = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const rate = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toString() : n.toFixed(1)) : 'n/a');

export function ratioPart(service: number, baseline: number, aim: Aim): { text: string; met: boolean } {
  const ratio = service / baseline;
  const met = Number.isFinite(ratio) && ratio >= aim.min;
  return { text: `ratio ${f(ratio, 2)} (aim ≥ ${aim.min}) ${met ? 'MET' : 'MISSED'}`, met };
}

export function figureLine(name: string, parts: string[]): string {
  return `${name.padEnd(15)} ${parts.join(' | ')}`;
}

export const fmt = { f, rate };

function tryRun(command: string, args: string[]): string {
  // wrk --version exits non-zero after printing its version: take the output regardless
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  const text = `${run.stdout ?? ''}`.trim();
  return text === '' ? 'unknown' : text;
}

/** Cores, memory, load, node, RabbitMQ, MariaDB and wrk versions. */
export function machineLines(mariadbVersion: string): string[] {
  const cores = cpus();
  return [
    `date            ${new Date().toISOString()}`,
    `machine         ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${f(totalmem() / 2 ** 30)} GiB RAM, load average ${loadavg().map((l) => f(l, 2)).join(' ')}`,
    `software        node ${process.version}, RabbitMQ ${tryRun('rabbitmqctl', ['version'])}, MariaDB ${mariadbVersion}, ${tryRun('wrk', ['--version']).split('\n')[0]?.split(' Copyright')[0] ?? 'wrk'}`,
  ];
}
