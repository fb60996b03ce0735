import { defineConfig } from '@playwright/test';

// Two ways to run:
// - `npx playwright test` (scripts/test.sh): starts the built server (target/debug/server) on
//   its own port, in sandbox mode, on a fresh SQLite database.
// - `npm run test:external`: tests a server already running on http://127.0.0.1:3000, such as
//   `SANDBOX_CONTROL=true ./scripts/dev.sh`; global-setup.ts waits until it answers. The
//   server needs SANDBOX_CONTROL so each test can reset the sandbox.
const external = !!process.env.E2E_EXTERNAL;
const port = Number(process.env.E2E_PORT ?? 3107);
// Each worker drives a server of its own (port + its index; tests/fixtures.ts points it there):
// tests reset the sandboxes and change their latency and faults, which would reach into
// another worker's test on a shared server. An external server, or one named by BASE_URL, is
// one, so one worker.
const workers = external || process.env.BASE_URL ? 1 : Number(process.env.E2E_WORKERS ?? 2);
const baseURL = process.env.BASE_URL ?? (external ? 'http://127.0.0.1:3000' : `http://127.0.0.1:${port}`);

/** The server worker `index` drives: its own port, SQLite database and sandboxes. */
function server(index: number) {
  const data = `.e2e-data/${index}`;
  const url = `http://127.0.0.1:${port + index}`;
  return {
    command: `rm -rf ${data} && mkdir -p ${data} && exec ../target/debug/server`,
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port + index}`,
      // E2E_SITE_ROOT=../target/release-site runs the suite on the release front end.
      LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? '../target/site',
      DATABASE_URL: `sqlite://${data}/studio.db`,
      TOKEN_KEY_FILE: `${data}/token.key`,
      RUST_LOG: 'warn',
      // The built-in sandboxes, and their control API so each test can reset them
      // (tests/fixtures.ts).
      SANDBOX: 'true',
      SANDBOX_CONTROL: 'true',
      // Every test signs up and in its own users, all from 127.0.0.1.
      SIGN_UP_LIMIT_PER_CLIENT: '100000',
      SIGN_IN_LIMIT_PER_CLIENT: '100000',
      PASSWORD_HASH_QUEUE_PER_CLIENT: '32',
    },
  };
}

export default defineConfig({
  testDir: './tests',
  workers,
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
  webServer: external ? undefined : Array.from({ length: workers }, (_, index) => server(index)),
});
