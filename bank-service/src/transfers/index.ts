export * from './transfer-types.ts';
export { createTransfer, listTransfers, validateTransferBody, INSUFFICIENT_FUNDS, CARD_NOT_FOUND } from './transfer-service.ts';
export type { TransferServiceOptions } from './transfer-service.ts';
