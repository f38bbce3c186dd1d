// Flat config: typescript-eslint's recommended rules, the ones that keep personal data out of logs, and the
// module boundaries of issue 12 (queries only in repositories; imports across modules are checked by
// dependency-cruiser, `.dependency-cruiser.js`).
const tseslint = require('typescript-eslint');
const zgoda = require('./eslint-rules');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/**', '*.js', 'eslint-rules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.repository.ts', 'src/database/**', 'src/**/*.spec.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { zgoda },
    rules: { 'zgoda/no-query-outside-repository': 'error' },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
