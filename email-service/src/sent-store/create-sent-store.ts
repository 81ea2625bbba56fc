import type { SentStore } from './sent-store.ts';
import { SqliteSentStore } from './sqlite-sent-store.ts';

/**
 * Opens the sent-message record named by a URL: `sqlite:./data/email.sqlite` (folder created),
 * `sqlite:/abs/file.sqlite`, `sqlite::memory:` or `:memory:`.
 */
export function createSentStore(url: string): SentStore {
  if (url === ':memory:') return new SqliteSentStore(':memory:');
  if (!url.startsWith('sqlite:')) {
    throw new Error('The sent-message store URL must start with sqlite: (e.g. sqlite:./data/email.sqlite)');
  }
  let file = url.slice('sqlite:'.length);
  if (file.startsWith('//')) file = file.slice(2);
  if (file === '') throw new Error('The sent-message store URL names no file');
  return new SqliteSentStore(file);
}
