import { Gauge, type ServiceMetrics } from '@bank/platform/telemetry';
import type { Knex } from '../db/database.ts';
import { fromDbTimestamp } from '../db/row-values.ts';

/**
 * `outbox_pending_messages` and `outbox_oldest_pending_age_seconds`, read from the outbox table at
 * each scrape (one indexed aggregate over the unsent rows). A failed read leaves the gauges unset
 * for that scrape rather than failing `/metrics`.
 */
export function registerOutboxMetrics(metrics: ServiceMetrics, db: Knex, now: () => Date): void {
  let snapshot: Promise<{ pending: number; oldestAgeSeconds: number } | undefined> | undefined;
  const read = () =>
    (snapshot ??= db('outbox')
      .whereNull('sent_at')
      .count({ pending: '*' })
      .min({ oldest: 'created_at' })
      .first()
      .then(
        (row: { pending?: unknown; oldest?: unknown } | undefined) => {
          const pending = Number(row?.pending ?? 0);
          const oldest = row?.oldest === null || row?.oldest === undefined ? undefined : Date.parse(fromDbTimestamp(row.oldest));
          return { pending, oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (now().getTime() - oldest) / 1000) };
        },
        () => undefined,
      )
      .finally(() => {
        // one query serves both gauges of a scrape
        setImmediate(() => (snapshot = undefined));
      }));
  new Gauge({
    name: 'outbox_pending_messages',
    help: 'Outbox rows committed but not yet published',
    registers: [metrics.registry],
    async collect() {
      const state = await read();
      if (state) this.set(state.pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished outbox row (0 when none is pending)',
    registers: [metrics.registry],
    async collect() {
      const state = await read();
      if (state) this.set(state.oldestAgeSeconds);
    },
  });
}
