/**
 * One rung of the cards-list ladder (`LADDER_STEP`): `GET /api/accounts/{account_id}/cards` answered
 * with the same page envelope as bank-service, each rung adding one layer of the service:
 *
 *   node-http   node:http + mysql2, the SQL of the repository's listCards (COUNT, then the page)
 *   express     Express 5 + mysql2, the same SQL (the baseline of every ratio)
 *   knex        + knex (the repository's listCards itself)
 *   validator   + express-openapi-validator on the bank spec (bearer accepted unchecked)
 *   jwt         + passport-jwt verifying the bearer token (HS256, iss/aud/exp)
 *   helmet      + helmet
 *   authz       + the two authorization reads of the pre-one-statement service (the principal with
 *                 its roles, then the account's owner), each its own round trip through knex
 *
 * Env: LADDER_STEP, and bank-service's own environment (DATABASE_URL, JWT_*). Prints `READY <port>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import * as OpenApiValidator from 'express-openapi-validator';
import mysql from 'mysql2/promise';
import { Passport } from 'passport';
import { bankApiSpecPath } from '@bank/bank-api';
import { createJwtKey } from '@bank/platform/auth';
import { pageEnvelope } from '@bank/platform/http';
import { loadBankConfig } from '../../bank-service/src/config.ts';
import { createDatabase, parseDatabaseUrl } from '../../bank-service/src/db/database.ts';
import { createJwtStrategy } from '../../bank-service/src/http/jwt-strategy.ts';
import { listCards } from '../../bank-service/src/repositories/cards-repository.ts';
import { loadAuthPrincipal, ownerUserIdOfAccount } from '../../bank-service/src/repositories/ownership-repository.ts';

const STEPS = ['node-http', 'express', 'knex', 'validator', 'jwt', 'helmet', 'authz'] as const;
type Step = (typeof STEPS)[number];
const step = process.env.LADDER_STEP as Step;
if (!STEPS.includes(step)) {
  console.error(`LADDER_STEP must be one of ${STEPS.join(', ')}`);
  process.exit(2);
}
const rung = (name: Step): boolean => STEPS.indexOf(step) >= STEPS.indexOf(name);

const config = loadBankConfig(process.env);
const target = parseDatabaseUrl(config.DATABASE_URL);
if (target.engine !== 'mysql') throw new Error('the ladder runs on MariaDB');
const pool = mysql.createPool({ ...target, timezone: 'Z', charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: false, dateStrings: true, connectionLimit: 10 });
const db = createDatabase(config.DATABASE_URL);
const PAGE = { page_number: 1, page_size: 5 };

/** listCards' SQL (account filter, first page) on mysql2: the COUNT, then the page. */
async function cardsPageSql(accountId: number): Promise<unknown> {
  const [counted] = await pool.query('select count(*) as `total` from `cards` where `account_id` = ? limit 1', [accountId]);
  const total = Number((counted as Array<{ total: unknown }>)[0]?.total ?? 0);
  const [rows] =
    total === 0
      ? [[]]
      : await pool.query('select `id`, `account_id`, `balance` from `cards` where `account_id` = ? order by `id` asc limit ?', [accountId, PAGE.page_size]);
  return pageEnvelope(`/api/accounts/${accountId}/cards`, PAGE, total, rows as unknown[]);
}

async function cardsPageKnex(accountId: number): Promise<unknown> {
  const page = await listCards(db, { page: PAGE.page_number, pageSize: PAGE.page_size }, { account_id: accountId });
  return pageEnvelope(`/api/accounts/${accountId}/cards`, PAGE, page.total, page.rows);
}

function listen(server: ReturnType<typeof createServer>): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void Promise.all([pool.end(), db.destroy()]).then(() => process.exit(0));
  });
}

if (step === 'node-http') {
  const route = /^\/api\/accounts\/(\d+)\/cards$/;
  listen(
    createServer((req: IncomingMessage, res: ServerResponse) => {
      const match = route.exec(req.url ?? '');
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      cardsPageSql(Number(match[1])).then(
        (body) => res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body)),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    }),
  );
} else {
  const app = express();
  app.disable('x-powered-by');
  if (rung('helmet')) app.use(helmet());
  if (rung('validator')) {
    const jwtKey = createJwtKey(config.JWT_SECRET_KEY);
    const passport = new Passport();
    passport.use('ladder-jwt', createJwtStrategy(jwtKey, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, (claims) => ({ claims })));
    const verify = (req: Request): Promise<boolean> =>
      new Promise((resolve) => {
        const middleware = passport.authenticate('ladder-jwt', { session: false }, (_err: unknown, user: unknown) => resolve(Boolean(user))) as (
          req: Request,
          res: unknown,
          next: () => void,
        ) => void;
        middleware(req, req.res, () => resolve(false));
      });
    app.use(express.json());
    app.use(
      OpenApiValidator.middleware({
        apiSpec: bankApiSpecPath,
        validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false },
        validateResponses: false,
        validateSecurity: { handlers: { bearerAuth: async (req: Request) => (rung('jwt') ? verify(req) : true) } },
      }),
    );
  }
  app.get('/api/accounts/:account_id/cards', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const accountId = Number(req.params.account_id);
      if (rung('authz')) {
        const token = (req.get('authorization') ?? '').split('.')[1] ?? '';
        const sub = Number((JSON.parse(Buffer.from(token, 'base64url').toString()) as { sub: string }).sub);
        const principal = await loadAuthPrincipal(db, sub);
        const owner = await ownerUserIdOfAccount(db, accountId);
        if (principal === null || owner === null) return void res.status(404).json({ msg: 'not found' });
      }
      res.json(rung('knex') ? await cardsPageKnex(accountId) : await cardsPageSql(accountId));
    } catch (err) {
      next(err);
    }
  });
  listen(createServer(app));
}
