import { defineConfig } from '@playwright/test';
import tests from './playwright.config';

// The wizard against bitbucket.org itself, for an operator checking their own OAuth
// consumer (README, "Checking your Bitbucket consumer"). Without the variables below the
// spec is skipped and no server is started. With them, the server runs in real mode:
//
//   BITBUCKET_CLIENT_ID, BITBUCKET_CLIENT_SECRET   the consumer (callback URL:
//                                                   http://localhost:<E2E_REAL_PORT>/oauth/bitbucket/callback)
//   BITBUCKET_TEST_USERNAME, BITBUCKET_TEST_PASSWORD   an Atlassian account without two-step login
//   BITBUCKET_TEST_REPOSITORY                       workspace/repository it can write to, with a main branch
//   E2E_REAL_PORT                                   default 3108
const port = Number(process.env.E2E_REAL_PORT ?? 3108);
const configured = !!(
  process.env.BITBUCKET_CLIENT_ID &&
  process.env.BITBUCKET_CLIENT_SECRET &&
  process.env.BITBUCKET_TEST_USERNAME &&
  process.env.BITBUCKET_TEST_PASSWORD &&
  process.env.BITBUCKET_TEST_REPOSITORY
);

export default defineConfig({
  testDir: './real',
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    launchOptions: tests.use?.launchOptions,
  },
  webServer: configured
    ? {
        command: 'rm -rf .e2e-real && mkdir -p .e2e-real && exec ../target/debug/server',
        url: `http://localhost:${port}/healthz`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
        env: {
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          PUBLIC_URL: `http://localhost:${port}`,
          LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? '../target/site',
          DATABASE_URL: 'sqlite://.e2e-real/studio.db',
          BITBUCKET_CLIENT_ID: process.env.BITBUCKET_CLIENT_ID!,
          BITBUCKET_CLIENT_SECRET: process.env.BITBUCKET_CLIENT_SECRET!,
          // A throwaway key for this run's database (32 bytes, base64).
          TOKEN_ENCRYPTION_KEYS: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
          // Sign-up links are read from the studio's mailbox, as in the sandbox suite.
          MAIL_OUTBOX: 'true',
          SIGN_UP_LIMIT_PER_CLIENT: '1000',
          SIGN_IN_LIMIT_PER_CLIENT: '1000',
          PASSWORD_HASH_QUEUE_PER_CLIENT: '32',
          RUST_LOG: 'warn',
        },
      }
    : undefined,
});
