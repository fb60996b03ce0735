// The whole wizard against bitbucket.org: an operator's check that their OAuth consumer,
// its callback URL and its two permissions work with the studio (README, "Checking your
// Bitbucket consumer"). Skipped unless real-bitbucket.config.ts has what it needs. It creates
// a project in this run's own studio database and changes nothing on Bitbucket (the
// repository must already have a main branch).
import { expect, test } from '@playwright/test';
import { signUp, startAdvancedBitbucketProject } from '../tests/helpers';

const username = process.env.BITBUCKET_TEST_USERNAME;
const password = process.env.BITBUCKET_TEST_PASSWORD;
const [workspace, repository] = (process.env.BITBUCKET_TEST_REPOSITORY ?? '/').split('/');

test.skip(
  !process.env.BITBUCKET_CLIENT_ID || !username || !password || !workspace || !repository,
  'set BITBUCKET_CLIENT_ID, BITBUCKET_CLIENT_SECRET, BITBUCKET_TEST_USERNAME, BITBUCKET_TEST_PASSWORD and BITBUCKET_TEST_REPOSITORY',
);

test('a new user connects bitbucket.org and creates a project on a real repository', async ({ page }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  // The permissions are named before anything is asked of Bitbucket.
  await expect(page.getByText('Repositories: Write')).toBeVisible();
  await page.getByRole('button', { name: 'Authorize' }).click();

  // Atlassian's sign-in (id.atlassian.com), then Bitbucket's consent page.
  await page.waitForURL(/atlassian\.com|bitbucket\.org/);
  if (/id\.atlassian\.com/.test(page.url())) {
    await page.getByLabel(/email/i).fill(username!);
    await page.getByRole('button', { name: /continue/i }).click();
    await page.getByLabel(/password/i).fill(password!);
    await page.getByRole('button', { name: /log in/i }).click();
  }
  const grant = page.getByRole('button', { name: 'Grant access' });
  const backInStudio = page.waitForURL((url) => url.hostname === 'localhost');
  await Promise.race([grant.waitFor(), backInStudio]);
  if (await grant.isVisible()) {
    await grant.click();
  }
  await backInStudio;

  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.getByLabel('Workspace').selectOption(workspace);
  await page.getByRole('searchbox', { name: 'Search repositories' }).fill(repository);
  await page.getByRole('radio', { name: repository, exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Project details' })).toBeVisible();
  const name = `Real Bitbucket ${Date.now()}`;
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  // The project's pipelines are read from the repository's main branch.
  await expect(page.getByText(/on branch main/)).toBeVisible();

  // The Connections page names the account and the same two permissions.
  await page.goto('/settings/connections');
  await expect(page.getByText(/Connected to Bitbucket as/)).toBeVisible();
  await expect(page.getByText('Account: Read').first()).toBeVisible();
});
