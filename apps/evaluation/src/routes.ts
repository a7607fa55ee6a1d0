/** Every evaluation route lives under this prefix, the same through the gateway. */
export const EVALUATION_API = 'api/v1/ml/evaluation';
