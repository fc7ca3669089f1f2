// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', '.run/', 'coverage/', 'apps/console/dist/', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // process.env is read in exactly one place (libs/config), plus scripts and tests.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through AppConfig (libs/config).' },
      ],
    },
  },
  {
    files: ['libs/config/src/**', 'test/**', 'bench/**', 'apps/*/src/main.ts', 'apps/*/src/cli.ts', '**/*.spec.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
