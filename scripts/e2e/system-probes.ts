/** Polling helpers for end-to-end and fault tests: wait for state reached asynchronously. */

export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  date: string;
}

/** Poll `read` until `done(value)` holds; fail with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The mails the catcher holds (newest first), optionally only those whose subject matches. */
export async function mailsWithSubject(catcherUrl: string, subject?: RegExp): Promise<CaughtMail[]> {
  const res = await fetch(`${catcherUrl}/api/messages`);
  if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
  const mails = (await res.json()) as CaughtMail[];
  return subject ? mails.filter((m) => subject.test(m.subject)) : mails;
}
