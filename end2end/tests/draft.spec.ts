// Nothing typed is lost: the wizard saves a draft on the server as the user types, restores
// it after a reload, and offers to resume it after signing out and in.
import { test, expect } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { signUp } from './helpers';

test('a half-typed project survives a reload and signing out, then can be resumed', async ({ page }) => {
  const email = await signUp(page);
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByRole('button', { name: /^Quick start/ }).click();
  await page.getByLabel('Project name').fill('Half-typed');
  await page.getByLabel('Description').fill('Loads the sales data every night');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('Project name')).toHaveValue('Half-typed');
  await expect(page.getByLabel('Description')).toHaveValue('Loads the sales data every night');
  await expect(page.getByText('Restored what you typed earlier.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const banner = page.getByRole('region', { name: 'Unfinished project' });
  await expect(banner).toContainText('“Half-typed”');
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  await banner.getByRole('link', { name: 'Resume' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Half-typed');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Review and create' })).toBeVisible();
  await expect(page.getByText('Loads the sales data every night')).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Half-typed', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Back to projects' }).click();
  await expect(page.getByRole('link', { name: 'Half-typed' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Unfinished project' })).toHaveCount(0);
});

test('a draft can be discarded', async ({ page }) => {
  await signUp(page);
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByRole('button', { name: /^Quick start/ }).click();
  await page.getByLabel('Project name').fill('Throwaway');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  const banner = page.getByRole('region', { name: 'Unfinished project' });
  await banner.getByRole('button', { name: 'Discard' }).click();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Unfinished project' })).toHaveCount(0);
});
