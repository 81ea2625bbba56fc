/**
 * Baseline of the login benchmark: raw `argon2.verify` of a hash made with bank-service's
 * PASSWORD_HASH_OPTIONS (argon2id m=19456 t=2 p=1), with CONCURRENCY verifications kept in
 * flight for DURATION_MS on libuv's threadpool (UV_THREADPOOL_SIZE, default 4, as in the service).
 * Prints `RESULT {"verifies":…,"seconds":…,"perSecond":…,"threadpool":…,"concurrency":…}`.
 */
import argon2 from 'argon2';
import { PASSWORD_HASH_OPTIONS } from '../../bank-service/src/auth/passwords.ts';

const durationMs = Number(process.env.DURATION_MS ?? 5000);
const threadpool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
const concurrency = Number(process.env.CONCURRENCY ?? threadpool * 2);
const password = 'bench-password-1';

const hash = await argon2.hash(password, PASSWORD_HASH_OPTIONS);
// warm-up: one round on every thread
await Promise.all(Array.from({ length: threadpool }, () => argon2.verify(hash, password)));

let verifies = 0;
const start = performance.now();
const deadline = start + durationMs;
async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    if (!(await argon2.verify(hash, password))) throw new Error('verify returned false');
    verifies++;
  }
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const seconds = (performance.now() - start) / 1000;
console.log(`RESULT ${JSON.stringify({ verifies, seconds, perSecond: verifies / seconds, threadpool, concurrency })}`);
