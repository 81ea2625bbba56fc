import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedPorts, readComposeFile, REPO_ROOT, serviceEnvironment } from '../compose-file.ts';

const SCALED = ['email-service', 'log-service'];
const APPS = ['bank-service', 'log-service', 'email-service'];

describe('docker-compose.yml scales (docker compose up --scale email-service=2 --scale log-service=2)', () => {
  const compose = readComposeFile();

  it('binds no host port on a service that runs as several replicas, and names no fixed container', () => {
    for (const name of [...SCALED, 'bank-service']) {
      const service = compose.services[name];
      assert.ok(service, `${name} is in the file`);
      assert.deepEqual(publishedPorts(service), [], `${name} publishes no host port (two replicas could not both bind it)`);
      assert.equal(service.container_name, undefined, `${name} has no container_name`);
    }
  });

  it('reaches the HTTP services from the host through one gateway that spreads requests over all replicas', () => {
    const gateway = compose.services.gateway;
    assert.ok(gateway, 'a gateway service');
    assert.deepEqual(publishedPorts(gateway).sort(), ['127.0.0.1:5000:5000', '127.0.0.1:8000:8000', '127.0.0.1:8001:8001']);
    const mount = (gateway.volumes ?? []).find((v) => typeof v === 'string' && v.endsWith(':/etc/caddy/Caddyfile:ro'));
    assert.ok(typeof mount === 'string', 'the Caddyfile is mounted read-only');
    const caddyfile = readFileSync(join(REPO_ROOT, mount.split(':')[0] as string), 'utf8');
    assert.match(caddyfile, /\(no-metrics\) \{\s*respond \/metrics\* 404\s*\}/, 'the gateway answers 404 for /metrics');
    for (const [name, port] of [
      ['bank-service', 5000],
      ['log-service', 8000],
      ['email-service', 8001],
    ] as const) {
      const site = new RegExp(`:${port} \\{\\s*import no-metrics\\s*reverse_proxy \\{\\s*dynamic a \\{\\s*name ${name}\\s*port ${port}\\s*refresh \\d+s`);
      assert.match(caddyfile, site, `:${port} re-resolves ${name} (every replica) through Docker's DNS, and keeps its /metrics off the host`);
    }
  });

  it('keeps email-service state off the container: its sent store is a mysql:// database on the shared MariaDB, no local volume', () => {
    const email = compose.services['email-service'];
    assert.ok(email);
    const env = serviceEnvironment(email);
    assert.match(env.SENT_STORE_URL ?? '', /^mysql:\/\/[^@]+@mariadb:3306\/\w+$/, 'SENT_STORE_URL is mysql on the compose MariaDB');
    assert.deepEqual(email.volumes ?? [], [], 'no volume: replicas share nothing but the database');
    const dependsOn = Array.isArray(email.depends_on) ? email.depends_on : Object.keys(email.depends_on ?? {});
    assert.ok(dependsOn.includes('mariadb'), 'email-service waits for MariaDB');

    // the database and user in that URL are the ones the MariaDB init script creates
    const url = new URL(env.SENT_STORE_URL ?? '');
    const mariadb = compose.services.mariadb;
    assert.ok(mariadb);
    const dbEnv = serviceEnvironment(mariadb);
    assert.equal(decodeURIComponent(url.username), dbEnv.EMAIL_DB_USER);
    assert.equal(decodeURIComponent(url.password), dbEnv.EMAIL_DB_PASSWORD);
    assert.equal(url.pathname.slice(1), dbEnv.EMAIL_DB_NAME);
    const init = (mariadb.volumes ?? []).find((v) => typeof v === 'string' && v.includes(':/docker-entrypoint-initdb.d/'));
    assert.ok(typeof init === 'string', 'an init script is mounted into /docker-entrypoint-initdb.d/');
    assert.ok(existsSync(join(REPO_ROOT, init.split(':')[0] as string)), `${init} exists`);
  });

  it('runs RabbitMQ queues as quorum queues for every service (QUEUE_TYPE=quorum) on a RabbitMQ that has them', () => {
    for (const name of APPS) {
      const service = compose.services[name];
      assert.ok(service);
      assert.equal(serviceEnvironment(service).QUEUE_TYPE, 'quorum', `${name} declares quorum queues`);
    }
    assert.match(compose.services.rabbitmq?.image ?? '', /^rabbitmq:(4|3\.(8|9|1\d))/, 'a RabbitMQ with quorum queues');
  });
});
