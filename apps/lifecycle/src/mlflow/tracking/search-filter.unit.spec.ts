import { MlflowError } from '../mlflow-errors';
import { compareBy, EXPERIMENT_SEARCH, likePattern, parseFilter, parseOrderBy, satisfies } from './search-filter';

const invalid = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof MlflowError ? error.code : error;
  }
  return 'no error';
};

describe("MLflow's search filter language", () => {
  it('parses comparisons joined by AND, over every entity and its aliases', () => {
    expect(
      parseFilter(`metrics.acc > 0.9 AND params.lr = '0.1' and tag."mlflow.runName" LIKE 'x%' AND attributes.status IN ('FINISHED', 'RUNNING')`),
    ).toEqual([
      { entity: 'metric', key: 'acc', op: '>', value: 0.9 },
      { entity: 'param', key: 'lr', op: '=', value: '0.1' },
      { entity: 'tag', key: 'mlflow.runName', op: 'LIKE', value: 'x%' },
      { entity: 'attribute', key: 'status', op: 'IN', value: ['FINISHED', 'RUNNING'] },
    ]);
    expect(parseFilter('run_name != "a b" AND metric.`my metric` <= -1e3 AND tags.t IS NOT NULL AND parameter.p NOT IN (\'x\')')).toEqual([
      { entity: 'attribute', key: 'run_name', op: '!=', value: 'a b' },
      { entity: 'metric', key: 'my metric', op: '<=', value: -1000 },
      { entity: 'tag', key: 't', op: 'IS NOT NULL' },
      { entity: 'param', key: 'p', op: 'NOT IN', value: ['x'] },
    ]);
    expect(parseFilter(`tags.note = 'it''s'`)).toEqual([{ entity: 'tag', key: 'note', op: '=', value: "it's" }]);
    expect(parseFilter('tags.mlflow.source.type = "LOCAL"')).toEqual([{ entity: 'tag', key: 'mlflow.source.type', op: '=', value: 'LOCAL' }]);
  });

  it('reads an empty or blank filter as no condition', () => {
    expect(parseFilter(undefined)).toEqual([]);
    expect(parseFilter('   ')).toEqual([]);
  });

  it.each([
    ['a syntax error', 'metrics.acc >'],
    ['OR, which MLflow does not support', "params.a = '1' OR params.b = '2'"],
    ['a string compared with a metric', "metrics.acc > 'high'"],
    ['a number compared with a param', 'params.lr = 0.1'],
    ['LIKE on a metric', "metrics.acc LIKE '1%'"],
    ['> on a tag', "tags.t > 'a'"],
    ['an unknown attribute', "attributes.colour = 'red'"],
    ['a number compared with start_time as a string', "attributes.start_time > '1'"],
  ])('refuses %s with INVALID_PARAMETER_VALUE', (_label, filter) => {
    expect(invalid(() => parseFilter(filter))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('checks what an experiment search accepts: name, times and tags, no metrics', () => {
    expect(parseFilter("name LIKE 'churn-%' AND tags.team = 'risk'", EXPERIMENT_SEARCH)).toHaveLength(2);
    expect(invalid(() => parseFilter('metrics.acc > 1', EXPERIMENT_SEARCH))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('parses order_by clauses: ascending unless DESC', () => {
    expect(parseOrderBy('metrics.acc DESC')).toEqual({ entity: 'metric', key: 'acc', ascending: false });
    expect(parseOrderBy('attributes.start_time')).toEqual({ entity: 'attribute', key: 'start_time', ascending: true });
    expect(parseOrderBy('params.`learning rate` asc')).toEqual({ entity: 'param', key: 'learning rate', ascending: true });
    expect(invalid(() => parseOrderBy('metrics.acc SIDEWAYS'))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('compares as SQL does: LIKE patterns, ILIKE ignoring case, missing values only for IS NULL', () => {
    expect(likePattern('a_c%', false).test('abcdef')).toBe(true);
    expect(likePattern('a.c', false).test('abc')).toBe(false);
    expect(satisfies('Alpha', { entity: 'tag', key: 't', op: 'ILIKE', value: 'alp%' })).toBe(true);
    expect(satisfies('Alpha', { entity: 'tag', key: 't', op: 'LIKE', value: 'alp%' })).toBe(false);
    expect(satisfies(undefined, { entity: 'metric', key: 'm', op: '!=', value: 1 })).toBe(false);
    expect(satisfies(undefined, { entity: 'tag', key: 't', op: 'IS NULL' })).toBe(true);
    expect(satisfies(0.95, { entity: 'metric', key: 'm', op: '>', value: 0.9 })).toBe(true);
    expect(satisfies('b', { entity: 'param', key: 'p', op: 'NOT IN', value: ['a', 'c'] })).toBe(true);
  });

  it('orders by each clause in turn, missing values last in both directions, then by the tiebreak', () => {
    const items: { id: string; m?: number }[] = [
      { id: 'a', m: 2 },
      { id: 'b', m: undefined },
      { id: 'c', m: 5 },
      { id: 'd', m: 2 },
    ];
    const byId = (x: (typeof items)[number], y: (typeof items)[number]) => (x.id < y.id ? -1 : 1);
    const sorted = (ascending: boolean) =>
      [...items].sort(compareBy([{ entity: 'metric', key: 'm', ascending }], (item) => item.m, byId)).map((item) => item.id);
    expect(sorted(true)).toEqual(['a', 'd', 'c', 'b']);
    expect(sorted(false)).toEqual(['c', 'a', 'd', 'b']);
  });
});
