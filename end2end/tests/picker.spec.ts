// The repository step ready before the user asks for it, and a search that answers as they
// type (issue 29). The connect step prepares the picker's first screen at the first sign the
// user is about to continue (the pointer over Continue, focus on it), so Continue only paints,
// and a user who leaves costs Bitbucket nothing more; a search shows the loaded matches on the
// keystroke and asks Bitbucket, without a pause, only when they may not be all, dropping
// (aborting) a request a newer keystroke made useless.
import type { Page, Request } from '@playwright/test';
import { test, expect, CONTROL } from './fixtures';
import { signInToBitbucketAs, signUp, startAdvancedBitbucketProject } from './helpers';

const PICKER = '/api/bitbucket/repository-picker';
const CONNECT_STEP = '/projects/new/advanced/bitbucket';

type Stats = { api_requests: number; api_requests_by_endpoint: Record<string, number> };

async function stats(page: Page): Promise<Stats> {
  return (await page.request.get(`${CONTROL}/stats`)).json();
}

async function clearStats(page: Page) {
  expect((await page.request.delete(`${CONTROL}/stats`)).ok()).toBeTruthy();
}

async function setLatency(page: Page, ms: number) {
  expect((await page.request.post(`${CONTROL}/latency`, { data: { ms } })).ok()).toBeTruthy();
}

/** A new user authorizes as `account` and is back at the repository step. */
async function connectedAs(page: Page, account: string) {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, account);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  // The step's own request answered: none is left in flight for a later wait to catch.
  await expect(page.getByRole('radio').first()).toBeVisible();
}

/** Opens the connect step, moves the pointer over Continue, and waits until the step has
 * prepared the repository step; the status of that answer. */
async function connectStepPrepared(page: Page) {
  await page.goto(CONNECT_STEP);
  await expect(page.getByText(/Connected to Bitbucket as/)).toBeVisible();
  const prepared = page.waitForResponse((response) => response.url().includes(PICKER));
  await page.getByRole('button', { name: 'Continue' }).hover();
  return (await prepared).status();
}

/** Counts the picker requests the page sends from now on. */
function countPickerRequests(page: Page) {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (request.url().includes(PICKER)) seen.push(request);
  });
  return seen;
}

test('the connect step prepares the first screen, so Continue asks nothing more', async ({ page }) => {
  await connectedAs(page, 'Alex Rivera');
  expect(await connectStepPrepared(page)).toBe(200);
  const asked = countPickerRequests(page);
  await clearStats(page);

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('radio').first()).toBeVisible();
  expect(asked, 'the prepared answer is shown').toHaveLength(0);
  expect((await stats(page)).api_requests, 'and Bitbucket is not asked again').toBe(0);
});

test('a user who reads the connect step and leaves costs Bitbucket nothing more', async ({ page }) => {
  await connectedAs(page, 'Alex Rivera');
  const asked = countPickerRequests(page);
  await clearStats(page);
  await page.goto(CONNECT_STEP);
  await expect(page.getByText(/Connected to Bitbucket as/)).toBeVisible();
  // Long enough for anything the step would prepare on its own to go out.
  await page.waitForTimeout(1000);
  await page.goto('/projects');
  expect(asked, 'nothing prepared without a sign of continuing').toHaveLength(0);
  // The link was proven a moment ago, so the status itself asked Bitbucket nothing either.
  expect((await stats(page)).api_requests).toBe(0);
});

test('a Continue before the prepared answer is back waits for it instead of asking twice', async ({ page }) => {
  await connectedAs(page, 'Alex Rivera');
  await setLatency(page, 600);
  const asked = countPickerRequests(page);
  await page.goto(CONNECT_STEP);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('radio').first()).toBeVisible();
  expect(asked, 'one request, made by the connect step').toHaveLength(1);
});

test('a prepared screen that failed is asked for again, so an outage shows as it always did', async ({ page }) => {
  await connectedAs(page, 'Alex Rivera');
  // Bitbucket fails the prepared read, then recovers.
  await page.request.post(`${CONTROL}/faults`, { data: { status: 503, count: 1, path_prefix: '/2.0/user/workspaces' } });
  expect(await connectStepPrepared(page)).not.toBe(200);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('radio').first()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Revoked on Bitbucket before the connect step: the prepared read learns it, and the
  // repository step shows Reconnect, as it did before anything was prepared.
  await page.request.post(`${CONTROL}/revoke`, { data: { nickname: 'alex', consumer: 'pipeline-studio-sandbox' } });
  expect(await connectStepPrepared(page)).toBe(409);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
});

test('a search shows the loaded matches on the keystroke, then Bitbucket\'s, and drops superseded requests', async ({ page }) => {
  await connectedAs(page, 'Big Co Engineer');
  await expect(page.getByRole('radio')).toHaveCount(50);
  const loaded = await page.getByRole('radio').evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value));
  const search = page.getByLabel('Search repositories');

  // Bitbucket slow: what is loaded answers meanwhile.
  await setLatency(page, 3000);
  const aborted: string[] = [];
  page.on('requestfailed', (request) => {
    if (request.url().includes('/repositories?') || request.url().includes('search=')) aborted.push(request.url());
  });
  const count = page.locator('.repository-count');
  await search.pressSequentially(loaded[0], { delay: 20 });
  // Shown while Bitbucket has not answered yet.
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: loaded[0], exact: true })).toBeVisible();
  await expect(count).toHaveText('Searching… 1 repository loaded so far');
  await expect(count).toHaveText('1 repository', { timeout: 15_000 });
  expect(aborted.length, 'each keystroke dropped the request before it').toBeGreaterThan(0);

  // A term nothing loaded matches: Bitbucket's answer, once.
  await setLatency(page, 0);
  await clearStats(page);
  await search.fill('repo-0420');
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: 'repo-0420' })).toBeVisible();
  expect((await stats(page)).api_requests).toBe(1);

  // A term that extends one whose every match is loaded costs no call.
  await search.fill('repo-042');
  await expect(count).toHaveText('10 repositories');
  const calls = (await stats(page)).api_requests;
  await search.fill('repo-0421');
  await expect(page.getByRole('radio')).toHaveCount(1);
  expect((await stats(page)).api_requests, 'answered from what repo-042 brought').toBe(calls);
});

test('a small workspace, loaded whole, is searched without asking Bitbucket', async ({ page }) => {
  await connectedAs(page, 'Alex Rivera');
  await page.getByLabel('Workspace').selectOption('acme-data');
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();
  await clearStats(page);
  await page.getByLabel('Search repositories').fill('ware');
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: 'warehouse-pipelines' })).toBeVisible();
  await page.getByLabel('Search repositories').fill('');
  await expect(page.getByRole('radio', { name: 'marketing-etl' })).toBeVisible();
  expect((await stats(page)).api_requests).toBe(0);
});

// The step once redrew itself whenever the address changed (a link in it read the address),
// so a name typed right after choosing a workspace was lost when the new address landed.
test('a search typed the moment another workspace is chosen is kept', async ({ page }) => {
  await connectedAs(page, 'Big Co Engineer');
  await page.evaluate(() => {
    const select = document.querySelector<HTMLSelectElement>('#workspace')!;
    const search = document.querySelector<HTMLInputElement>('#repository-search')!;
    select.value = 'bigco-20';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    search.value = 'repo-0005';
    search.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await expect(page).toHaveURL(/workspace=bigco-20/);
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: 'repo-0005' })).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search repositories' })).toHaveValue('repo-0005');
});
