import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'main/**/*.test.ts',
      'training/**/*.test.ts',
      'renderer/**/*.test.ts',
      'eslint-rules/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // tfjs backends are process-global; one file at a time per worker keeps them isolated.
    pool: 'forks',
  },
});
