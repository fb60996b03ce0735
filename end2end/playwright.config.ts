import { defineConfig } from '@playwright/test';

// Two ways to run:
// - `npx playwright test` (scripts/test.sh): starts the built server (target/debug/server) on
//   its own port, in sandbox mode, on a fresh SQLite database.
// - `npm run test:external`: tests a server already running on http://127.0.0.1:3000, such as
//   `SANDBOX_CONTROL=true ./scripts/dev.sh`; global-setup.ts waits until it answers. The
//   server needs SANDBOX_CONTROL so each test can reset the sandbox.
const external = !!process.env.E2E_EXTERNAL;
const port = Number(process.env.E2E_PORT ?? 3107);
const baseURL = process.env.BASE_URL ?? (external ? 'http://127.0.0.1:3000' : `http://127.0.0.1:${port}`);

export default defineConfig({
  testDir: './tests',
  // One server, one database: tests create their own users, but run one at a time so a
  // failure is easy to read.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalSetup: external ? './global-setup.ts' : undefined,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work on these machines.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: external
    ? undefined
    : {
        command: 'rm -rf .e2e-data && mkdir -p .e2e-data && exec ../target/debug/server',
        url: `${baseURL}/healthz`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          // E2E_SITE_ROOT=../target/release-site runs the suite on the release front end.
          LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? '../target/site',
          DATABASE_URL: 'sqlite://.e2e-data/studio.db',
          TOKEN_KEY_FILE: '.e2e-data/token.key',
          RUST_LOG: 'warn',
          // The built-in sandboxes, and their control API so each test can reset them
          // (tests/fixtures.ts).
          SANDBOX: 'true',
          SANDBOX_CONTROL: 'true',
          // Every test signs up and in its own users, all from 127.0.0.1, in parallel workers.
          SIGN_UP_LIMIT_PER_CLIENT: '100000',
          SIGN_IN_LIMIT_PER_CLIENT: '100000',
          PASSWORD_HASH_QUEUE_PER_CLIENT: '32',
        },
      },
});
