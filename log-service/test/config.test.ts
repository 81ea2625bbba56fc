import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from '@bank/platform/config';
import { describeLogStore, loadLogConfig, logStoreSettings, mongoUrlWithDatabase } from '../src/config.ts';
import { createLogStore } from '../src/store/index.ts';

const strong = '8gZLONjLJdpygX/lsl1hDwLEtGzv3sU1cfZ9ci82loAn';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadLogConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('log-service config', () => {
  it('applies the seed defaults in development', () => {
    const config = loadLogConfig({});
    assert.equal(config.APP_ENV, 'development');
    assert.equal(config.PORT, 8000);
    assert.equal(config.LOG_STORE_URL, 'sqlite:./data/logs.sqlite');
    assert.equal(config.AMQP_URI, 'amqp://guest:guest@localhost:5672/');
    assert.equal(config.QUEUE_NAME, 'log-service');
    assert.equal(config.EXCHANGE_NAME, 'topic_exchange');
    assert.equal(config.PREFETCH, 50);
    assert.equal(config.JWT_ISSUER, 'bank-service');
    assert.equal(config.JWT_AUDIENCE, 'bank-platform');
  });

  it("falls back to the seed's MONGODB_URI + MONGODB_NAME only when LOG_STORE_URL is unset", () => {
    assert.equal(loadLogConfig({ MONGODB_URI: 'mongodb://localhost:27017', MONGODB_NAME: 'audit' }).LOG_STORE_URL, 'mongodb://localhost:27017/audit');
    assert.equal(loadLogConfig({ MONGODB_URI: 'mongodb://localhost:27017/' }).LOG_STORE_URL, 'mongodb://localhost:27017/log-service');
    assert.equal(
      loadLogConfig({ MONGODB_URI: 'mongodb://localhost:27017', LOG_STORE_URL: 'sqlite:/tmp/x.sqlite' }).LOG_STORE_URL,
      'sqlite:/tmp/x.sqlite',
    );
    assert.deepEqual(problemsOf({ MONGODB_URI: 'http://localhost' }).length, 1);
  });

  it('says which setting chose the store, and names the seed settings LOG_STORE_URL overrides', () => {
    const url = loadLogConfig({ LOG_STORE_URL: 'sqlite:/tmp/x.sqlite', MONGODB_URI: 'mongodb://db:27017', MONGODB_NAME: 'audit' });
    assert.deepEqual([url.LOG_STORE_SOURCE, url.LOG_STORE_IGNORED], ['LOG_STORE_URL', ['MONGODB_URI', 'MONGODB_NAME']]);
    const seed = loadLogConfig({ MONGODB_URI: 'mongodb://db:27017' });
    assert.deepEqual([seed.LOG_STORE_SOURCE, seed.LOG_STORE_IGNORED], ['MONGODB_URI', []]);
    const none = loadLogConfig({});
    assert.deepEqual([none.LOG_STORE_SOURCE, none.LOG_STORE_IGNORED], ['default', []]);

    const described = describeLogStore(loadLogConfig({ MONGODB_URI: 'mongodb://user:s3cret@db:27017/?replicaSet=rs0', MONGODB_COLLECTIONS: 'audit_log' }));
    assert.deepEqual(described, {
      store: 'mongodb',
      source: 'MONGODB_URI',
      collection: 'audit_log',
      timeoutMs: 2000,
      socketTimeoutMs: 10000,
      writeConcern: { w: 'majority', journal: true, wtimeoutMS: 5000 },
    });
    assert.doesNotMatch(JSON.stringify(described), /s3cret|db:27017/);
    assert.deepEqual(describeLogStore(none), { store: 'sqlite', source: 'default' });
  });

  it("log-service/.env.example as shipped lets the seed's MONGODB_URI choose MongoDB (no LOG_STORE_URL overriding it)", () => {
    const example = parseEnv(fs.readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));
    assert.equal(example.LOG_STORE_URL, undefined, 'LOG_STORE_URL is commented out');
    assert.equal(loadLogConfig(example).LOG_STORE_SOURCE, 'default');
    const withSeed = loadLogConfig({ ...example, MONGODB_URI: 'mongodb://localhost:27017' });
    assert.deepEqual([withSeed.LOG_STORE_SOURCE, withSeed.LOG_STORE_URL], ['MONGODB_URI', 'mongodb://localhost:27017/log-service']);
  });

  it("honours the seed's MONGODB_COLLECTIONS as the log collection, and refuses what is not one collection name", async () => {
    const config = loadLogConfig({ MONGODB_URI: 'mongodb://db:27017/audit', MONGODB_COLLECTIONS: 'audit_log' });
    const store = await createLogStore(config.LOG_STORE_URL, logStoreSettings(config));
    try {
      const { MongoLogStore } = await import('../src/store/mongo-log-store.ts');
      assert.ok(store instanceof MongoLogStore);
      assert.equal(store.collection.collectionName, 'audit_log');
      assert.equal(store.db.databaseName, 'audit');
    } finally {
      await store.close();
    }
    assert.equal(loadLogConfig({}).MONGODB_COLLECTIONS, 'logs');
    for (const bad of ['logs,events', 'system.logs', 'a$b', 'two words', 'x'.repeat(121)]) {
      assert.match(problemsOf({ MONGODB_COLLECTIONS: bad }).join('\n'), /^MONGODB_COLLECTIONS: must be one collection name/m, bad);
    }
  });

  it('reads the MongoDB timeouts and write concern, refusing values that cannot work', () => {
    const config = loadLogConfig({ MONGODB_TIMEOUT_MS: '1500', MONGODB_SOCKET_TIMEOUT_MS: '8000', MONGODB_WRITE_CONCERN: '2', MONGODB_JOURNAL: 'false', MONGODB_WTIMEOUT_MS: '3000' });
    assert.deepEqual(logStoreSettings(config), {
      collection: 'logs',
      timeoutMs: 1500,
      socketTimeoutMs: 8000,
      writeConcern: { w: 2, journal: false, wtimeoutMS: 3000 },
    });
    assert.deepEqual(logStoreSettings(loadLogConfig({})).writeConcern, { w: 'majority', journal: true, wtimeoutMS: 5000 });
    const text = problemsOf({ MONGODB_TIMEOUT_MS: '200', MONGODB_WRITE_CONCERN: '0', MONGODB_JOURNAL: 'maybe' }).join('\n');
    for (const name of ['MONGODB_TIMEOUT_MS', 'MONGODB_WRITE_CONCERN', 'MONGODB_JOURNAL']) assert.match(text, new RegExp(`^${name}:`, 'm'));
    assert.match(problemsOf({ MONGODB_SOCKET_TIMEOUT_MS: '5000' }).join('\n'), /^MONGODB_SOCKET_TIMEOUT_MS: must be more than MONGODB_WTIMEOUT_MS \(5000\)/m);
  });

  it('adds the database to a MongoDB URI, keeping hosts and options, and keeps one already named', () => {
    assert.equal(mongoUrlWithDatabase('mongodb://a:1,b:2/?replicaSet=rs0', 'logs'), 'mongodb://a:1,b:2/logs?replicaSet=rs0');
    assert.equal(mongoUrlWithDatabase('mongodb+srv://u:p@cluster.example', 'logs'), 'mongodb+srv://u:p@cluster.example/logs');
    assert.equal(mongoUrlWithDatabase('mongodb://h/existing?tls=true', 'logs'), 'mongodb://h/existing?tls=true');
  });

  it('refuses a JWT secret under 32 bytes outside development, and the default one in production', () => {
    assert.match(problemsOf({ APP_ENV: 'test', JWT_SECRET_KEY: 'short' }).join('\n'), /JWT_SECRET_KEY: must be at least 32 bytes/);
    assert.match(problemsOf({ APP_ENV: 'production' }).join('\n'), /JWT_SECRET_KEY: is a placeholder from the examples/);
    assert.equal(loadLogConfig({ APP_ENV: 'development', JWT_SECRET_KEY: 'short' }).JWT_SECRET_KEY, 'short');
    assert.equal(loadLogConfig({ APP_ENV: 'production', JWT_SECRET_KEY: strong }).APP_ENV, 'production');
  });

  it('reports every bad variable by name at once', () => {
    const text = problemsOf({ PORT: 'eighty', PREFETCH: '0', APP_ENV: 'staging' }).join('\n');
    for (const name of ['PORT', 'PREFETCH', 'APP_ENV']) assert.match(text, new RegExp(`^${name}:`, 'm'));
    assert.match(problemsOf({ TLS_CERT: 'cert.pem' }).join('\n'), /^TLS_KEY: TLS_CERT and TLS_KEY must be set together/m);
  });
});
