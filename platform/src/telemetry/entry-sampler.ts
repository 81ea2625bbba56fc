import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/**
 * The root sampler of the default (parent-based, always on) sampling, less traces that would start
 * at a client call: a query or request made outside any traced request or message (the outbox
 * relay's polling, pool pings, a readiness probe's query, migrations) is not a business action.
 * Traces start where work enters a service: a server request, a consumed or published message.
 */
class EntryRootSampler implements Sampler {
  shouldSample(_context: Context, _traceId: string, _name: string, kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    return { decision: kind === SpanKind.CLIENT ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'EntryRootSampler';
  }
}

/**
 * The sampler when OTEL_TRACES_SAMPLER is unset: parent-based, every trace that starts at an entry
 * (see EntryRootSampler). A sampler the operator names (e.g. parentbased_traceidratio) is the SDK's.
 */
export function defaultSampler(env: Record<string, string | undefined>): Sampler | undefined {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return undefined;
  return new ParentBasedSampler({ root: new EntryRootSampler() });
}
