import { SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

const RECORD: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };
const SKIP: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/**
 * Where no trace starts: at a client call made outside any traced request or message (the outbox
 * relay's polling, pool pings, a readiness probe's query, migrations) — not a business action.
 * Traces start where work enters a service: a server request, a consumed or published message.
 */
class EntryRootSampler implements Sampler {
  shouldSample(_context: Context, _traceId: string, _name: string, kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    return kind === SpanKind.CLIENT ? SKIP : RECORD;
  }

  toString(): string {
    return 'EntryRootSampler';
  }
}

/**
 * Under a span of this process: every span, less a client span directly inside another client span
 * — the same call seen twice, e.g. mysql2's span of the SQL that knex's span (table, operation,
 * statement) already records. Transaction statements (BEGIN, COMMIT) are mysql2's alone and stay.
 */
class NoNestedClientSampler implements Sampler {
  shouldSample(context: Context, _traceId: string, _name: string, kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    if (kind !== SpanKind.CLIENT) return RECORD;
    const parent = trace.getSpan(context) as { kind?: SpanKind } | undefined;
    return parent?.kind === SpanKind.CLIENT ? SKIP : RECORD;
  }

  toString(): string {
    return 'NoNestedClientSampler';
  }
}

/**
 * The sampler when OTEL_TRACES_SAMPLER is unset: parent-based and always on, less root client spans
 * and client spans nested in client spans (see above). A sampler the operator names (e.g.
 * parentbased_traceidratio) is the SDK's, unchanged.
 */
export function defaultSampler(env: Record<string, string | undefined>): Sampler | undefined {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return undefined;
  return new ParentBasedSampler({ root: new EntryRootSampler(), localParentSampled: new NoNestedClientSampler() });
}
