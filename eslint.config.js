// Lint rules shared by every package (STYLE.md §4, §10).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: true },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-params': ['error', 3],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'List public names explicitly (STYLE.md §4).' },
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (STYLE.md §4).' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: ['@sluice/*/src/*', '@sluice/*/dist/*', '@sluice/*/src', '@sluice/*/dist'] },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // @sluice/kafka loads kafkajs in one module, after the send grouping it installs (kafkajs.ts).
    files: ['packages/kafka/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/kafka/src/internal/kafkajs.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['@sluice/*/src/*', '@sluice/*/dist/*', '@sluice/*/src', '@sluice/*/dist'],
          paths: [
            {
              name: 'kafkajs',
              allowTypeImports: true,
              message: "Take kafkajs's values from internal/kafkajs.ts (it installs the send grouping before kafkajs loads).",
            },
          ],
        },
      ],
    },
  },
);
