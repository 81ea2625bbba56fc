import { namedEntityRepository, type NamedEntity, type NamedEntityFilters, type NamedEntityInput } from './named-entity-repository.ts';

export type SocialStatus = NamedEntity;
export type SocialStatusInput = NamedEntityInput;
export type SocialStatusFilters = NamedEntityFilters;

const repository = namedEntityRepository('social_statuses', 'social status', 'this social status is still assigned to clients');

export const createSocialStatus = repository.create;
export const findSocialStatus = repository.find;
export const getSocialStatus = repository.get;
export const findSocialStatusByName = repository.findByName;
export const listSocialStatuses = repository.list;
export const updateSocialStatus = repository.update;
/** Deletes and returns the row; Conflict (nothing deleted) while others reference it. */
export const deleteSocialStatus = repository.remove;
