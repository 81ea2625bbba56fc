/**
 * Baseline of the cards-list benchmark: a bare Express 5 route that runs the same SQL as
 * bank-service's `GET /api/accounts/{id}/cards` (the repository's `listCards` with the account
 * filter, as the handler calls it: a COUNT and a page query through knex/mysql2, same pool) and returns
 * the same page envelope — no validation, no authentication, no policy, no helmet.
 *
 * Env: DATABASE_URL. Prints `READY <port>` once listening on 127.0.0.1.
 */
import { createServer } from 'node:http';
import express from 'express';
import { pageEnvelope } from '@bank/platform/http';
import { createDatabase } from '../../bank-service/src/db/database.ts';
import { listCards } from '../../bank-service/src/repositories/cards-repository.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}

const db = createDatabase(databaseUrl);
const app = express();
app.get('/api/accounts/:account_id/cards', async (req, res) => {
  try {
    const accountId = Number(req.params.account_id);
    const query = { page_number: 1, page_size: 5 };
    const page = await listCards(db, { page: query.page_number, pageSize: query.page_size }, { account_id: accountId });
    res.json(pageEnvelope(`/api/accounts/${accountId}/cards`, query, page.total, page.rows));
  } catch (err) {
    res.status(500).json({ msg: String(err) });
  }
});

const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => {
  server.close();
  void db.destroy().then(() => process.exit(0));
});
