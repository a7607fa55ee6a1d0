import { declaredIndexes, derivedSchema, Projection, readModelSchema, ReadModelDocument } from './projection';

const base = { topic: 'things', streamType: 'thing', evolve: () => ({}) };

describe('read-model schemas', () => {
  it('declare the stream document with its string _id and version, and no __v', () => {
    const schema = readModelSchema('things', { name: String });
    expect(Object.keys(schema.paths).sort()).toEqual(['_id', 'name', 'version']);
    expect(schema.path('_id').instance).toBe('String');
    expect(schema.get('versionKey')).toBe(false);
    expect(schema.get('collection')).toBe('things');
    expect([schema.get('autoIndex'), schema.get('autoCreate')]).toEqual([false, false]);
  });

  it('give the runner the indexes of the read model and of its derived collections', () => {
    const schema = readModelSchema('things', { owner: String, tags: [String] });
    schema.index({ owner: 1, _id: 1 }, { name: 'owner_id' });
    schema.index({ tags: 1, _id: 1 }, { name: 'tags_id', unique: true });
    const history = derivedSchema('thing_history', { thing: String });
    history.index({ thing: 1, _id: 1 }, { name: 'thing_id' });
    const projection: Projection<ReadModelDocument> = {
      ...base,
      name: 'things',
      derivedCollections: ['thing_history', 'thing_counts'],
      schema,
      derivedSchemas: { thing_history: history },
    };
    expect(declaredIndexes(projection)).toEqual([
      { collection: 'things', key: { owner: 1, _id: 1 }, name: 'owner_id' },
      { collection: 'things', key: { tags: 1, _id: 1 }, name: 'tags_id', unique: true },
      { collection: 'thing_history', key: { thing: 1, _id: 1 }, name: 'thing_id' },
    ]);
  });

  it('refuse an unnamed index, a schema of another collection, and a schema for a collection the projection does not derive', () => {
    const unnamed = readModelSchema('things', { owner: String });
    unnamed.index({ owner: 1 });
    expect(() => declaredIndexes({ ...base, name: 'things', schema: unnamed })).toThrow('every read-model index is named');
    expect(() => declaredIndexes({ ...base, name: 'things', schema: readModelSchema('others', {}) })).toThrow('names others');
    expect(() => declaredIndexes({ ...base, name: 'things', derivedSchemas: { thing_history: derivedSchema('thing_history', {}) } })).toThrow(
      'not one of its derivedCollections',
    );
  });
});
