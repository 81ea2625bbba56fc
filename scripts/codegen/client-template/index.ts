export * from './auth.ts';
export * from './login.ts';
export * from './outcome.ts';
export { createBankApiClient, type BankApiClient } from './bank-api/client.ts';
export { createLogApiClient, type LogApiClient } from './log-api/client.ts';
export { createEmailApiClient, type EmailApiClient } from './email-api/client.ts';
/** openapi-typescript's `paths`, `operations` and `components` of the bank API. */
export type * as BankApi from './bank-api/types.ts';
/** openapi-typescript's `paths`, `operations` and `components` of the log API. */
export type * as LogApi from './log-api/types.ts';
/** openapi-typescript's `paths`, `operations` and `components` of the email API. */
export type * as EmailApi from './email-api/types.ts';
