/**
 * The dead-letter CLI (`npm run dlq -- list|replay|drop …`) over each consuming service's admin API
 * (`/admin/dead-letters`, specs/log.openapi.yaml and specs/email.openapi.yaml) through the generated
 * clients. `runDlq` takes the arguments and the environment and writes to `out`/`err`: the exit
 * code is its answer (0 done, 1 refused or failed, 2 bad usage).
 */
import { parseArgs } from 'node:util';
import { createEmailApiClient, createLogApiClient, logIn, LoginError } from '@contract-bank/client';

export const USAGE = `Dead letters: list, replay or drop the dead-lettered messages of a service's queue.

  npm run dlq -- list   --service log|email [--limit N] [--json]
  npm run dlq -- replay --service log|email (--id MESSAGE_ID | --all)
  npm run dlq -- drop   --service log|email (--id MESSAGE_ID | --all)

Where and who (flags win over the environment):
  --url URL          the service (DLQ_LOG_URL / DLQ_EMAIL_URL; default http://127.0.0.1:8000 for log,
                     http://127.0.0.1:8001 for email: npm start and docker compose alike)
  --token JWT        an admin token issued by bank-service (DLQ_TOKEN), or else log in with
  --email, --password  an admin's credentials (ADMIN_EMAIL / ADMIN_PASS) at
  --bank-url URL     bank-service (BANK_URL; default http://127.0.0.1:5000)
`;

const DEFAULT_URLS = { log: 'http://127.0.0.1:8000', email: 'http://127.0.0.1:8001' } as const;
type Service = keyof typeof DEFAULT_URLS;
type Command = 'list' | 'replay' | 'drop';

export interface DlqIo {
  out(line: string): void;
  err(line: string): void;
  fetch?: typeof fetch;
}

class UsageError extends Error {}

interface Invocation {
  command: Command;
  service: Service;
  url: string;
  limit: number;
  id: string | undefined;
  all: boolean;
  json: boolean;
  token: string | undefined;
  login: { bankUrl: string; email: string; password: string } | undefined;
}

