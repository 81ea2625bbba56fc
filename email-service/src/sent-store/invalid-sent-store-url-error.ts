/** SENT_STORE_URL has a form no store accepts; `detail` is the sentence without the variable's name. */
export class InvalidSentStoreUrlError extends Error {
  constructor(readonly detail: string) {
    super(`SENT_STORE_URL ${detail}`);
    this.name = 'InvalidSentStoreUrlError';
  }
}
