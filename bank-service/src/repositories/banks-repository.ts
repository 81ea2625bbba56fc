import { namedEntityRepository, type NamedEntity, type NamedEntityFilters, type NamedEntityInput } from './named-entity-repository.ts';

export type Bank = NamedEntity;
export type BankInput = NamedEntityInput;
export type BankFilters = NamedEntityFilters;

const repository = namedEntityRepository('banks', 'bank', 'this bank still has branches or accounts');

export const createBank = repository.create;
export const findBank = repository.find;
export const getBank = repository.get;
export const findBankByName = repository.findByName;
export const listBanks = repository.list;
export const updateBank = repository.update;
/** Deletes and returns the row; Conflict (nothing deleted) while others reference it. */
export const deleteBank = repository.remove;
