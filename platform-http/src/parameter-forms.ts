/**
 * The written form of typed path and query parameters, checked before the validator coerces them:
 * an `integer` is plain decimal digits (an optional `-`, no `+`, exponent, hex, leading zero,
 * fraction or spaces) within the exactly representable range, a `boolean` is `true` or `false`.
 * express-openapi-validator (ajv's coerceTypes) would otherwise read `1e1` as 10, `0x2` as 2,
 * `01`, `+1`, `1.0` and ` 1` as 1, and let numbers past 2^53 lose their last digits.
 */
import type { ParameterBinding } from '@bank/platform/http';

export interface ParameterProblem {
  /** `/params/<name>` or `/query/<name>`, like the validator's paths. */
  path: string;
  message: string;
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Why `value` is not a well-written parameter of `type`, or undefined when it is. */
export function parameterFormProblem(type: string, value: string): string | undefined {
  if (type === 'integer') {
    if (!INTEGER.test(value)) return 'must be an integer in plain decimal digits (no sign +, exponent, hex, leading zero, fraction or spaces)';
    const big = BigInt(value);
    if (big > MAX_SAFE || big < -MAX_SAFE) return `must be at most ${Number.MAX_SAFE_INTEGER} in magnitude`;
    return undefined;
  }
  if (type === 'boolean') return value === 'true' || value === 'false' ? undefined : 'must be true or false';
  return undefined;
}

/**
 * Every typed path or query parameter of an operation whose written form is wrong. `query` holds
 * the query string's values (form-decoded: `+` is a space), several for a repeated name.
 */
export function parameterProblems(
  declared: { pathParams: readonly ParameterBinding[]; queryParams: readonly ParameterBinding[] },
  pathValues: Record<string, string>,
  query: URLSearchParams,
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  for (const param of declared.pathParams) {
    const value = pathValues[param.name];
    const problem = value === undefined ? undefined : parameterFormProblem(param.type, value);
    if (problem) problems.push({ path: `/params/${param.name}`, message: problem });
  }
  for (const param of declared.queryParams) {
    const values = query.getAll(param.name);
    if (values.length > 1 && (param.type === 'integer' || param.type === 'boolean')) {
      problems.push({ path: `/query/${param.name}`, message: 'must be given once' });
      continue;
    }
    const problem = values[0] === undefined ? undefined : parameterFormProblem(param.type, values[0]);
    if (problem) problems.push({ path: `/query/${param.name}`, message: problem });
  }
  return problems;
}
