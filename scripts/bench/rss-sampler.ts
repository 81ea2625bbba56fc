/** Resident memory of the service processes: VmRSS from /proc/<pid>/status, sampled in the background. */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in MiB, or NaN when the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface RssFigures {
  idle: number;
  /** Highest sample while a benchmark phase ran. */
  peak: number;
  /** Highest sample per phase. */
  phases: Record<string, number>;
}

export class RssSampler {
  readonly #pids: Record<string, number>;
  readonly #figures = new Map<string, RssFigures>();
  #timer: NodeJS.Timeout | undefined;
  #phase: string | undefined;

  constructor(pids: Record<string, number>) {
    this.#pids = pids;
    for (const name of Object.keys(pids)) this.#figures.set(name, { idle: Number.NaN, peak: 0, phases: {} });
  }

  /** Record the idle RSS of every process now. */
  sampleIdle(): void {
    for (const [name, pid] of Object.entries(this.#pids)) {
      const figures = this.#figures.get(name);
      if (figures) figures.idle = rssMiB(pid);
    }
  }

  /** Sample every `intervalMs` and attribute the samples to `phase` until `end()`. */
  begin(phase: string, intervalMs = 200): void {
    this.end();
    this.#phase = phase;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  end(): void {
    if (this.#timer) {
      this.#sample();
      clearInterval(this.#timer);
    }
    this.#timer = undefined;
    this.#phase = undefined;
  }

  figures(): Record<string, RssFigures> {
    return Object.fromEntries(this.#figures);
  }

  #sample(): void {
    const phase = this.#phase;
    if (phase === undefined) return;
    for (const [name, pid] of Object.entries(this.#pids)) {
      const value = rssMiB(pid);
      const figures = this.#figures.get(name);
      if (!figures || Number.isNaN(value)) continue;
      figures.peak = Math.max(figures.peak, value);
      figures.phases[phase] = Math.max(figures.phases[phase] ?? 0, value);
    }
  }
}
