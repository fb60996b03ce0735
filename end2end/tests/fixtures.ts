// Every test starts from the sandbox's seeded world (no grants, no tokens, no faults), so a
// test that expects Bitbucket's consent page sees it whatever ran before. This needs the
// server's SANDBOX_CONTROL switch: playwright.config.ts sets it for the server it starts; for
// `npm run test:external`, start the server as `SANDBOX_CONTROL=true ./scripts/dev.sh`.
import { test as base, expect } from '@playwright/test';

export const CONTROL = '/_sandbox/bitbucket/_control';

export const test = base.extend<{ freshSandbox: void }>({
  // Worker n drives the server on the configured port + n (playwright.config.ts starts one per
  // worker), so no test sees another's sandbox state.
  baseURL: async ({ baseURL }, use, testInfo) => {
    if (!baseURL || process.env.E2E_EXTERNAL || process.env.BASE_URL) return use(baseURL);
    const url = new URL(baseURL);
    url.port = String(Number(url.port) + testInfo.parallelIndex);
    await use(url.origin);
  },
  freshSandbox: [
    async ({ request }, use) => {
      const reset = await request.post(`${CONTROL}/reset`);
      expect(reset.ok(), 'the sandbox control API is on (SANDBOX_CONTROL=true)').toBeTruthy();
      await use();
    },
    { auto: true },
  ],
});

export { expect };

/**
 * `test`, with another provider sandbox also reset before each test (its control API at
 * `control`, such as '/_sandbox/github/_control').
 */
export function alsoResetting(control: string) {
  return test.extend<{ freshProviderSandbox: void }>({
    freshProviderSandbox: [
      async ({ request }, use) => {
        const reset = await request.post(`${control}/reset`);
        expect(reset.ok(), `the sandbox control API at ${control} is on (SANDBOX_CONTROL=true)`).toBeTruthy();
        await use();
      },
      { auto: true },
    ],
  });
}
