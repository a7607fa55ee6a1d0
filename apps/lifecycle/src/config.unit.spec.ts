import { loadConfig, serviceConfigSchema, withDefaults } from '@mlops/platform';
import { lifecycleConfigSchema } from './config';

const load = (env: Record<string, string>) =>
  loadConfig(serviceConfigSchema.extend(lifecycleConfigSchema.shape), withDefaults({ PORT: '3002', MONGO_DB: 'mlops_lifecycle' }, env), 'lifecycle');

describe('lifecycle configuration', () => {
  it('parses the model release checklist and rejects a malformed one', () => {
    expect(load({}).MODEL_CHECKLIST).toEqual([
      { key: 'evaluation_passed', required: true },
      { key: 'bias_review', required: true },
      { key: 'security_review', required: true },
      { key: 'owner_signoff', required: false },
    ]);
    expect(load({ MODEL_CHECKLIST: 'legal:optional' }).MODEL_CHECKLIST).toEqual([{ key: 'legal', required: false }]);
    expect(() => load({ MODEL_CHECKLIST: 'legal:maybe' })).toThrow(/MODEL_CHECKLIST/);
    expect(() => load({ MODEL_CHECKLIST: 'a:required,a:optional' })).toThrow(/MODEL_CHECKLIST/);
  });
});
