import { invalidInput } from '@mlops/event-sourcing';

// Domain errors: MLflow callers see INVALID_PARAMETER_VALUE, our REST API's 400.
const mlflowInvalid = (message: string) => invalidInput(message);

const MAX_PATH_LENGTH = 1024;

/**
 * An artifact path as the artifact proxy takes it (`<experiment>/<run>/artifacts/model/MLmodel`):
 * relative, `/`-separated, no empty, `.` or `..` segment, no backslash or control character, so no
 * store key or file name built from it can leave the artifact root. '' is the root (listing only).
 */
export function artifactPath(raw: string, { allowRoot = false } = {}): string {
  const path = raw.replace(/\/+$/, '');
  if (path === '') {
    if (allowRoot) return '';
    throw mlflowInvalid('An artifact path is required');
  }
  if (path.length > MAX_PATH_LENGTH) throw mlflowInvalid(`Artifact path longer than ${MAX_PATH_LENGTH} characters`);
  if (/[\\\u0000-\u001f\u007f]/.test(path)) throw mlflowInvalid(`Invalid artifact path ${JSON.stringify(raw)}: backslashes and control characters are not allowed`);
  if (path.startsWith('/')) throw mlflowInvalid(`Invalid artifact path ${JSON.stringify(raw)}: it must be relative`);
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw mlflowInvalid(`Invalid artifact path ${JSON.stringify(raw)}: empty, '.' and '..' segments are not allowed`);
  }
  return path;
}

/** The `mlflow-artifacts:` URI of a path: what runs and logged models get as their artifact location. */
export const artifactUri = (path: string) => `mlflow-artifacts:/${path}`;

/** The path inside the artifact store of an `mlflow-artifacts:` URI, or null for any other URI. */
export function pathOfArtifactUri(uri: string): string | null {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/+(.*)$/.exec(uri);
  return match ? artifactPath(match[1], { allowRoot: true }) : null;
}
