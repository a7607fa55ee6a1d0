import mongoose from 'mongoose';
import { DomainError } from './errors';
import { Projection, readModelSchema, ReadModelDocument } from './projection';
import { decodeCursor, encodeCursor, findPage, readModelOf } from './read-model-query';

const schema = readModelSchema('counted', { count: Number });
const projection: Projection<ReadModelDocument> = { name: 'counted', topic: 't', streamType: 'counted', evolve: () => ({}), schema, derivedCollections: ['counted_history'] };

describe('read-model queries', () => {
  // Never opened: what is checked here is decided before anything is sent.
  const connection = mongoose.createConnection();

  it('compile one Model per collection and connection, on the projection’s schema (a derived collection without one takes any field)', () => {
    const model = readModelOf(connection, projection);
    expect(readModelOf(connection, projection)).toBe(model);
    expect(model.schema).toBe(schema);
    expect(model.collection.collectionName).toBe('counted');
    expect(readModelOf(connection, projection, 'counted_history').schema.get('strict')).toBe(false);
    expect(() => readModelOf(connection, projection, 'elsewhere')).toThrow('has no derived collection elsewhere');
  });

  it('answer a filter value the schema cannot hold as invalid input, naming the field', async () => {
    const failure = await findPage(readModelOf(connection, projection), { count: 'many' }, { limit: 10 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ kind: 'invalid_input', details: [{ field: 'count', message: 'not a Number' }] });
  });

  it('read back the cursor they wrote, and refuse one they did not', () => {
    expect(decodeCursor(encodeCursor('thing:b'))).toBe('thing:b');
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(() => decodeCursor('not-a-cursor')).toThrow('cursor is not valid');
  });
});
