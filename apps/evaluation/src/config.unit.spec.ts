import { loadConfig, serviceConfigSchema, withDefaults } from '@mlops/platform';
import { EVALUATION_DEFAULTS, evaluationConfigSchema } from './config';

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema.extend(evaluationConfigSchema.shape), withDefaults({ PORT: '3003', MONGO_DB: 'mlops_evaluation', ...EVALUATION_DEFAULTS }, env), 'evaluation');

describe('evaluation configuration', () => {
  it('gives the service a 64mb body limit and its own defaults, overridable by the environment', () => {
    expect(load({})).toMatchObject({ BODY_LIMIT: '64mb', EVALUATION_DATA_ROOT: './data', EVALUATION_MAX_CASES: 100_000, EVALUATION_ERROR_ANALYSIS_LIMIT: 20 });
    expect(load({ BODY_LIMIT: '128mb', EVALUATION_MAX_CASES: '500', EVALUATION_DATA_ROOT: '/data' })).toMatchObject({ BODY_LIMIT: '128mb', EVALUATION_MAX_CASES: 500, EVALUATION_DATA_ROOT: '/data' });
  });

  it('rejects bad values by name', () => {
    expect(() => load({ EVALUATION_MAX_CASES: '0' })).toThrow(/EVALUATION_MAX_CASES/);
    expect(() => load({ EVALUATION_ERROR_ANALYSIS_LIMIT: 'many' })).toThrow(/EVALUATION_ERROR_ANALYSIS_LIMIT/);
  });
});
