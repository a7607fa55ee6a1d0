/** Every feature-store route lives under this prefix, the same through the gateway. */
export const FEATURE_STORE_API = 'api/v1/features';
