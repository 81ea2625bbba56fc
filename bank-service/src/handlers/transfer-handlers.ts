import type { BankApiHandlers, CreateTransferResponse } from '@bank/bank-api';
import { pageEnvelope } from '@bank/platform/http';
import type { Caller } from '../http/caller.ts';
import { NotFoundError } from '../domain/errors.ts';
import { createTransfer, listTransfers, type ErrorBody, type Transfer, type TransferResponse } from '../transfers/index.ts';
import { TRANSFER_COLUMNS, toTransfer } from '../transfers/transfer-rows.ts';
import type { HandlerContext } from './handler-context.ts';
import { prefetchedItem, prefetchedPage } from '../http/prefetched.ts';

type TransferHandlers = Pick<BankApiHandlers<Caller>, 'listTransfers' | 'createTransfer' | 'getTransfer'>;

/** A transfer as the API shows it (the idempotency key is the caller's business, not part of the resource). */
export interface TransferView {
  id: number;
  from_card_id: number;
  to_card_id: number;
  amount: number;
  created_at: string;
}

function view(transfer: Transfer): TransferView {
  const { id, from_card_id, to_card_id, amount, created_at } = transfer;
  return { id, from_card_id, to_card_id, amount, created_at };
}

const MISSING_KEY: ErrorBody & { errors: [{ path: string; message: string }] } = {
  msg: 'Request validation failed',
  errors: [{ path: '/headers/idempotency-key', message: "must have required property 'Idempotency-Key'" }],
};

/** The transfer service's answer (first or replayed) as one of the operation's declared responses. */
function toResponse(result: TransferResponse): CreateTransferResponse {
  const { status, body } = result;
  if (status === 201 && 'item' in body) return { status, body: { msg: body.msg, item: view(body.item) } };
  const error = body as ErrorBody;
  switch (status) {
    case 400:
    case 403:
    case 404:
    case 409:
    case 422:
      return { status, body: error };
    default:
      throw new Error(`unexpected transfer response status ${status}`);
  }
}

/**
 * Transfers: `POST /api/transfers` moves money once per (caller, Idempotency-Key) — replays answer
 * the first response, a reused key with another body 422, insufficient funds 409 — and the lists
 * show the caller's transfers (from or to its cards; an admin sees all).
 */
export function createTransferHandlers(ctx: HandlerContext) {
  const { db, logger } = ctx;
  return {
    async createTransfer({ headers, body, caller }) {
      const key = headers['Idempotency-Key'] as string | undefined;
      if (key === undefined || key === '') return { status: 400, body: MISSING_KEY };
      const result = await createTransfer(db, { userId: caller.userId, isAdmin: caller.access === 'all', key, body }, { logger });
      return toResponse(result);
    },

    async listTransfers({ query, caller }) {
      const filter = query.card_id !== undefined ? { card_id: query.card_id } : {};
      const prefetched = prefetchedPage<TransferView>(caller, 'listTransfers', filter, query);
      if (prefetched !== undefined) return { status: 200, body: pageEnvelope('/api/transfers', query, prefetched.total, prefetched.rows) };
      const page = await listTransfers(db, {
        userId: caller.userId,
        isAdmin: caller.access === 'all',
        ...(query.card_id !== undefined ? { cardId: query.card_id } : {}),
        page: query.page_number,
        pageSize: query.page_size,
      });
      return { status: 200, body: pageEnvelope('/api/transfers', query, page.total, page.rows.map(view)) };
    },

    async getTransfer({ params, caller }) {
      const prefetched = prefetchedItem<TransferView>(caller, 'getTransfer', params);
      if (prefetched !== undefined) return { status: 200, body: prefetched };
      const row = (await db('transfers').where({ id: params.id }).first([...TRANSFER_COLUMNS])) as Parameters<typeof toTransfer>[0] | undefined;
      if (row === undefined) throw new NotFoundError('Transfer not found');
      return { status: 200, body: view(toTransfer(row)) };
    },
  } satisfies TransferHandlers;
}
