import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type LaunchOptions } from '@playwright/test';
import type { StudioOptions } from './e2e/support/fixtures';

/**
 * e2e: the studio in browser mode (bridge + Chromium) always; Electron when its binary is installed
 * (e2e/studio.electron.spec.ts skips itself with a message otherwise). One worker: the machines have
 * two cores and the engine is CPU-bound. Traces and screenshots are kept for failures.
 *
 * Chromium: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own
 * (`npx playwright install chromium`).
 */
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const chromium =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const trainedModel = here('./models/default');

const launchOptions: LaunchOptions = {
  executablePath: chromium,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--autoplay-policy=no-user-gesture-required',
    // The dictation test: a speech WAV plays as the microphone, and the permission prompt is skipped.
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${here('./e2e/fixtures/speech.wav')}`,
  ],
};

export default defineConfig<StudioOptions>({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    {
      name: 'browser',
      testMatch: /\.browser\.spec\.ts$/,
      use: { browserName: 'chromium', acceptDownloads: true, launchOptions },
    },
    {
      name: 'electron',
      testMatch: /\.electron\.spec\.ts$/,
    },
    // README screenshots, only on request (they overwrite assets/): see e2e/screenshots.spec.ts.
    ...(process.env.STUDIO_SCREENSHOTS
      ? [
          {
            name: 'screenshots',
            testMatch: /screenshots\.spec\.ts$/,
            use: {
              browserName: 'chromium' as const,
              launchOptions,
              studioModel: existsSync(`${trainedModel}/manifest.json`) ? trainedModel : null,
            },
          },
        ]
      : []),
  ],
});
