/** Probes for end-to-end and fault tests: what the mail catcher holds. */

export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  date: string;
}

/** The mails the catcher holds (newest first), optionally only those whose subject matches. */
export async function mailsWithSubject(catcherUrl: string, subject?: RegExp): Promise<CaughtMail[]> {
  const res = await fetch(`${catcherUrl}/api/messages`);
  if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
  const mails = (await res.json()) as CaughtMail[];
  return subject ? mails.filter((m) => subject.test(m.subject)) : mails;
}
