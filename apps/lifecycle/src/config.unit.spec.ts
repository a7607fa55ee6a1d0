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

  it('validates the MLflow artifact store settings', () => {
    const config = load({});
    expect(config.MLFLOW_ARTIFACT_ROOT).toMatch(/\/data\/mlflow-artifacts$/);
    expect(config.MLFLOW_ARTIFACT_S3_BUCKET).toBeUndefined();
    expect(load({ MLFLOW_ARTIFACT_S3_BUCKET: 'ml-artifacts', MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ MLFLOW_ARTIFACT_S3_BUCKET: 'ml-artifacts', MLFLOW_ARTIFACT_S3_FORCE_PATH_STYLE: true });
    expect(() => load({ MLFLOW_ARTIFACT_ROOT: '/' })).toThrow(/MLFLOW_ARTIFACT_ROOT/);
    expect(() => load({ MLFLOW_ARTIFACT_ROOT: __filename })).toThrow(/MLFLOW_ARTIFACT_ROOT/);
    expect(() => load({ MLFLOW_ARTIFACT_MAX_BYTES: '0' })).toThrow(/MLFLOW_ARTIFACT_MAX_BYTES/);
    expect(() => load({ MLFLOW_ARTIFACT_S3_BUCKET: 'Not_A_Bucket' })).toThrow(/MLFLOW_ARTIFACT_S3_BUCKET/);
    expect(() => load({ MLFLOW_ARTIFACT_S3_PREFIX: '/abs/' })).toThrow(/MLFLOW_ARTIFACT_S3_PREFIX/);
  });
});
