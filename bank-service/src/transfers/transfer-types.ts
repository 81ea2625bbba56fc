/** Body of `POST /api/transfers`. Money is integer minor units. */
export interface TransferRequestBody {
  from_card_id: number;
  to_card_id: number;
  amount: number;
}

/** A stored transfer as the API shows it. */
export interface Transfer {
  id: number;
  from_card_id: number;
  to_card_id: number;
  amount: number;
  /** UTC ISO-8601 with milliseconds. */
  created_at: string;
  idempotency_key: string | null;
}

export interface TransferCreatedBody {
  msg: 'transfer completed';
  item: Transfer;
}

/** The one error shape of the API. */
export interface ErrorBody {
  msg: string;
  errors?: Array<{ path: string; message: string }>;
  /** `insufficient_funds`, `balance_limit_exceeded`, … (see the spec's Error.code). */
  code?: string;
}

export interface CreateTransferInput {
  /** The caller (token subject). */
  userId: number;
  /** Admins may move money from any card. */
  isAdmin: boolean;
  /** The `Idempotency-Key` header (its absence is a 400 answered by the HTTP layer). */
  key: string;
  body: TransferRequestBody;
}

/**
 * What to answer. `status` 201 with `TransferCreatedBody`, or a 4xx with `ErrorBody` (403 not the
 * card's owner, 404 card missing, 409 insufficient funds or balance limit). Replays carry the first response, the
 * same status and body, with `replayed: true`. Send `status` and `body` as they are.
 */
export interface TransferResponse {
  status: number;
  body: TransferCreatedBody | ErrorBody;
  replayed: boolean;
}

export interface ListTransfersInput {
  userId: number;
  isAdmin: boolean;
  /** Only transfers from or to this card (which must be the caller's unless admin). */
  cardId?: number;
  /** From 1. */
  page: number;
  pageSize: number;
}

export interface TransferPage {
  /** All matching transfers, over every page. */
  total: number;
  /** This page, ordered by id. */
  rows: Transfer[];
}
