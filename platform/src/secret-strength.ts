/**
 * Whether a configured secret may be used outside development (issue 10 §1: production started with
 * the repository's example JWT secret, and 32 × "a" passed the length rule). One definition, used by
 * every service's config and by bank-service's CLI:
 *
 * - a known placeholder is refused: any value of the repository's example files (they all say
 *   `change-me`), the built-in development default, and the usual stand-ins (`secret`, `password`…);
 * - a low-entropy value is refused: the strength is zxcvbn-ts's estimate of the guesses an attacker
 *   needs (dictionaries of common passwords, keyboard walks, repeats, sequences, dates — a random
 *   string scores about one decimal digit per character, conservatively). A machine secret (the
 *   JWT key) needs 10^30 guesses (≈ 100 bits: 30 random characters, or 32 bytes of
 *   `openssl rand -base64`); a password someone types (ADMIN_PASS) zxcvbn's score 3 (10^8 guesses).
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * zxcvbn-ts and its dictionaries (≈ 0.1–0.4 s to load, ≈ 10 MiB of heap, and a young generation
 * grown to take them) live in a worker thread, started on the first check (development never pays)
 * and ended once the current synchronous work (a config parse) is done: a service's heap never holds
 * them. The checks stay synchronous: the caller waits on a shared flag for the worker's answer.
 */
const require = createRequire(import.meta.url);

const ESTIMATOR_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let estimator;
let failure;
try {
  const { ZxcvbnFactory } = require(workerData.core);
  const common = require(workerData.common);
  estimator = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
} catch (err) {
  failure = String(err && err.message ? err.message : err);
}
parentPort.on('message', (value) => {
  let reply;
  try {
    if (failure !== undefined) throw new Error(failure);
    const result = estimator.check(value);
    reply = { guessesLog10: result.guessesLog10, score: result.score };
  } catch (err) {
    reply = { error: String(err && err.message ? err.message : err) };
  }
  workerData.port.postMessage(reply);
  Atomics.store(workerData.signal, 0, 1);
  Atomics.notify(workerData.signal, 0);
});
`;

/** Longest wait for one estimate (the worker's start-up included). */
const ESTIMATE_TIMEOUT_MS = 30_000;

interface EstimatorThread {
  worker: Worker;
  replies: MessagePort;
  signal: Int32Array;
}

/** Words that mark a value as a stand-in for a real secret. */
const PLACEHOLDER_PATTERN = /change[-_ .]?me|replace[-_ .]?me|placeholder|example|your[-_ .]?(secret|password)|development[-_ .]only/i;

/** Values that are never secrets, whatever their strength estimate (compared case-insensitively). */
const PLACEHOLDER_VALUES = new Set(['secret', 'password', 'changeme', 'changeit', 'default', 'admin', 'adminpass', 'test', 'jwt-secret']);

/** Guesses (log10) a machine secret must need. */
export const MIN_SECRET_GUESSES_LOG10 = 30;
/** zxcvbn score (0–4) a typed password must reach. */
export const MIN_PASSWORD_SCORE = 3;

export type SecretKind = 'secret' | 'password';

let thread: EstimatorThread | undefined;
const estimates = new Map<string, { guessesLog10: number; score: number }>();

function estimatorThread(): EstimatorThread {
  if (thread === undefined) {
    const { port1: replies, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(ESTIMATOR_SOURCE, {
      eval: true,
      // not the parent's flags (--import of the telemetry entry or of tsx): the worker needs none
      execArgv: [],
      env: {},
      workerData: { core: require.resolve('@zxcvbn-ts/core'), common: require.resolve('@zxcvbn-ts/language-common'), port: port2, signal },
      transferList: [port2],
    });
    worker.unref();
    // a failure reaches the caller as the reply (or the timeout), not as an unhandled 'error' event
    worker.on('error', () => undefined);
    const started: EstimatorThread = { worker, replies, signal };
    thread = started;
    setImmediate(() => {
      if (thread === started) thread = undefined;
      replies.close();
      void worker.terminate();
    }).unref();
  }
  return thread;
}

/** zxcvbn-ts's estimate (in the worker), memoised (a config is parsed once per process, tests parse it often). */
function estimate(value: string): { guessesLog10: number; score: number } {
  let found = estimates.get(value);
  if (found === undefined) {
    const { worker, replies, signal } = estimatorThread();
    Atomics.store(signal, 0, 0);
    worker.postMessage(value);
    if (Atomics.wait(signal, 0, 0, ESTIMATE_TIMEOUT_MS) === 'timed-out') throw new Error(`the secret strength estimate took over ${ESTIMATE_TIMEOUT_MS} ms`);
    const reply = receiveMessageOnPort(replies)?.message as { guessesLog10: number; score: number } | { error: string } | undefined;
    if (reply === undefined || 'error' in reply) throw new Error(`the secret strength estimate failed: ${reply?.error ?? 'no answer'}`);
    const result = reply;
    // rounded: 10^30 guesses come back as 29.999999999999996
    found = { guessesLog10: Math.round(result.guessesLog10 * 1000) / 1000, score: result.score };
    estimates.set(value, found);
  }
  return found;
}

export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER_PATTERN.test(value) || PLACEHOLDER_VALUES.has(value.trim().toLowerCase());
}

/**
 * Why `value` must not be used outside development, as a sentence (the caller prefixes the variable
 * name), or undefined when it may.
 */
export function secretProblem(value: string, kind: SecretKind): string | undefined {
  const generate = kind === 'secret' ? 'generate one, e.g. `openssl rand -base64 48` (`make up` writes random ones into .dockerenv)' : 'choose a long, random password';
  if (isPlaceholderSecret(value)) return `is a placeholder from the examples, not a secret: ${generate}`;
  const { guessesLog10, score } = estimate(value);
  if (kind === 'secret' && guessesLog10 < MIN_SECRET_GUESSES_LOG10) {
    return `has too little entropy (about 10^${Math.floor(guessesLog10)} guesses, at least 10^${MIN_SECRET_GUESSES_LOG10} needed): ${generate}`;
  }
  if (kind === 'password' && score < MIN_PASSWORD_SCORE) {
    return `is too easy to guess (strength ${score} of 4, at least ${MIN_PASSWORD_SCORE} needed): ${generate}`;
  }
  return undefined;
}

/** The password part of a URL (`mysql://user:pass@host/db`), or undefined when it has none or is not a URL. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
