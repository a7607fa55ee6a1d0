export const UPSTREAMS = Symbol('UPSTREAMS');
