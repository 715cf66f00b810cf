// One Jest run for the whole workspace: one global setup provides PostgreSQL (embedded, or DATABASE_URL's
// server) and each test file gets a database of its own, so workers run in parallel.
const { readFileSync } = require('node:fs');
const { compilerOptions } = require('./tsconfig.base.json');

const swcOptions = { ...JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8')), swcrc: false };
delete swcOptions.$schema;
// Path aliases are rewritten at compile time too, because the global setup is loaded by plain `require`.
swcOptions.jsc = { ...swcOptions.jsc, baseUrl: __dirname, paths: compilerOptions.paths };

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: Object.fromEntries(
    Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
  ),
  testMatch: ['<rootDir>/{apps,libs,tools,e2e}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  testTimeout: 30000,
};
