// Lint rules. Besides the recommended sets, the import boundaries of the architecture are enforced here:
// the numeric core, the io layer, the layout module and the shared contract types stay pure (no React, no
// app code, no workers, no DOM-only libraries); the worker entry points and the engine never import the UI
// (src/app); and the UI never imports TensorFlow.js (all heavy work happens in the workers).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const pureLayerRestrictions = {
  patterns: [
    {
      group: ['**/app/**', 'react', 'react-dom', 'zustand', 'comlink', 'sigma'],
      message: 'core, io, layout and contract stay pure: no UI, no worker plumbing.',
    },
    { group: ['**/workers/**'], message: 'core, io, layout and contract never import worker entry points.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'public/**',
      '.tmp/**',
      '.bench/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/io/**/*.ts', 'src/layout/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', pureLayerRestrictions],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'use the seeded RNG in src/core/rng.' },
      ],
    },
  },
  {
    // The workers and the engine serve the page; they never reach into it.
    files: ['workers/**/*.ts', 'src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/**', 'react', 'react-dom', 'zustand'],
              message: 'workers and the engine never import the UI (src/app).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', 'h5wasm', 'h5wasm/*'],
              message: 'the UI talks to the worker; heavy libraries live there.',
            },
          ],
        },
      ],
    },
  },
);
