import { DependencyUnavailableError } from '@bank/platform/events';

/**
 * Another replica holds the send claim of this message (it is sending it, or died less than a
 * lease ago). This copy waits without counting an attempt: once the other replica marks it
 * sent, this copy is acked without a mail; if its lease lapses, this copy takes the claim over.
 */
export class ClaimedElsewhereError extends DependencyUnavailableError {
  constructor(
    readonly eventMessageId: string,
    readonly owner: string,
    readonly until: string,
  ) {
    super('sent-store-claim', `message ${eventMessageId} is being sent by replica ${owner} (its claim holds until ${until})`);
    this.name = 'ClaimedElsewhereError';
  }
}
