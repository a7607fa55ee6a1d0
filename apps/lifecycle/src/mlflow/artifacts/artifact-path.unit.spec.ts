import { artifactPath, artifactUri, pathOfArtifactUri } from './artifact-path';

describe('artifact paths', () => {
  it('keeps relative paths and drops trailing slashes', () => {
    expect(artifactPath('1/abc/artifacts/model/MLmodel')).toBe('1/abc/artifacts/model/MLmodel');
    expect(artifactPath('1/abc/artifacts/')).toBe('1/abc/artifacts');
    expect(artifactPath('', { allowRoot: true })).toBe('');
  });

  it.each([
    ['a parent segment', '1/../../etc/passwd'],
    ['a bare parent', '..'],
    ['a current-directory segment', '1/./x'],
    ['an empty segment', '1//x'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash', '1\\..\\x'],
    ['a NUL', '1/x\u0000y'],
    ['the root where a file is needed', ''],
    ['an overlong path', 'a/'.repeat(600) + 'b'],
  ])('refuses %s (invalid input, INVALID_PARAMETER_VALUE for MLflow)', (_label, raw) => {
    expect(() => artifactPath(raw)).toThrow(expect.objectContaining({ kind: 'invalid_input' }));
  });

  it('maps mlflow-artifacts URIs to store paths and back', () => {
    expect(artifactUri('0/models/m-1/artifacts')).toBe('mlflow-artifacts:/0/models/m-1/artifacts');
    expect(pathOfArtifactUri('mlflow-artifacts:/0/models/m-1/artifacts')).toBe('0/models/m-1/artifacts');
    expect(pathOfArtifactUri('mlflow-artifacts://gateway:8080/0/r/artifacts')).toBe('0/r/artifacts');
    expect(pathOfArtifactUri('s3://bucket/x')).toBeNull();
    expect(() => pathOfArtifactUri('mlflow-artifacts:/0/../x')).toThrow(expect.objectContaining({ kind: 'invalid_input' }));
  });
});
