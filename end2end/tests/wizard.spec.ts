// The wizard as a whole: every step with the keyboard alone and without an axe-core
// violation (also the source of README's screenshots), Quick start with its review, and the
// unhappy paths: denied consent, nothing writable, Bitbucket rate-limiting or down, a large
// account, reloads in the middle.
import { test, expect, CONTROL } from './fixtures';
import type { Locator, Page } from '@playwright/test';
import {
  screenshot,
  expectAccessible,
  expectStepState,
  nameAndCreateProject,
  signInToBitbucketAs,
  signUp,
  startAdvancedBitbucketProject,
} from './helpers';

/** Presses Tab until `target` has focus: proves it is reachable from the keyboard. */
async function tabTo(page: Page, target: Locator, maxTabs = 80) {
  await expect(target).toBeVisible();
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The step heading is on screen and has focus (the wizard moves focus to it). */
async function atStep(page: Page, heading: string) {
  const h1 = page.getByRole('heading', { name: heading, level: 1 });
  await expect(h1).toBeVisible();
  await expect(h1).toBeFocused();
}

test('the whole Bitbucket wizard works with the keyboard alone, accessibly', async ({ page }, testInfo) => {
  await signUp(page);
  const keyboard = page.keyboard;

  await tabTo(page, page.getByRole('link', { name: 'New project' }));
  await keyboard.press('Enter');
  await atStep(page, 'Select project configuration');
  await expectAccessible(page);
  await screenshot(page, testInfo, '1-configuration');
  await tabTo(page, page.getByRole('button', { name: /^Advanced settings/ }));
  await keyboard.press('Enter');

  await atStep(page, 'Select Git provider');
  await expectAccessible(page);
  await tabTo(page, page.getByRole('button', { name: 'Bitbucket Cloud' }));
  await keyboard.press('Enter');

  await atStep(page, 'Connect Bitbucket');
  await expectAccessible(page);
  await screenshot(page, testInfo, '2-connect');
  await tabTo(page, page.getByRole('button', { name: 'Authorize' }));
  await keyboard.press('Enter');

  // Bitbucket's own pages (the sandbox), also by keyboard.
  await tabTo(page, page.getByRole('button', { name: 'Sign in as Alex Rivera' }));
  await keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /is requesting access/ })).toBeVisible();
  await screenshot(page, testInfo, '3-bitbucket-consent');
  await tabTo(page, page.getByRole('button', { name: 'Grant access' }));
  await keyboard.press('Enter');

  await atStep(page, 'Choose a repository');
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '4-repository');
  // Into the radio group, then arrows until the wanted repository is chosen.
  await tabTo(page, page.getByRole('radio').first());
  const wanted = page.getByRole('radio', { name: 'warehouse-pipelines' });
  for (let i = 0; i < 5 && !(await wanted.isChecked()); i++) await keyboard.press('ArrowDown');
  await expect(wanted).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await keyboard.press('Enter');

  await atStep(page, 'Check the branch');
  await expect(page.getByText(/has a main branch/)).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '5-branch');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await keyboard.press('Enter');

  await atStep(page, 'Project details');
  await tabTo(page, page.getByLabel('Project name'));
  await keyboard.type('Sales ETL');
  await tabTo(page, page.getByLabel('Description'));
  await keyboard.type('Nightly loads of the sales data');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '6-details');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await keyboard.press('Enter');

  await atStep(page, 'Review and create');
  const review = page.locator('dl.review');
  await expect(review).toContainText('acme-data/warehouse-pipelines');
  await expect(review).toContainText('Sales ETL');
  await expect(review).toContainText('Nightly loads of the sales data');
  // Every line of the review leads back to its step.
  await expect(review.getByRole('link', { name: 'Change the Git provider' })).toHaveAttribute('href', '/projects/new/advanced');
  await expect(review.getByRole('link', { name: 'Change the branch' })).toHaveAttribute(
    'href',
    '/projects/new/advanced/bitbucket/branch?workspace=acme-data&repository=warehouse-pipelines',
  );
  await expectAccessible(page);
  await screenshot(page, testInfo, '7-review');
  await tabTo(page, page.getByRole('button', { name: 'Create project' }));
  await keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Sales ETL', level: 1 })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '8-project');
});

