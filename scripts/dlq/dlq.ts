/**
 * `npm run dlq -- list|replay|drop --service log|email …`: see dlq-command.ts (and `--help`).
 */
import { runDlq } from './dlq-command.ts';

process.exitCode = await runDlq(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
