import { defineConfig } from '@playwright/test';
import tests from './playwright.config';

// The benchmark's browser half (`./scripts/bench.sh`): the Rust harness starts the release
// server, prepares users, then runs one file of ./bench with BENCH_URL (the server),
// BENCH_INPUT (a JSON file of what to measure) and BENCH_OUT (where to write the figures).
export default defineConfig({
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  retries: 0,
  timeout: 900_000,
  reporter: [['list']],
  use: {
    baseURL: process.env.BENCH_URL,
    launchOptions: tests.use?.launchOptions,
  },
});