function parse(argv: string[], env: Record<string, string | undefined>): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        service: { type: 'string' },
        url: { type: 'string' },
        limit: { type: 'string' },
        id: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        token: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        'bank-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  const [command, ...rest] = positionals;
  if (command !== 'list' && command !== 'replay' && command !== 'drop') {
    throw new UsageError(command === undefined ? 'name a command: list, replay or drop' : `unknown command "${command}" (list, replay or drop)`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const service = values.service;
  if (service !== 'log' && service !== 'email') throw new UsageError(service === undefined ? '--service log|email is required' : `--service must be log or email, not "${service}"`);
  const id = values.id;
  if (command === 'list' && (id !== undefined || values.all)) throw new UsageError('list takes neither --id nor --all');
  if (command !== 'list' && (id === undefined) === !values.all) throw new UsageError(`${command} needs exactly one of --id MESSAGE_ID and --all`);
  if (id !== undefined && id.trim() === '') throw new UsageError('--id must not be empty');
  let limit = 50;
  if (values.limit !== undefined) {
    if (command !== 'list') throw new UsageError('--limit is for list');
    if (!/^[1-9]\d{0,2}$/.test(values.limit) || Number(values.limit) > 500) throw new UsageError(`--limit must be a whole number from 1 to 500, not "${values.limit}"`);
    limit = Number(values.limit);
  }
  const url = values.url ?? env[service === 'log' ? 'DLQ_LOG_URL' : 'DLQ_EMAIL_URL'] ?? DEFAULT_URLS[service];
  const token = values.token ?? env.DLQ_TOKEN;
  const email = values.email ?? env.ADMIN_EMAIL;
  const password = values.password ?? env.ADMIN_PASS;
  if (!token && (!email || !password)) throw new UsageError('give an admin token (--token or DLQ_TOKEN) or an admin login (--email/--password or ADMIN_EMAIL/ADMIN_PASS)');
  return {
    command,
    service,
    url,
    limit,
    id,
    all: values.all,
    json: values.json,
    token: token || undefined,
    login: !token && email && password ? { bankUrl: values['bank-url'] ?? env.BANK_URL ?? 'http://127.0.0.1:5000', email, password } : undefined,
  };
}

interface DeadLetterItem {
  message_id: string;
  reason: string;
  delivery_count: number | null;
  replays: number;
  dead_lettered_at: string | null;
  routing_key: string;
}

function describeItem(item: DeadLetterItem): string {
  const deliveries = item.delivery_count === null ? '?' : String(item.delivery_count);
  return `${item.message_id}  ${item.routing_key}  deliveries ${deliveries}  replays ${item.replays}  ${item.dead_lettered_at ?? '-'}\n    reason: ${item.reason}`;
}

/** `{status, msg}` of a failed call, whatever the body. */
function failure(response: Response, error: unknown): string {
  const msg = error && typeof error === 'object' && 'msg' in error && typeof error.msg === 'string' ? error.msg : response.statusText;
  return `${response.status} ${msg}`;
}

export async function runDlq(argv: string[], env: Record<string, string | undefined>, io: DlqIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parse(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) io.err(`dlq: ${err.message}\n`);
    io.err(USAGE);
    return err.message ? 2 : 0;
  }
  const { service, url } = invocation;
  const fetchOption = io.fetch ? { fetch: io.fetch } : {};
  try {
    const token = invocation.token ?? (await logIn({ baseUrl: invocation.login!.bankUrl, email: invocation.login!.email, password: invocation.login!.password, ...fetchOption }));
    // one shape on both services: the log and email clients are called alike
    const client = service === 'log' ? createLogApiClient({ baseUrl: url, token, ...fetchOption }) : createEmailApiClient({ baseUrl: url, token, ...fetchOption });
    const selection = invocation.id !== undefined ? { message_id: invocation.id } : { all: true as const };
    switch (invocation.command) {
      case 'list': {
        const { data, error, response } = await client.GET('/admin/dead-letters', { params: { query: { limit: invocation.limit } } });
        if (!data) return refused(io, service, url, response, error);
        if (invocation.json) {
          io.out(`${JSON.stringify(data, null, 2)}\n`);
          return 0;
        }
        io.out(`${data.dead_letter_queue}: ${data.total} dead letter(s)${data.total > data.items.length ? `, the first ${data.items.length} shown` : ''}\n`);
        for (const item of data.items) io.out(`${describeItem(item)}\n`);
        return 0;
      }
      case 'replay': {
        const { data, error, response } = await client.POST('/admin/dead-letters/replay', { body: selection });
        if (!data) return refused(io, service, url, response, error);
        io.out(`replayed ${data.replayed} message(s) into ${service}-service's queue\n`);
        return 0;
      }
      case 'drop': {
        const result =
          invocation.id !== undefined
            ? await client.DELETE('/admin/dead-letters/{message_id}', { params: { path: { message_id: invocation.id } } })
            : await client.DELETE('/admin/dead-letters');
        if (!result.data) return refused(io, service, url, result.response, result.error);
        io.out(`dropped ${result.data.dropped} message(s)\n`);
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof LoginError) {
      io.err(`dlq: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof TypeError)) throw err; // fetch rejects with a TypeError when the request could not be made
    io.err(`dlq: cannot reach ${service}-service at ${url} (${networkCode(err) ?? (err.cause instanceof Error ? err.cause.message : err.message)})\n`);
    return 1;
  }
}

/** The first system error code (ECONNREFUSED, ENOTFOUND, …) in an error's causes. */
function networkCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

function refused(io: DlqIo, service: Service, url: string, response: Response, error: unknown): number {
  const hint = response.status === 403 ? ' (an admin token is needed)' : response.status === 401 ? ' (the token is missing, expired or not issued by this bank)' : '';
  io.err(`dlq: ${service}-service at ${url} answered ${failure(response, error)}${hint}\n`);
  return 1;
}
