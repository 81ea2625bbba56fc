import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Gauge, type Registry };

/** The outcome labels of the counters below (the values a dashboard filters on). */
export type PublishOutcome = 'confirmed' | 'returned' | 'failed';
export type DeliveryOutcome = 'acked' | 'retried' | 'dead_lettered';
export type MailOutcome = 'sent' | 'failed';
export type LoginOutcome = 'failed' | 'rate_limited';

/**
 * One service's Prometheus metrics (prom-client): its own registry with the `service` label, so
 * the three services of the embedded process each show their own traffic on their `/metrics`;
 * the process and event-loop metrics (one process, one set) are appended from a shared registry.
 */
export interface ServiceMetrics {
  readonly service: string;
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly publishes: Counter<'exchange' | 'outcome'>;
  readonly deliveries: Counter<'queue' | 'outcome'>;
  readonly mails: Counter<'outcome'>;
  readonly logins: Counter<'outcome'>;
  /** The Prometheus text exposition of this service's metrics and the process metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

let processRegistry: Registry | undefined;

/** The process-wide default metrics (CPU, memory, GC, event-loop lag and utilisation), collected once per process. */
function sharedProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const registers = [registry];
  const metrics: ServiceMetrics = {
    service,
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from a request arriving to its response finished, by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishes: new Counter({
      name: 'bus_publishes_total',
      help: 'Messages published: confirmed by the broker, returned as unroutable, or failed (nacked, broker unreachable)',
      labelNames: ['exchange', 'outcome'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'bus_deliveries_total',
      help: 'Deliveries settled per queue: acked, retried (requeued) or dead-lettered',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    mails: new Counter({
      name: 'mails_total',
      help: 'Mails handed to the SMTP server: sent (accepted) or failed',
      labelNames: ['outcome'] as const,
      registers,
    }),
    logins: new Counter({
      name: 'logins_rejected_total',
      help: 'Login attempts refused: failed (wrong e-mail or password) or rate_limited (429)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    contentType: registry.contentType,
    async render() {
      const [own, shared] = await Promise.all([registry.metrics(), sharedProcessRegistry().metrics()]);
      return `${own}\n${shared}`;
    },
  };
  return metrics;
}

/** Who may read `/metrics`. */
export type MetricsAccess = { open: true } | { open: false; token: string | undefined };

/**
 * METRICS_TOKEN set → a bearer token is required; else METRICS_PUBLIC=true or any APP_ENV but
 * production → open; else (production, nothing configured) → not served.
 */
export function metricsAccess(config: { APP_ENV: string; METRICS_TOKEN?: string | undefined; METRICS_PUBLIC?: boolean | undefined }): MetricsAccess {
  if (config.METRICS_TOKEN) return { open: false, token: config.METRICS_TOKEN };
  if (config.METRICS_PUBLIC || config.APP_ENV !== 'production') return { open: true };
  return { open: false, token: undefined };
}
