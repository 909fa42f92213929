import { defineConfig } from '@playwright/test';

const PORT = 4310;

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against the built app,
 * served under a sub-path. WebGPU runs on Chromium's software adapter here, so tests use tiny
 * models and generous timeouts; speed is measured by `npm run bench`, never here.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 240_000,
  expect: { timeout: 60_000 }, // the first WebGPU step compiles shaders: ~20 s on the software adapter
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${PORT}/inkling/`,
    viewport: { width: 1280, height: 1000 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--enable-unsafe-webgpu',
        '--enable-unsafe-swiftshader',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node scripts/serve.mjs --port ${PORT} --base /inkling/`,
    url: `http://localhost:${PORT}/inkling/`,
    reuseExistingServer: !process.env.CI,
  },
});