test('Quick start: details, review with changes, and a taken name reported inline', async ({ page }) => {
  await signUp(page);
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByRole('button', { name: /^Quick start/ }).click();
  await nameAndCreateProject(page, 'Reports');

  await page.getByRole('link', { name: 'Back to projects' }).click();
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByRole('button', { name: /^Quick start/ }).click();
  await atStep(page, 'Project details');
  // Empty, then taken (compared without case): both said next to the input.
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('Enter a project name.')).toBeVisible();
  await expect(page.getByLabel('Project name')).toBeFocused();
  await page.getByLabel('Project name').fill('reports');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('You already have a project with this name. Choose another name.')).toBeVisible();
  await expect(page.getByLabel('Project name')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  await page.getByLabel('Project name').fill('Reports, weekly');
  await page.getByRole('button', { name: 'Continue' }).click();
  await atStep(page, 'Review and create');
  await expect(page.locator('dl.review')).toContainText('Reports, weekly');
  await expect(page.locator('dl.review')).toContainText('None');
  await expectAccessible(page);

  // Change the name from the review: the details come back filled in.
  await page.getByRole('link', { name: 'Change the name' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Reports, weekly');
  await page.getByLabel('Description').fill('Every Monday');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('dl.review')).toContainText('Every Monday');
  // A reload keeps the review (it reads the saved draft).
  await page.reload();
  await expect(page.locator('dl.review')).toContainText('Every Monday');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Reports, weekly', level: 1 })).toBeVisible();
});

test('denied consent is explained at the same step and what was typed is kept', async ({ page, request }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Alex Rivera');
  await page.getByRole('radio', { name: 'warehouse-pipelines' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Project name').fill('Kept through everything');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();

  // The user revokes the studio on Bitbucket; back in the wizard, the repository step
  // offers Reconnect...
  await request.post(`${CONTROL}/revoke`, { data: { nickname: 'alex', consumer: 'pipeline-studio-sandbox' } });
  await page.getByRole('link', { name: 'Change' }).click();
  await atStep(page, 'Choose a repository');
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await expectStepState(page, 'Connect', 'Needs attention');
  await page.getByRole('button', { name: 'Reconnect' }).click();

  // ...and on Bitbucket's consent page, chooses Cancel.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await atStep(page, 'Choose a repository');
  await expect(page.getByRole('alert')).toContainText('Cancel was chosen');
  await expectAccessible(page);

  await page.getByRole('button', { name: /Authorize|Reconnect/ }).click();
  await page.getByRole('button', { name: 'Grant access' }).click();
  await page.getByRole('radio', { name: 'warehouse-pipelines' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Kept through everything');
});

test('an account that can write to nothing is told what to do', async ({ page }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Nora Quinn');
  await atStep(page, 'Choose a repository');
  await expect(page.getByText(/can write to no repository in this workspace\. Ask a workspace admin for Write access/)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '0 repositories' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await expectAccessible(page);
});

test('Bitbucket rate-limiting or down is explained and recoverable', async ({ page, request }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Alex Rivera');
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();

  // Down (503) when the step opens: a sentence and Try again, no status code.
  await request.post(`${CONTROL}/faults`, { data: { status: 503, count: 1, path_prefix: '/2.0/user/workspaces' } });
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('Bitbucket did not answer as expected');
  await expect(page.getByRole('alert')).not.toContainText('503');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();

  // Rate-limited (429) on Refresh, with a search on screen: the same, and it can be retried.
  // (The search itself asks nothing: the workspace's whole list is loaded.)
  await page.getByLabel('Search repositories').fill('ware');
  await expect(page.getByRole('radio', { name: 'marketing-etl' })).toHaveCount(0);
  await request.post(`${CONTROL}/faults`, { data: { status: 429, count: 1, path_prefix: '/2.0/repositories/acme-data' } });
  await page.getByRole('button', { name: /^Refresh the repository list/ }).click();
  await expect(page.getByRole('alert')).toContainText('Bitbucket is limiting how often the studio may call it');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('radio', { name: 'marketing-etl' })).toHaveCount(0);
});

test('a large account pages its repositories, searches on the server, and survives a reload', async ({ page }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Big Co Engineer');
  await atStep(page, 'Choose a repository');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 50 of 500 repositories' })).toBeVisible();
  await expect(page.getByRole('radio')).toHaveCount(50);
  await expect(page.getByLabel('Workspace').locator('option')).toHaveCount(20);

  await page.getByLabel('Workspace').selectOption('bigco-07');
  await expect(page).toHaveURL(/workspace=bigco-07/);
  await page.getByRole('button', { name: 'Load more repositories' }).click();
  await expect(page.getByRole('radio')).toHaveCount(100);
  await expect(page.getByRole('status').filter({ hasText: 'Showing 100 of 500 repositories' })).toBeVisible();

  await page.getByLabel('Search repositories').fill('repo-0042');
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: '1 repository' })).toBeVisible();
  await page.getByRole('radio', { name: 'repo-0042' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await atStep(page, 'Check the branch');

  // Reload mid-wizard: the step and the choice are in the URL.
  await page.reload();
  await expect(page.getByText(/bigco-07\/repo-0042 has a main branch/)).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('Workspace')).toHaveValue('bigco-07');
});
