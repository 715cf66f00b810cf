import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.data', 'tmp', 'coverage'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            // Apps talk to each other over HTTP only; shared code lives in libs.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:platform', 'type:registry'] },
            // Shared libs know no platform: what differs per platform lives in its module under libs/platforms.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            // A platform module uses the shared libs, never another platform module and never an app.
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:lib'] },
            // The registry (libs/platforms/registry) is the one place that lists the platform modules.
            { sourceTag: 'type:registry', onlyDependOnLibsWithTags: ['type:lib', 'type:platform'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:platform', 'type:registry'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:platform', 'type:registry'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
