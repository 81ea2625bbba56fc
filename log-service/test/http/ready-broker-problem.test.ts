import assert from 'node:assert/strict';
import request from 'supertest';
import { InMemoryBus } from '@bank/platform/events';
import { createLogService } from '../../src/app.ts';
import { tempSqliteStore, testConfig } from '../support/service-fixture.ts';

/** A bus whose broker refused the declaration of the service's queue (what AmqpBus reports after a 406). */
class RefusedDeclarationBus extends InMemoryBus {
  override problems(): string[] {
    return ["queue 'log-service' exists with other arguments: 'x-queue-type' differs (received the value 'quorum' of type 'longstr' but current is none); it was not declared"];
  }

  override isReady(): boolean {
    return false;
  }
}

describe('log-service /ready with a queue the broker refused to declare', () => {
  it('answers 503 naming the queue and the differing argument under reasons.broker, and keeps the store up', async () => {
    const { store, accessStore, remove } = tempSqliteStore();
    const bus = new RefusedDeclarationBus();
    const service = createLogService(testConfig(), { store, accessStore, bus });
    try {
      await service.start();
      const res = await request(service.app).get('/ready');
      assert.equal(res.status, 503);
      assert.equal(res.body.checks.store, 'up');
      assert.equal(res.body.checks.consumer, 'down');
      assert.match(res.body.reasons.broker, /queue 'log-service' exists with other arguments: 'x-queue-type' differs/);
    } finally {
      await service.stop();
      await bus.close();
      await remove();
    }
  });
});
