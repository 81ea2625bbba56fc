// An independent check of a response against the spec (besides the harness's own response
// validation): the status must be declared for the operation, the body must match its schema, and an
// error must have the one error shape and leak nothing.
//
//   createResponseChecker() → (op, res) => string | undefined   why the response is unacceptable, or undefined
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Response } from 'supertest';
import { assertNoLeak } from '../../support/http-assertions.ts';
import type { FuzzOperation } from './spec-operations.ts';

const addFormats = addFormatsModule.default;

/** Longest error body accepted: longer ones suggest the input is echoed. */
const MAX_ERROR_BODY_CHARS = 4000;

export type ResponseChecker = (op: FuzzOperation, res: Response) => string | undefined;

export function createResponseChecker(): ResponseChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();

  /** The body validator of a declared status (undefined when the response declares no content). */
  const validatorFor = (op: FuzzOperation, status: number): ValidateFunction | undefined => {
    const schema = op.responses[String(status)];
    if (schema === undefined || schema === null) return undefined;
    const key = `${op.operationId} ${status}`;
    let validate = validators.get(key);
    if (validate === undefined) {
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    return validate;
  };

  return (op, res) => {
    if (res.status >= 500) return `a ${res.status}`;
    if (!(String(res.status) in op.responses)) return `status ${res.status} is not declared for ${op.operationId}`;
    const validate = validatorFor(op, res.status);
    if (validate && !validate(res.body)) return `the body does not match the spec: ${ajv.errorsText(validate.errors)}`;
    if (res.status < 400) return undefined;

    if (!/application\/json/.test(String(res.headers['content-type']))) return `an error without a JSON body (${String(res.headers['content-type'])})`;
    const body: unknown = res.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'an error body that is not an object';
    const record = body as Record<string, unknown>;
    if (typeof record.msg !== 'string' || record.msg.length === 0) return 'an error body without msg';
    const extra = Object.keys(record).filter((key) => key !== 'msg' && key !== 'errors' && key !== 'code');
    if (extra.length > 0) return `unexpected keys in the error body: ${extra.join(', ')}`;
    try {
      assertNoLeak(body);
    } catch (error) {
      return (error as Error).message;
    }
    const length = JSON.stringify(body).length;
    if (length > MAX_ERROR_BODY_CHARS) return `an error body of ${length} chars (input echoed?)`;
    return undefined;
  };
}
