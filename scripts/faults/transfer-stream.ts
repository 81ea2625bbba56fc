/**
 * Concurrent transfers between a set of cards (random pairs and small amounts, a fresh
 * `Idempotency-Key` each), every request and its answer recorded, until stopped.
 */
import { randomUUID } from 'node:crypto';
import type { BankApiClient } from '@contract-bank/client/bank-api';

export interface TransferBody {
  from_card_id: number;
  to_card_id: number;
  amount: number;
}

export interface TransferAttempt {
  key: string;
  body: TransferBody;
  /** HTTP status; 0 = no answer within the timeout (or a network error). */
  status: number;
  /** The transfer id of a 201. */
  transferId?: number;
  detail?: string;
}

export interface TransferStreamOptions {
  api: BankApiClient;
  cardIds: readonly number[];
  concurrency: number;
  /** Amounts are drawn from 1..maxAmount. */
  maxAmount: number;
  requestTimeoutMs?: number;
  /** A worker pauses this long after an answer other than 201 (ms). Default 100. */
  pauseAfterFailureMs?: number;
}

export interface TransferStream {
  readonly attempts: readonly TransferAttempt[];
  /** Send no more; resolves once the requests in flight have answered. */
  stop(): Promise<TransferAttempt[]>;
}

export async function sendTransfer(api: BankApiClient, key: string, body: TransferBody, timeoutMs = 20_000): Promise<TransferAttempt> {
  try {
    const res = await api.POST('/api/transfers', {
      params: { header: { 'Idempotency-Key': key } },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const status = res.response.status;
    if (status === 201 && res.data) return { key, body, status, transferId: res.data.item.id };
    return { key, body, status, detail: JSON.stringify(res.error) };
  } catch (err) {
    return { key, body, status: 0, detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

export function startTransferStream(options: TransferStreamOptions): TransferStream {
  const attempts: TransferAttempt[] = [];
  const pauseMs = options.pauseAfterFailureMs ?? 100;
  let running = true;
  const pick = () => options.cardIds[Math.floor(Math.random() * options.cardIds.length)]!;

  const worker = async () => {
    while (running) {
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      const body = { from_card_id: from, to_card_id: to, amount: 1 + Math.floor(Math.random() * options.maxAmount) };
      const attempt = await sendTransfer(options.api, randomUUID(), body, options.requestTimeoutMs);
      attempts.push(attempt);
      if (attempt.status !== 201 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const workers = Promise.all(Array.from({ length: options.concurrency }, worker));

  return {
    attempts,
    async stop() {
      running = false;
      await workers;
      return attempts;
    },
  };
}
