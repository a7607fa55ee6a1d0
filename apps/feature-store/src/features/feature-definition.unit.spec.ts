import { FeatureDefinition, FeatureSchema, FeatureValueType } from '@mlops/events';
import { compatibility, definitionErrors, holdsDuckDbType, sameDefinition, sourceErrors, typeReadable } from './feature-definition';

const schema = (overrides: Partial<FeatureSchema> = {}): FeatureSchema => ({ nullable: true, min: null, max: null, allowed_values: null, ...overrides });
const def = (value_type: FeatureValueType, overrides: Partial<FeatureSchema> = {}): FeatureDefinition => ({
  value_type,
  schema: schema(overrides),
  source: { kind: 'column', dataset_id: 'trips', column: 'fare' },
});

describe('type compatibility', () => {
  it.each<[FeatureValueType, FeatureValueType]>([
    ['int32', 'int64'],
    ['int32', 'double'],
    ['int64', 'double'],
    ['float', 'double'],
    ['string', 'bytes'],
    ['int64', 'list<int64>'],
    ['list<int32>', 'list<int64>'],
    ['timestamp', 'timestamp'],
  ])('reads %s as %s (widening)', (from, to) => {
    expect(typeReadable(from, to)).toBe(true);
    expect(compatibility(def(from), def(to))).toEqual({ backward_compatible: true, breaking_changes: [] });
  });

  it.each<[FeatureValueType, FeatureValueType]>([
    ['int64', 'int32'],
    ['double', 'float'],
    ['double', 'int64'],
    ['list<int64>', 'int64'],
    ['list<int64>', 'list<int32>'],
    ['string', 'int64'],
    ['bytes', 'string'],
    ['bool', 'int32'],
    ['timestamp', 'string'],
  ])('does not read %s as %s (narrowing or unrelated)', (from, to) => {
    expect(typeReadable(from, to)).toBe(false);
    const result = compatibility(def(from), def(to));
    expect(result.backward_compatible).toBe(false);
    expect(result.breaking_changes).toEqual([expect.stringContaining(`value_type ${from} → ${to}`)]);
  });
});

describe('schema compatibility', () => {
  const breaking = (before: Partial<FeatureSchema>, after: Partial<FeatureSchema>) =>
    compatibility(def('double', before), def('double', after)).breaking_changes;

  it('breaks when null values are no longer allowed, not when they become allowed', () => {
    expect(breaking({ nullable: true }, { nullable: false })).toEqual([expect.stringMatching(/^nullable/)]);
    expect(breaking({ nullable: false }, { nullable: true })).toEqual([]);
  });

  it('breaks on tighter bounds, not on looser or removed ones', () => {
    expect(breaking({ min: 0 }, { min: 1 })).toEqual([expect.stringMatching(/^min 0 → 1/)]);
    expect(breaking({}, { max: 10 })).toEqual([expect.stringMatching(/^max none → 10/)]);
    expect(breaking({ max: 10 }, { max: 9.5 })).toHaveLength(1);
    expect(breaking({ min: 1, max: 9 }, { min: 0, max: 10 })).toEqual([]);
    expect(breaking({ min: 1, max: 9 }, {})).toEqual([]);
  });

  it('breaks on removed or newly introduced allowed values, not on added ones', () => {
    const text = (before: FeatureSchema['allowed_values'], after: FeatureSchema['allowed_values']) =>
      compatibility(def('string', { allowed_values: before }), def('string', { allowed_values: after })).breaking_changes;
    expect(text(['a', 'b'], ['a', 'b', 'c'])).toEqual([]);
    expect(text(['a', 'b'], ['b'])).toEqual(['allowed values removed: "a"']);
    expect(text(null, ['a'])).toEqual([expect.stringMatching(/^allowed_values introduced/)]);
    expect(text(['a'], null)).toEqual([]);
  });

  it('lists every breaking change at once', () => {
    const result = compatibility(def('int64', { nullable: true, min: 0 }), def('int32', { nullable: false, min: 5 }));
    expect(result.backward_compatible).toBe(false);
    expect(result.breaking_changes).toHaveLength(3);
  });

  it('does not count a changed source as breaking', () => {
    const moved: FeatureDefinition = { ...def('double'), source: { kind: 'sql', dataset_id: 'trips', expression: 'fare * 1.0' } };
    expect(compatibility(def('double'), moved).backward_compatible).toBe(true);
    expect(sameDefinition(def('double'), moved)).toBe(false);
  });
});

