import assert from 'node:assert/strict';
import { readTestSettings } from '../src/test-settings.ts';

describe('test settings', () => {
  it('defaults to the machine servers and both engines', () => {
    assert.deepEqual(readTestSettings({}), {
      mariadbUrl: 'mysql://root@127.0.0.1:3306',
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      rabbitmqNode: undefined,
      engines: ['sqlite', 'mysql'],
    });
  });

  it('takes the servers from TEST_MARIADB_URL and TEST_AMQP_URL (a trailing slash is dropped)', () => {
    const settings = readTestSettings({
      TEST_MARIADB_URL: 'mysql://tester:pw@db.example:3307/',
      TEST_AMQP_URL: 'amqp://u:p@mq.example:5673',
      TEST_RABBITMQ_NODE: 'rabbit@mq',
    });
    assert.equal(settings.mariadbUrl, 'mysql://tester:pw@db.example:3307');
    assert.equal(settings.amqpUrl, 'amqp://u:p@mq.example:5673');
    assert.equal(settings.rabbitmqNode, 'rabbit@mq');
  });

  it('reads TEST_DATABASES: sqlite, mariadb (or mysql), or both, in a fixed order', () => {
    assert.deepEqual(readTestSettings({ TEST_DATABASES: 'sqlite' }).engines, ['sqlite']);
    assert.deepEqual(readTestSettings({ TEST_DATABASES: 'MariaDB' }).engines, ['mysql']);
    assert.deepEqual(readTestSettings({ TEST_DATABASES: 'mysql, sqlite' }).engines, ['sqlite', 'mysql']);
  });

  it('rejects what it cannot use, naming the setting', () => {
    assert.throws(() => readTestSettings({ TEST_DATABASES: 'postgres' }), /TEST_DATABASES: unknown engine\(s\) postgres/);
    assert.throws(() => readTestSettings({ TEST_MARIADB_URL: 'mysql://root@127.0.0.1:3306/bank' }), /TEST_MARIADB_URL: give the server only/);
    assert.throws(() => readTestSettings({ TEST_AMQP_URL: 'http://127.0.0.1:5672' }), /TEST_AMQP_URL: expected a amqp: or amqps: URL/);
    assert.throws(() => readTestSettings({ TEST_AMQP_URL: 'not a url' }), /TEST_AMQP_URL: "not a url" is not a URL/);
  });
});
