// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import studio from './eslint-rules/layers.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'models/',
      'training/work/',
      '**/__fixtures__/',
      'test-results/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The layers (eslint-rules/layers.js): which folder may import which; Electron only in main/electron
    // and the preload, so the engine, the host and the bridge stay plain Node, testable without it.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { studio },
    rules: { 'studio/layers': 'error' },
  },
  {
    // The renderer is browser code. It reaches the host only through the StudioApi (window.studio in
    // Electron, the bridge client in a browser) and may import main/common (pure TS) and nothing else of main.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs['recommended-latest'].rules,
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer never imports Electron: use the StudioApi.' }],
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'os',
                'child_process',
                'crypto',
                'http',
                'net',
                'worker_threads',
              ],
              message: 'The renderer runs in a sandboxed browser page: no Node modules.',
            },
            {
              group: ['@tensorflow/*', 'meyda', 'audio-decode', '@picovoice/*', 'ws', 'tsx', 'esbuild'],
              message: 'Engine and host packages run in the host, not the renderer.',
            },
            {
              group: [
                '**/main/engine/**',
                '**/main/electron/**',
                '**/main/host/**',
                '**/main/bridge/**',
                '**/main/cli/**',
                '**/preload/**',
              ],
              message: 'The renderer may import main/common only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The sandboxed preload can load `electron` and nothing else at run time: the contract's types, the
    // channel table and the error envelope (plain data, bundled into the preload).
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                '**/main/*/**',
                '!**/main/common/ipc-contract',
                '!**/main/common/channels',
                '!**/main/common/errors',
              ],
              message:
                'The preload may import electron, the contract types, the channel table and errors only.',
            },
          ],
        },
      ],
    },
  },
);
