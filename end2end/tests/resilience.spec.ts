// A part of the app that cannot be loaded (a chunk of the split build fetched after a new
// version replaced it, or lost on the network) must not leave a page that silently stopped
// working: the app says so and offers the reload that fixes it.
import { test, expect } from './fixtures';
import { signUp } from './helpers';

test('a page whose code cannot be loaded says so and offers a reload', async ({ page }) => {
  await signUp(page);
  const split = await page.locator('link[href*="__wasm_split"]').count();
  test.skip(split === 0, 'only a split build (scripts/build-release-site.sh) loads pages on demand');

  await page.route('**/pkg/split_connections_view_*', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'stopped working' });
  await expect(alert).toBeVisible();
  await page.unroute('**/pkg/split_connections_view_*');
  // The router had not left the projects page: the reload brings it back, working.
  await alert.getByRole('button', { name: 'Reload the page' }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await expect(alert).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
});
