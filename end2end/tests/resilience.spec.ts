// A part of the app that cannot be loaded (a chunk of the split build fetched after a new
// version replaced it, or lost on the network) must not leave a page that silently stopped
// working, nor stop the whole app: the page says so and offers the reload that fixes it, and
// the rest of the app goes on working (issue 26, item 9: a failed chunk used to be a panic).
import { test, expect } from './fixtures';
import { signUp } from './helpers';

test('a page whose code cannot be loaded says so and offers a reload', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signUp(page);
  const split = await page.locator('link[href*="__wasm_split"]').count();
  test.skip(split === 0, 'only a split build (scripts/build-release-site.sh) loads pages on demand');

  await page.route('**/pkg/split_connections_view*', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'This page could not be loaded' })).toBeVisible();
  await expect(page.locator('#app-stopped')).toHaveCount(0);
  // The rest of the app works on.
  await nav.getByRole('link', { name: 'Projects' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await nav.getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'This page could not be loaded' })).toBeVisible();

  await page.unroute('**/pkg/split_connections_view*');
  await page.getByRole('button', { name: 'Reload the page' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});