describe('definition checks', () => {
  it('compares allowed values as a set', () => {
    expect(sameDefinition(def('string', { allowed_values: ['a', 'b'] }), def('string', { allowed_values: ['b', 'a'] }))).toBe(true);
    expect(sameDefinition(def('string'), def('string', { nullable: false }))).toBe(false);
  });

  it('accepts constraints that fit the value type', () => {
    expect(definitionErrors(def('int32', { min: 0, max: 10, allowed_values: [1, 2] }))).toEqual([]);
    expect(definitionErrors(def('list<string>', { allowed_values: ['x'] }))).toEqual([]);
    expect(definitionErrors(def('timestamp', { allowed_values: ['2026-01-01T00:00:00Z'] }))).toEqual([]);
  });

  it('rejects bounds on text, min above max, and allowed values of another type', () => {
    expect(definitionErrors(def('string', { min: 0 }))).toEqual([expect.objectContaining({ field: 'schema' })]);
    expect(definitionErrors(def('double', { min: 2, max: 1 }))).toEqual([expect.objectContaining({ field: 'schema.min' })]);
    expect(definitionErrors(def('int32', { allowed_values: [1.5, 2 ** 31] }))[0].message).toMatch(/1\.5, 2147483648/);
    expect(definitionErrors(def('bool', { allowed_values: ['true'] }))).toHaveLength(1);
    expect(definitionErrors(def('timestamp', { allowed_values: ['yesterday'] }))).toHaveLength(1);
  });

  it('needs a registered dataset, and for a column source a column it has, of a type the feature can hold', () => {
    const columns = [{ column: 'fare', type: 'DOUBLE' }];
    const sourced = (value_type: FeatureValueType, source: FeatureDefinition['source']) => ({ ...def(value_type), source });
    expect(sourceErrors(sourced('double', { kind: 'column', dataset_id: 'trips', column: 'fare' }), columns)).toEqual([]);
    expect(sourceErrors(sourced('double', { kind: 'column', dataset_id: 'trips', column: 'tip' }), columns)[0].message).toMatch(/column "tip" does not exist/);
    expect(sourceErrors(sourced('int32', { kind: 'sql', dataset_id: 'trips', expression: 'tip' }), columns)).toEqual([]);
    expect(sourceErrors(sourced('double', { kind: 'column', dataset_id: 'trips', column: 'fare' }), null)[0].message).toMatch(/not registered/);
    expect(sourceErrors(sourced('int64', { kind: 'column', dataset_id: 'trips', column: 'fare' }), columns)).toEqual([
      { field: 'source.column', message: 'a int64 feature cannot hold the source\'s DuckDB type DOUBLE' },
    ]);
  });

  it.each([
    ['int32', 'INTEGER', true],
    ['int32', 'BIGINT', false],
    ['int64', 'BIGINT', true],
    ['int64', 'UBIGINT', false],
    ['int64', 'DOUBLE', false],
    ['float', 'DOUBLE', false],
    ['float', 'DECIMAL(21,1)', true],
    ['double', 'FLOAT', true],
    ['double', 'INTEGER', true],
    ['double', 'VARCHAR', false],
    ['string', 'VARCHAR', true],
    ["string", "ENUM('a', 'b')", true],
    ['string', 'INTEGER', false],
    ['bool', 'BOOLEAN', true],
    ['bytes', 'BLOB', true],
    ['timestamp', 'TIMESTAMP WITH TIME ZONE', true],
    ['timestamp', 'DATE', true],
    ['timestamp', 'VARCHAR', false],
    ['list<int64>', 'INTEGER[]', true],
    ['list<string>', 'VARCHAR[3]', true],
    ['list<int32>', 'BIGINT[]', false],
    ['list<string>', 'VARCHAR', false],
    ['string', 'VARCHAR[]', false],
  ] as [FeatureValueType, string, boolean][])('a %s feature over DuckDB %s: %s', (valueType, duckdbType, holds) => {
    expect(holdsDuckDbType(valueType, duckdbType)).toBe(holds);
  });
});
