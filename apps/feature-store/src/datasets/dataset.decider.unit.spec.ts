import { DatasetEvent, DatasetProfileData, DatasetRegisteredData } from '@mlops/events';
import { DomainError } from '@mlops/event-sourcing';
import { DatasetCommand, datasetDecider } from './dataset.decider';
import { diffSchema } from './schema-diff';
import { DeciderSpecification } from '@mlops/testing';

const measured = (schema: DatasetProfileData['schema'], row_count = 3): DatasetProfileData => ({
  schema,
  row_count,
  size_bytes: 120,
  content_sha256: 'a'.repeat(64),
  profile: schema.map(({ column, type }) => ({ column, type, null_count: 0, approx_distinct: row_count, min: null, max: null, mean: null, stddev: null })),
});

const registration: DatasetRegisteredData = {
  id: 'trips',
  name: 'trips',
  description: '',
  source_type: 'parquet',
  path: 'raw/trips.parquet',
  table_name: null,
  tags: ['taxi'],
  ...measured([
    { column: 'id', type: 'BIGINT' },
    { column: 'fare', type: 'DOUBLE' },
    { column: 'zone', type: 'VARCHAR' },
  ]),
};
const registered: DatasetEvent = { type: 'DatasetRegistered', data: registration };

const { given } = DeciderSpecification.for(datasetDecider);

const refresh = (data: DatasetProfileData): DatasetCommand => ({ type: 'RefreshDataset', data: { id: 'trips', measured: data } });

describe('dataset decider', () => {
  it('registers a dataset that does not exist yet', () => {
    given().when({ type: 'RegisterDataset', data: registration }).then([registered]);
  });

  it('refuses a second registration under the same id', () => {
    const attempt = () => given(registered).when({ type: 'RegisterDataset', data: registration }).events();
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/already exists/);
  });

  it('refuses to refresh an unknown dataset', () => {
    given().when(refresh(measured([]))).thenThrows(/does not exist/);
  });

  it('records a refresh with an unchanged schema as a profile only', () => {
    const again = measured(registration.schema, 10);
    given(registered).when(refresh(again)).then([{ type: 'DatasetProfiled', data: { id: 'trips', ...again } }]);
  });

  it('records added, removed and retyped columns before the new profile', () => {
    const schema = [
      { column: 'id', type: 'BIGINT' },
      { column: 'fare', type: 'DECIMAL(10,2)' },
      { column: 'tip', type: 'DOUBLE' },
    ];
    given(registered).when(refresh(measured(schema))).then([
      {
        type: 'DatasetSchemaChanged',
        data: {
          id: 'trips',
          added: [{ column: 'tip', type: 'DOUBLE' }],
          removed: [{ column: 'zone', type: 'VARCHAR' }],
          retyped: [{ column: 'fare', from: 'DOUBLE', to: 'DECIMAL(10,2)' }],
          schema,
        },
      },
      { type: 'DatasetProfiled', data: { id: 'trips', ...measured(schema) } },
    ]);
  });

  it('compares the next refresh with the schema the last one found', () => {
    const schema = [{ column: 'id', type: 'BIGINT' }];
    const changed: DatasetEvent[] = given(registered).when(refresh(measured(schema))).events();
    expect(given(registered, ...changed).when(refresh(measured(schema))).events()).toHaveLength(1);
  });
});

describe('schema diff', () => {
  it('ignores column order and reports nothing for equal schemas', () => {
    const a = [
      { column: 'x', type: 'INTEGER' },
      { column: 'y', type: 'VARCHAR' },
    ];
    expect(diffSchema(a, [...a].reverse())).toEqual({ added: [], removed: [], retyped: [] });
  });

  it('treats column names as data, including dots and dollars', () => {
    expect(diffSchema([{ column: 'a.b', type: 'INTEGER' }], [{ column: '$c', type: 'INTEGER' }])).toEqual({
      added: [{ column: '$c', type: 'INTEGER' }],
      removed: [{ column: 'a.b', type: 'INTEGER' }],
      retyped: [],
    });
  });
});
