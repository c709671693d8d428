import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { mnistPlugin } from './scripts/vite-mnist-plugin.ts';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.ts';

// One config for the demo (vite dev server at /demo/) and the tests: a Node project (Dawn) and a
// browser project (the same GPU tests inside Chromium through Playwright).
export default defineConfig({
  plugins: [mnistPlugin()],
  server: { host: '127.0.0.1' },
  build: { outDir: 'dist/demo', rollupOptions: { input: 'demo/index.html' } },
  test: {
    // Generous: the zoo's first training steps compile many pipelines, and CI machines are shared.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          globalSetup: ['test/global-setup.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser-only/**', 'test/**/*.browser.test.ts'],
          environment: 'node',
          // One worker: SwiftShader already uses every core for each dispatch.
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/gpu/**/*.test.ts', 'test/e2e/*.browser.test.ts', 'test/browser-only/**/*.test.ts'],
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
