import type { LogApiHandlers } from '@bank/log-api';
import { createDeadLetterHandlers, pageEnvelope, type DeadLetterHandlerDeps } from '@bank/platform/http';
import { MAX_LIST_WINDOW, type LogListQuery, type LogStore } from '../store/log-store.ts';
import { ACCESS_DENIED, mayAdministerDeadLetters, mayReadLogs, mayWriteLogs, type LogCaller } from '../http/caller.ts';

export interface Readiness {
  /** Named checks (store, broker, consumer). */
  checks: Record<string, 'up' | 'down'>;
  /** Why a check is down, where there is more to say than its name (e.g. the store's index conflict). */
  reasons?: Record<string, string>;
}

export type ReadinessCheck = () => Promise<Readiness>;

export interface LogHandlerDeps {
  store: LogStore;
  /** Every check `up` → 200, else 503. */
  readiness: ReadinessCheck;
  /** The consumer queue's dead letters (`/admin/dead-letters`, admins only). */
  deadLetters: Omit<DeadLetterHandlerDeps<LogCaller>, 'mayAdminister'>;
}

const TOO_DEEP = {
  msg: `Page too deep: page_number × page_size must be at most ${MAX_LIST_WINDOW}`,
  errors: [
    {
      path: '/query/page_number',
      message: `page_number × page_size must be at most ${MAX_LIST_WINDOW}; narrow the dates with from/to to reach older entries`,
    },
  ],
};

const NOT_FOUND = { msg: 'Log not found' } as const;

/** The log-service REST API (specs/log.openapi.yaml): requests arrive validated, callers authenticated. */
export function createLogHandlers(deps: LogHandlerDeps): LogApiHandlers<LogCaller> {
  const { store } = deps;
  return {
    ...createDeadLetterHandlers({ ...deps.deadLetters, mayAdminister: mayAdministerDeadLetters }),

    async listLogs({ query, caller }) {
      if (!mayReadLogs(caller)) return { status: 403, body: ACCESS_DENIED };
      if (query.page_number * query.page_size > MAX_LIST_WINDOW) return { status: 400, body: TOO_DEEP };
      const filter: LogListQuery = { page: query.page_number, pageSize: query.page_size };
      if (query.user_id !== undefined) filter.user_id = query.user_id;
      if (query.routing_key !== undefined) filter.routing_key = query.routing_key;
      if (query.from !== undefined) filter.from = new Date(query.from);
      if (query.to !== undefined) filter.to = new Date(query.to);
      const page = await store.list(filter);
      const body = pageEnvelope('/logs', query, page.total, page.items);
      // no link to a page past the window (it would answer 400)
      if ((query.page_number + 1) * query.page_size > MAX_LIST_WINDOW) body.next = null;
      return { status: 200, body };
    },

    async createLog({ body, caller }) {
      if (!mayWriteLogs(caller)) return { status: 403, body: ACCESS_DENIED };
      const { log, created } = await store.insert(body);
      return created
        ? { status: 201, body: { msg: 'item created', item: log } }
        : { status: 200, body: { msg: 'item already exists', item: log } };
    },

    async getLog({ params, caller }) {
      if (!mayReadLogs(caller)) return { status: 403, body: ACCESS_DENIED };
      const log = await store.get(params.id);
      return log ? { status: 200, body: log } : { status: 404, body: NOT_FOUND };
    },

    async deleteLog({ params, caller }) {
      if (!mayReadLogs(caller)) return { status: 403, body: ACCESS_DENIED };
      const log = await store.delete(params.id);
      return log ? { status: 200, body: { msg: 'item deleted', item: log } } : { status: 404, body: NOT_FOUND };
    },

    async getHealth() {
      return { status: 200, body: { status: 'ok' } };
    },

    async getReady() {
      const { checks, reasons } = await deps.readiness();
      const ready = Object.values(checks).every((state) => state === 'up');
      const detail = reasons && Object.keys(reasons).length > 0 ? { checks, reasons } : { checks };
      return ready ? { status: 200, body: { status: 'ready', ...detail } } : { status: 503, body: { status: 'not ready', ...detail } };
    },
  };
}
