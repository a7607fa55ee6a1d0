// One config, layers chosen by file name: *.unit.spec.ts (pure), *.int.spec.ts (real broker and
// store), *.e2e.spec.ts (through the gateway), *.outage.spec.ts, *.contract.spec.ts (tools/test.sh runs all).
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  // NestJS ships ES modules; transform them so jest's CommonJS runtime can load them.
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|file-type|strtok3|token-types|peek-readable|jose)/)'],
  moduleNameMapper: {
    '^@mlops/(assertions|client|events|event-sourcing|platform|testing)$': '<rootDir>/libs/$1/src/index.ts',
  },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/bench'],
};

// Real servers for int and e2e: containers where a Docker engine is found, else tools/infra.sh's
// (libs/testing/src/test-infra-mode.ts decides).
const realServers = {
  // Removes each file's private topics and databases once the file is done.
  testEnvironment: '<rootDir>/libs/testing/src/isolated-environment.ts',
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // Integration and e2e tests talk to real servers; the bound is generous, never a performance assertion.
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    { ...shared, ...realServers, displayName: 'int', testMatch: ['**/*.int.spec.ts'] },
    { ...shared, ...realServers, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'] },
    // Store and broker outages (a minute or two each, own processes): `npm run test:outages`.
    { ...shared, ...realServers, displayName: 'outage', testMatch: ['**/*.outage.spec.ts'] },
    // schemathesis over the merged document, against the whole platform: `npm run test:contract`.
    { ...shared, ...realServers, displayName: 'contract', testMatch: ['**/*.contract.spec.ts'] },
  ],
};

