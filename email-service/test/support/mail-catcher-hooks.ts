import { createMailCatcher, type MailCatcher } from '../../src/catcher/index.ts';

export interface CatcherHandle {
  /** The suite's catcher (running and empty at the start of every test). */
  readonly catcher: MailCatcher;
  /** Its SMTP port (kept across stops and restarts). */
  readonly smtpPort: number;
}

/**
 * Register mocha hooks for one embedded mail catcher per suite on a free port: started before the
 * suite, (re)started and emptied before each test (a test may stop it to simulate an outage),
 * stopped after the suite.
 */
export function useMailCatcher(options: { maxMessages?: number } = {}): CatcherHandle {
  let catcher: MailCatcher | undefined;
  let smtpPort = 0;
  before(async () => {
    catcher = createMailCatcher({ smtpPort: 0, httpPort: 0, ...options });
    smtpPort = (await catcher.start()).smtpPort;
  });
  after(async () => {
    await catcher?.stop();
  });
  beforeEach(async () => {
    await catcher?.start();
    catcher?.clear();
  });
  return {
    get catcher() {
      if (!catcher) throw new Error('the mail catcher starts in the before() hook');
      return catcher;
    },
    get smtpPort() {
      return smtpPort;
    },
  };
}
