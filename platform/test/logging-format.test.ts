import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logging.ts';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger formats', () => {
  it('writes one JSON object a line by default, with the service name', () => {
    const out = collector();
    const logger = createLogger('bank-service', { destination: out.stream });
    logger.info({ route: '/api/banks', status: 200 }, 'request');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    assert.equal(line.service, 'bank-service');
    assert.equal(line.msg, 'request');
    assert.equal(line.route, '/api/banks');
  });

  it('writes human-readable lines (pino-pretty) with the pretty format', () => {
    const out = collector();
    const logger = createLogger('log-service', { format: 'pretty', destination: out.stream });
    logger.info({ route: '/logs', status: 201 }, 'request');
    const text = out.text();
    assert.throws(() => JSON.parse(text.trim()) as unknown);
    assert.match(text, /INFO.*log-service request/);
    assert.match(text, /route: "\/logs"/);
  });
});
