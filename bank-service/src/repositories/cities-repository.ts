import { namedEntityRepository, type NamedEntity, type NamedEntityFilters, type NamedEntityInput } from './named-entity-repository.ts';

export type City = NamedEntity;
export type CityInput = NamedEntityInput;
export type CityFilters = NamedEntityFilters;

const repository = namedEntityRepository('cities', 'city', 'this city still has branches');

export const createCity = repository.create;
export const findCity = repository.find;
export const getCity = repository.get;
export const findCityByName = repository.findByName;
export const listCities = repository.list;
export const updateCity = repository.update;
/** Deletes and returns the row; Conflict (nothing deleted) while others reference it. */
export const deleteCity = repository.remove;
