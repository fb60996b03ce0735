// Bitbucket allows each user 1,000 calls an hour on its repository API, so the studio spends
// them with care. One whole wizard run, from the projects page to the project created, in
// the real app, counted by the sandbox: at most 8 calls for Alex (three workspaces). The
// new project's page, which lists the repository's pipelines, comes after the count.
// (9 while each workspace name was a call of its own; they now come with the workspace
// list, issue 29.)
import { test, expect, CONTROL } from './fixtures';
import { nameAndCreateProject, signInToBitbucketAs, signUp, startAdvancedBitbucketProject } from './helpers';

type Stats = {
  api_requests: number;
  token_requests: { authorization_code: number; refresh_token: number };
  api_requests_by_endpoint: Record<string, number>;
};

test('one whole wizard run costs at most 8 Bitbucket calls', async ({ page }) => {
  await signUp(page);
  let release = () => {};
  const counted = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/projects/*/pipelines', async (route) => {
    await counted;
    await route.continue();
  });
  expect((await page.request.delete(`${CONTROL}/stats`)).ok()).toBeTruthy();

  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Alex Rivera');
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  // The workspace names arrive after the first screen.
  await expect(page.getByLabel('Workspace').getByRole('option', { name: 'Acme Data' })).toBeAttached();
  await page.getByLabel('Workspace').selectOption('acme-data');
  await page.getByRole('radio', { name: 'warehouse-pipelines' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Counted');

  const stats: Stats = await (await page.request.get(`${CONTROL}/stats`)).json();
  release();
  const calls = stats.api_requests + stats.token_requests.authorization_code + stats.token_requests.refresh_token;
  expect(calls, JSON.stringify(stats.api_requests_by_endpoint)).toBeLessThanOrEqual(8);
  await expect(page.getByRole('table')).toBeVisible();
});
