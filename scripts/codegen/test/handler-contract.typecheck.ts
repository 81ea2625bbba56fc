/**
 * Compile-time proof of the generated handler contract. `npm run typecheck` checks this file:
 * each `@ts-expect-error` below must be an error, or tsc fails with "Unused '@ts-expect-error'".
 */
import type { LogApiHandlers } from '@bank/log-api';
import { createMemoryLogHandlers, type FixtureCaller } from './fixtures/memory-log-handlers.ts';

const { handlers } = createMemoryLogHandlers();

// A complete implementation satisfies the interface.
export const complete = { ...handlers } satisfies LogApiHandlers<FixtureCaller>;

// Missing one operation: a compile error.
const { deleteLog: _omitted, ...withoutDelete } = handlers;
// @ts-expect-error deleteLog is missing
export const missingOperation = withoutDelete satisfies LogApiHandlers<FixtureCaller>;

// Returning a status the spec does not declare for the operation: a compile error.
export const undeclaredStatus = {
  ...handlers,
  // @ts-expect-error 418 is not a declared response of getHealth
  async getHealth() {
    return { status: 418 as const, body: { status: 'ok' as const } };
  },
} satisfies LogApiHandlers<FixtureCaller>;

// Returning a body of the wrong shape for a declared status: a compile error.
export const wrongBody = {
  ...handlers,
  // @ts-expect-error the 404 body must be the Error schema ({msg})
  async getLog() {
    return { status: 404 as const, body: { message: 'nope' } };
  },
} satisfies LogApiHandlers<FixtureCaller>;

// Request types are exact: path params, defaulted query params and the caller are typed.
export const typedRequest = {
  ...handlers,
  async getLog(request) {
    const id: string = request.params.id;
    const roles: string[] = request.caller.roles;
    // @ts-expect-error getLog has no request body
    const body: { user_id: number } = request.body;
    void body;
    return { status: 404, body: { msg: `no ${id} for ${roles.join()}` } };
  },
} satisfies LogApiHandlers<FixtureCaller>;
