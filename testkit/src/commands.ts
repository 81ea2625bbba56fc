import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill it after this long (ms). Default 60 000. */
  timeoutMs?: number;
}

/** Run `file args…` and resolve with its stdout; reject with its stderr (or stdout) in the message. */
export async function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, [...args], { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const detail = (stderr ?? '').trim() || (stdout ?? '').trim() || String(error);
    throw new Error(`${file} ${args.join(' ')} failed: ${detail}`, { cause: error });
  }
}
