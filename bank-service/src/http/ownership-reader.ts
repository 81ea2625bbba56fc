import type { Db } from '../db/database.ts';
import { toNumber } from '../db/row-values.ts';
import { ownerUserIdOfAccount, ownerUserIdOfCard, ownerUserIdOfClient } from '../repositories/ownership-repository.ts';
import type { OwnedTarget } from './policy-table.ts';

/** The users owning a row (a transfer has two: the owners of both cards); null when it does not exist. */
export type OwnerLookup = (kind: OwnedTarget['kind'], id: number) => Promise<number[] | null>;

const asList = (owner: number | null): number[] | null => (owner === null ? null : [owner]);

/** Reads ownership from the database on every request (so no re-login is needed after a change). */
export function createOwnershipReader(db: Db): OwnerLookup {
  return async (kind, id) => {
    switch (kind) {
      case 'user': {
        const row = (await db('users').where({ id }).first('id')) as { id: unknown } | undefined;
        return row === undefined ? null : [toNumber(row.id)];
      }
      case 'client':
        return asList(await ownerUserIdOfClient(db, id));
      case 'account':
        return asList(await ownerUserIdOfAccount(db, id));
      case 'card':
        return asList(await ownerUserIdOfCard(db, id));
      case 'transfer': {
        const row = (await db('transfers').where({ id }).first('from_card_id', 'to_card_id')) as
          | { from_card_id: unknown; to_card_id: unknown }
          | undefined;
        if (row === undefined) return null;
        const owners = await Promise.all([ownerUserIdOfCard(db, toNumber(row.from_card_id)), ownerUserIdOfCard(db, toNumber(row.to_card_id))]);
        return owners.filter((owner): owner is number => owner !== null);
      }
    }
  };
}
