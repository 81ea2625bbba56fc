import type { BankApiHandlers } from '@bank/bank-api';
import type { Caller } from '../http/caller.ts';
import { createAccountHandlers } from './account-handlers.ts';
import { createAuthHandlers } from './auth-handlers.ts';
import { createBranchHandlers } from './branch-handlers.ts';
import { createCardHandlers } from './card-handlers.ts';
import { createClientHandlers } from './client-handlers.ts';
import type { HandlerContext } from './handler-context.ts';
import { createOperationsHandlers } from './operations-handlers.ts';
import { createReferenceHandlers } from './reference-handlers.ts';
import { createRoleHandlers } from './role-handlers.ts';
import { createTransferHandlers } from './transfer-handlers.ts';
import { createUserHandlers } from './user-handlers.ts';

/** Every operation of specs/bank.openapi.yaml; `satisfies` makes a missing one a compile error. */
export function createBankHandlers(ctx: HandlerContext) {
  return {
    ...createAuthHandlers(ctx),
    ...createUserHandlers(ctx),
    ...createRoleHandlers(ctx),
    ...createReferenceHandlers(ctx),
    ...createBranchHandlers(ctx),
    ...createClientHandlers(ctx),
    ...createAccountHandlers(ctx),
    ...createCardHandlers(ctx),
    ...createTransferHandlers(ctx),
    ...createOperationsHandlers(ctx),
  } satisfies BankApiHandlers<Caller>;
}
