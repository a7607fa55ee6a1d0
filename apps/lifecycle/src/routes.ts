/** Every lifecycle route lives under this prefix, the same through the gateway. */
export const LIFECYCLE_API = 'api/v1/ml/lifecycle';
