// The settings every suite honours, read from the environment once (README, "Testing"):
//
//   TEST_MARIADB_URL    the MariaDB server suites create their databases on; a URL without a
//                       database. Default mysql://root@127.0.0.1:3306
//   TEST_AMQP_URL       the RabbitMQ broker suites create their vhosts on (its default vhost).
//                       Default amqp://guest:guest@127.0.0.1:5672
//   TEST_RABBITMQ_NODE  the node `rabbitmqctl -n` administers to add and delete those vhosts.
//                       Default: rabbitmqctl's own default (the machine's node).
//   TEST_DATABASES      the engines the dual-engine suites run on: sqlite, mariadb, or both
//                       (comma-separated; `mysql` means mariadb). Default: both.

export type TestEngine = 'sqlite' | 'mysql';

export const ENGINE_LABELS: Record<TestEngine, string> = { sqlite: 'SQLite', mysql: 'MariaDB' };

export interface TestSettings {
  /** e.g. `mysql://root@127.0.0.1:3306` (no database, no trailing slash). */
  mariadbUrl: string;
  /** e.g. `amqp://guest:guest@127.0.0.1:5672` (no vhost, no trailing slash). */
  amqpUrl: string;
  /** `rabbitmqctl -n` target for vhost administration; undefined = rabbitmqctl's default node. */
  rabbitmqNode: string | undefined;
  /** The engines of the dual-engine suites, in the order they run. */
  engines: readonly TestEngine[];
}

const ALL_ENGINES: readonly TestEngine[] = ['sqlite', 'mysql'];

function serverUrl(name: string, value: string | undefined, fallback: string, protocols: readonly string[]): string {
  const text = value === undefined || value.trim() === '' ? fallback : value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name}: "${text}" is not a URL (e.g. ${fallback})`);
  }
  if (!protocols.includes(url.protocol)) throw new Error(`${name}: expected a ${protocols.join(' or ')} URL, got "${url.protocol}" (e.g. ${fallback})`);
  if (url.pathname !== '' && url.pathname !== '/') throw new Error(`${name}: give the server only, without "${url.pathname}" (e.g. ${fallback})`);
  return text.replace(/\/+$/, '');
}

function engines(value: string | undefined): readonly TestEngine[] {
  if (value === undefined || value.trim() === '') return ALL_ENGINES;
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !['sqlite', 'mariadb', 'mysql'].includes(name));
  if (unknown.length > 0) throw new Error(`TEST_DATABASES: unknown engine(s) ${unknown.join(', ')} (use sqlite, mariadb or both)`);
  return ALL_ENGINES.filter((engine) => names.includes(engine) || (engine === 'mysql' && names.includes('mariadb')));
}

/** Parse the settings from an environment (exported for its own test; suites use `testSettings`). */
export function readTestSettings(env: Record<string, string | undefined>): TestSettings {
  return {
    mariadbUrl: serverUrl('TEST_MARIADB_URL', env.TEST_MARIADB_URL, 'mysql://root@127.0.0.1:3306', ['mysql:']),
    amqpUrl: serverUrl('TEST_AMQP_URL', env.TEST_AMQP_URL, 'amqp://guest:guest@127.0.0.1:5672', ['amqp:', 'amqps:']),
    rabbitmqNode: env.TEST_RABBITMQ_NODE?.trim() || undefined,
    engines: engines(env.TEST_DATABASES),
  };
}

/** This process's settings, read once. */
export const testSettings: TestSettings = readTestSettings(process.env);
