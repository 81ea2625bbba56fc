import assert from 'node:assert/strict';
import { ConfigError } from '@bank/platform/config';
import { loadLogConfig, mongoUrlWithDatabase } from '../src/config.ts';

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
