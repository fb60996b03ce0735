import { expect, test } from '@playwright/test';
import { input, output, signIn } from './common';

// Opening the pipeline editor, whose code (and the YAML and schema checks) is a wasm chunk of
// its own in the release build: the first time in a new browser context, from the project
// page (which starts fetching the chunk when it opens), against a second time (the chunk is
// in memory). Click on "New pipeline" → the editor's text area on screen.

type Input = { runs: number; signInPath: string; email: string; password: string; path: string };
type Open = { first: number; again: number };

async function openEditor(page: import('@playwright/test').Page): Promise<number> {
  const started = await page.evaluate(() => performance.now());
  await page.getByRole('link', { name: 'New pipeline' }).click();
  await expect(page.getByLabel('Pipeline (YAML)')).toBeVisible();
  return (await page.evaluate(() => performance.now())) - started;
}

test('opening the pipeline editor', async ({ browser, baseURL }) => {
  const { runs, signInPath, email, password, path } = input<Input>();
  const figures: Open[] = [];
  for (let run = -1; run < runs; run++) {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await signIn(page, signInPath, email, password);
    await page.goto(path);
    await expect(page.getByRole('link', { name: 'New pipeline' })).toBeVisible();
    const first = await openEditor(page);
    await page.goBack();
    await expect(page.getByRole('link', { name: 'New pipeline' })).toBeVisible();
    const again = await openEditor(page);
    if (run >= 0) figures.push({ first, again });
    await context.close();
  }
  output(figures);
});
