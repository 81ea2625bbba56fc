/**
 * The cards-list ladder (issue 13): the same request answered by bare node:http + mysql2, Express +
 * mysql2, then one layer of bank-service added per rung (scripts/bench/ladder-server.ts), the full
 * bank-service, and the full bank-service with BANK_WORKERS=2 — measured in the same run, each with
 * its ratio to Express + the same SQL.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, waitFor } from '@bank/testkit';
import { ROOT, runWrk, startNodeScript, type NodeChild, type WrkRun } from './bench-processes.ts';
import { figureLine, fmt, ratioPart } from './report.ts';

const RUNGS = ['node-http', 'express', 'knex', 'validator', 'jwt', 'helmet', 'authz'] as const;
const LABELS: Record<string, string> = {
  'node-http': 'node:http + mysql2, same SQL',
  express: 'Express 5 + mysql2 (baseline)',
  knex: '+ knex',
  validator: '+ express-openapi-validator',
  jwt: '+ passport-jwt',
  helmet: '+ helmet',
  authz: '+ principal and ownership queries',
  service: 'full bank-service (one process)',
  workers: 'full bank-service, BANK_WORKERS=2',
};

export interface LadderTarget {
  /** The running bank-service (its environment is reused for every rung). */
  bankUrl: string;
  bankPid: number;
  accountId: number;
  userToken: string;
  seconds: number;
  warmupSeconds: number;
}

/** The aims of issue 13 on the ladder: one process ≥ 0.6 of Express + the same SQL, the workers ≥ 1.0. */
const AIMS: Record<string, number> = { service: 0.6, workers: 1.0 };

export interface LadderFigure {
  step: string;
  requestsPerSecond: number;
  p99Ms: number;
  ratio: number;
  errors: number;
  met?: boolean;
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

async function measure(url: string, target: LadderTarget, auth: Record<string, string>): Promise<WrkRun> {
  await runWrk({ url, durationSeconds: target.warmupSeconds, headers: auth, script: 'get.lua' });
  return runWrk({ url, durationSeconds: target.seconds, headers: auth, script: 'get.lua' });
}

/** Run every rung once, in order; print one line per rung; answer the figures. */
export async function benchLadder(target: LadderTarget, say: (line: string) => void, note: (line: string) => void): Promise<LadderFigure[]> {
  const path = `/api/accounts/${target.accountId}/cards`;
  const auth = { Authorization: `Bearer ${target.userToken}` };
  const bankEnv = environOf(target.bankPid);
  const expected = JSON.stringify(await (await fetch(`${target.bankUrl}${path}`, { headers: auth })).json());
  const runs: Array<{ step: string; run: WrkRun }> = [];

  for (const rung of RUNGS) {
    note(`ladder: ${rung}`);
    const server = startNodeScript('ladder-server.ts', [], { ...bankEnv, LADDER_STEP: rung });
    try {
      const url = `http://127.0.0.1:${await server.line('READY')}${path}`;
      const body = JSON.stringify(await (await fetch(url, { headers: auth })).json());
      if (body !== expected) throw new Error(`ladder ${rung} answers differently from the service\n${body}\n${expected}`);
      runs.push({ step: rung, run: await measure(url, target, auth) });
    } finally {
      await server.stop();
    }
  }

  note('ladder: the full service');
  runs.push({ step: 'service', run: await measure(`${target.bankUrl}${path}`, target, auth) });

  note('ladder: the full service with BANK_WORKERS=2');
  const port = await freePort();
  const workers: NodeChild = startNodeScript(resolve(ROOT, 'bank-service/src/main.ts'), [], { ...bankEnv, PORT: String(port), BANK_WORKERS: '2' });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (workers.child.exitCode !== null) throw new Error(`bank-service with workers exited\n${workers.output()}`);
        return (await fetch(`${url}/health`).catch(() => undefined))?.ok === true;
      },
      { what: 'bank-service with BANK_WORKERS=2', timeoutMs: 60_000, intervalMs: 200 },
    );
    runs.push({ step: 'workers', run: await measure(`${url}${path}`, target, auth) });
  } finally {
    await workers.stop();
  }

  const baseline = runs.find((r) => r.step === 'express')!.run.result.requestsPerSecond;
  return runs.map(({ step, run }) => {
    const r = run.result;
    const figure: LadderFigure = { step, requestsPerSecond: r.requestsPerSecond, p99Ms: r.p99Ms, ratio: r.requestsPerSecond / baseline, errors: r.non2xx + r.socketErrors };
    const errors = figure.errors > 0 ? ` (${figure.errors} errors)` : '';
    const aim = AIMS[step];
    let ratioText = `ratio ${fmt.f(figure.ratio, 2)}`;
    if (aim !== undefined) {
      const judged = ratioPart(r.requestsPerSecond, baseline, { min: aim });
      ratioText = judged.text;
      figure.met = judged.met;
    }
    say(figureLine(`ladder ${step}`, [`${fmt.rate(r.requestsPerSecond)} req/s p50 ${fmt.f(r.p50Ms)} ms p99 ${fmt.f(r.p99Ms)} ms${errors}`, LABELS[step] ?? step, ratioText]));
    return figure;
  });
}
