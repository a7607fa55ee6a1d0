import { filterFrom } from './list-filter';

interface ListQuery {
  owner?: string;
  tag?: string;
  status?: string;
  model_version?: number;
  limit: number;
}

describe('filterFrom', () => {
  it('matches each set parameter on the field it maps to, renamed where the document calls it otherwise', () => {
    const query: ListQuery = { owner: 'ana', tag: 'churn', status: 'active', model_version: 3, limit: 20 };
    expect(filterFrom(query, { owner: 'owner', tag: 'tags', model_version: 'model_version' })).toEqual({ owner: 'ana', tags: 'churn', model_version: 3 });
  });

  it('leaves out parameters that are absent, empty or zero, and any the mapping does not name', () => {
    const query: ListQuery = { owner: '', status: undefined, model_version: 0, tag: 'churn', limit: 20 };
    expect(filterFrom(query, { owner: 'owner', status: 'status', model_version: 'model_version' })).toEqual({});
  });

  it('returns a fresh filter each time, for the caller to add its ranges to', () => {
    const query: ListQuery = { status: 'active', limit: 20 };
    const first = filterFrom(query, { status: 'status' });
    first.detected_at = { $gte: 'a' };
    expect(filterFrom(query, { status: 'status' })).toEqual({ status: 'active' });
  });
});
