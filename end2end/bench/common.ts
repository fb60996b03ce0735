import { expect, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';

/** What the Rust harness asked for (BENCH_INPUT). */
export function input<T>(): T {
  return JSON.parse(readFileSync(process.env.BENCH_INPUT!, 'utf8')) as T;
}

/** Hands the figures back to the Rust harness (BENCH_OUT). */
export function output(figures: unknown) {
  writeFileSync(process.env.BENCH_OUT!, JSON.stringify(figures, null, 2));
}

/**
 * Signs `email` in without loading the app (from /healthz, a plain-text page), so a
 * measurement that follows starts with the app's bundles not yet in the cache.
 */
export async function signIn(page: Page, signInPath: string, email: string, password: string) {
  await page.goto('/healthz');
  const status = await page.evaluate(
    async ([path, email, password]) =>
      (
        await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        })
      ).status,
    [signInPath, email, password],
  );
  expect(status, 'sign-in').toBe(200);
}
