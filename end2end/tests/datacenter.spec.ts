// The wizard, the Connections page and the pipeline editor on Bitbucket Data Center: the
// server's Data Center sandbox (served under /_sandbox/bitbucket-dc in sandbox mode) plays a
// Data Center instance with its own log-in and consent pages and its own control API.
//
// To be confirmed against the sandbox (constants below): the log-in form's labels and
// button, the consent page's buttons, the instance's name as /api/info gives it, and the
// control API's bodies (helpers at the end of the constants).
import type { APIRequestContext, Page } from '@playwright/test';
import { alsoResetting, expect } from './fixtures';
import {
  chooseRepository,
  control,
  expectStepState,
  nameAndCreateProject,
  newUserConnects as newUserConnectsTo,
  pipelineChangedMeanwhile,
  workOnABranch,
  signInWithForm,
  signUp,
  startAdvancedProject,
  type Provider,
} from './helpers';

/** Where the server mounts the Data Center sandbox, and its control API. */
const DC_BASE = '/_sandbox/bitbucket-dc';
const DC_CONTROL = `${DC_BASE}/_control`;
/** The instance as the studio names it (`ProviderInfo.name` in sandbox mode). */
const DC_NAME = 'Bitbucket Data Center (sandbox)';
/** The wizard's and the Connections page's addresses for Data Center. */
const DC_WIZARD = '/projects/new/advanced/bitbucket-dc';
const DC_CONNECTIONS = '/settings/connections?provider=bitbucket-dc';
/** The studio's client on the sandbox (the server's SANDBOX_CLIENT_ID). */
const DC_CLIENT_ID = 'pipeline-studio-sandbox';
const DC: Provider = { name: DC_NAME, shortName: DC_NAME, wizard: DC_WIZARD, groupLabel: 'Project' };

/** The sandbox's log-in page. */
const LOGIN_USERNAME_LABEL = 'Username';
const LOGIN_PASSWORD_LABEL = 'Password';
const LOGIN_BUTTON = 'Log in';
const DC_USER = 'alex';
const DC_USER_NAME = 'Alex Rivera';
const DC_PASSWORD = 'sandbox';
/** The sandbox's consent page. */
const CONSENT_HEADING = /wants to access your Bitbucket account/;
const ALLOW = 'Allow';
const DENY = 'Deny';

/** `POST {dcBase}/_control/revoke`: the user withdraws the studio's access on Data Center. */
function revokeBody(user: string) {
  return { user, client_id: DC_CLIENT_ID };
}

/** `POST {dcBase}/_control/commit`: someone else commits `content` to `path` on `branch`. */
function commitBody(project: string, repository: string, branch: string, path: string, content: string) {
  return { project, repository, branch, path, content };
}

async function revokeOnDataCenter(request: APIRequestContext, user = DC_USER) {
  await control(request, DC_CONTROL, 'revoke', revokeBody(user));
}

async function commitOnDataCenter(request: APIRequestContext, path: string, content: string) {
  await control(request, DC_CONTROL, 'commit', commitBody('DATA', 'pipelines', 'main', path, content));
}

// Both sandboxes start from their seeded worlds (the Cloud one through ./fixtures).
const test = alsoResetting(DC_CONTROL);

/** From the projects page to the wizard's Data Center Connect step. */
async function startDataCenterProject(page: Page) {
  await startAdvancedProject(page, DC);
}

const LOGIN_FORM = { user: LOGIN_USERNAME_LABEL, password: LOGIN_PASSWORD_LABEL, button: LOGIN_BUTTON };

/** On the sandbox's log-in page: logs in as the seeded user. */
async function logInToDataCenter(page: Page) {
  await signInWithForm(page, LOGIN_FORM, DC_USER, DC_PASSWORD);
}

/** On the sandbox's consent page (Data Center asks every time): Allow or Deny. */
async function consent(page: Page, choice: typeof ALLOW | typeof DENY) {
  await expect(page.getByRole('heading', { name: CONSENT_HEADING })).toBeVisible();
  await page.getByRole('button', { name: choice, exact: true }).click();
}

/** A new studio user connects Data Center from the wizard and arrives at the repository step. */
async function newUserConnects(page: Page) {
  await newUserConnectsTo(page, DC, async (page) => {
    await logInToDataCenter(page);
    await consent(page, ALLOW);
  });
}

/** At the repository step: project DATA, `repository`, on to the branch step. */
async function chooseInData(page: Page, repository: string) {
  await chooseRepository(page, DC, 'DATA', repository);
}

test('a new user connects Data Center once and creates two projects', async ({ page }) => {
  await newUserConnects(page);
  // Data Center groups repositories in projects.
  await expect(page.getByLabel('Project', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Workspace')).toHaveCount(0);
  await chooseInData(page, 'pipelines');
  await expect(page.getByText(/DATA\/pipelines has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(new RegExp(`${DC_WIZARD}/details\\?workspace=DATA&repository=pipelines`));
  await expect(page.getByRole('heading', { name: 'Project details' })).toBeVisible();
  await page.getByLabel('Project name').fill('Orders');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Review and create' })).toBeVisible();
  await expect(page.locator('dl.review')).toContainText(DC_NAME);
  await expect(page.locator('dl.review')).toContainText('DATA/pipelines');
  await expect(page.getByRole('link', { name: 'Change the Git provider' })).toHaveAttribute('href', '/projects/new/advanced');
  await expect(page.getByRole('link', { name: 'Change the branch' })).toHaveAttribute('href', `${DC_WIZARD}/branch?workspace=DATA&repository=pipelines`);
  await page.getByRole('button', { name: 'Create project' }).click();

  await expect(page.getByRole('heading', { name: 'Orders', level: 1 })).toBeVisible();
  await expect(page.getByText(DC_NAME, { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: `Open in ${DC_NAME}` })).toHaveAttribute('href', /\/projects\/DATA\/repos\/pipelines/);

  // A second project reuses the authorization: no Authorize, straight on.
  await page.getByRole('link', { name: 'Back to projects' }).click();
  await startDataCenterProject(page);
  await expect(page.getByText(`Connected to ${DC_NAME} as ${DC_USER_NAME}`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Authorize' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await chooseInData(page, 'empty-repo');
  await page.getByRole('button', { name: 'Create the first commit' }).click();
  await expect(page.getByText(/DATA\/empty-repo has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Scratch');

  await page.getByRole('link', { name: 'Back to projects' }).click();
  await expect(page.getByRole('link', { name: 'Orders' })).toBeVisible();
  await expect(page.getByText(`DATA/empty-repo · ${DC_NAME}`)).toBeVisible();
});

test('a repository with only master gets main from it, then the project is created', async ({ page }) => {
  await newUserConnects(page);
  await chooseInData(page, 'warehouse');
  await expect(page.getByText(/DATA\/warehouse has no branch named main/)).toBeVisible();
  await page.getByRole('button', { name: 'Create main from master' }).click();
  await expect(page.getByText(/DATA\/warehouse has a main branch/)).toBeVisible();
  // Reloading keeps the step and the choice (they live in the URL).
  await page.reload();
  await expect(page.getByText(/DATA\/warehouse has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Warehouse');
  await expect(page.getByText('DATA/warehouse', { exact: true })).toBeVisible();
});

test('denied consent is explained at the same step and what was typed is kept', async ({ page, request }) => {
  await signUp(page);
  await startDataCenterProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await logInToDataCenter(page);
  await consent(page, DENY);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Deny was chosen');
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();

  await page.getByRole('button', { name: 'Authorize' }).click();
  await consent(page, ALLOW);
  await chooseInData(page, 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Project name').fill('Kept through everything');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();

  // Access withdrawn on Data Center; back at the repository step, Reconnect, then Deny.
  await revokeOnDataCenter(request);
  await page.getByRole('link', { name: 'Change the repository' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await consent(page, DENY);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Deny was chosen');

  await page.getByRole('button', { name: /Authorize|Reconnect/ }).click();
  await consent(page, ALLOW);
  await chooseInData(page, 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Kept through everything');
});

test('a revocation on Data Center is shown as Reconnect, which returns to the same step', async ({ page, request }) => {
  await newUserConnects(page);
  await page.getByLabel('Project', { exact: true }).selectOption('DATA');
  await expect(page).toHaveURL(/workspace=DATA/);

  await revokeOnDataCenter(request);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await expectStepState(page, 'Connect', 'Needs attention');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await consent(page, ALLOW);
  await expect(page).toHaveURL(new RegExp(`${DC_WIZARD}/repository\\?workspace=DATA`));
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'warehouse', exact: true })).toBeVisible();
});

test('revoking on Data Center\'s Authorized applications page, linked from Connections, is shown as Reconnect', async ({ page }) => {
  await newUserConnects(page);
  await page.goto(DC_CONNECTIONS);
  const link = page.getByRole('link', { name: `Authorized applications on ${DC_NAME}` });
  // The link opens a new tab; the same page in this one does what a person does there.
  const href = await link.getAttribute('href');
  expect(href).toMatch(new RegExp(`${DC_BASE}/account$`));
  await page.goto(href!);
  await expect(page.getByRole('heading', { name: 'Authorized applications', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('No application has access to your account.')).toBeVisible();

  await page.goto(`${DC_WIZARD}/repository`);
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await consent(page, ALLOW);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
});

test('the connections page shows Data Center beside Cloud, connects and disconnects it', async ({ page }) => {
  await signUp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  const providers = page.getByRole('navigation', { name: 'Git providers' });
  await expect(providers.getByRole('link', { name: /^Bitbucket Cloud/ })).toHaveAttribute('aria-current', 'page');
  await providers.getByRole('link', { name: DC_NAME }).click();
  await expect(page).toHaveURL(new RegExp(`${DC_CONNECTIONS.replace('?', '\\?')}$`));
  await expect(page.getByRole('heading', { name: DC_NAME, level: 2 })).toBeVisible();
  await expect(page.getByText('Nothing has happened to this connection yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Authorize' }).click();
  await logInToDataCenter(page);
  await consent(page, ALLOW);
  await expect(page).toHaveURL(new RegExp(`${DC_CONNECTIONS.replace('?', '\\?')}$`));
  await expect(page.getByText(`Connected to ${DC_NAME} as ${DC_USER_NAME}`)).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Connected', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: `Authorized applications on ${DC_NAME}` })).toHaveAttribute(
    'href',
    new RegExp(`${DC_BASE}/`),
  );

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(page.getByRole('status')).toContainText('revoke it under Authorized applications');
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Disconnected', exact: true })).toBeVisible();
});

const ORDERS = 'pipelines/orders.orch.yaml';

test('a pipeline changed on Data Center meanwhile: the user saves their text as a new pipeline, or reloads', async ({ page, request }) => {
  await newUserConnects(page);
  await chooseInData(page, 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Orders on DC');
  await pipelineChangedMeanwhile(page, ORDERS, 'Bitbucket Data Center', (path, content) =>
    commitOnDataCenter(request, path, content),
  );
});

test('an unknown provider in the wizard address is not found', async ({ page }) => {
  await signUp(page);
  await page.goto('/projects/new/advanced/gitlab/repository');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('Data Center: the connect step prepares the first screen, and a search answers as the user types', async ({ page }) => {
  await signUp(page);
  await startDataCenterProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInWithForm(page, LOGIN_FORM, 'bigdc', DC_PASSWORD);
  await consent(page, ALLOW);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  // The step's own request answered: none is left in flight for the wait below to catch.
  await expect(page.getByRole('radio').first()).toBeVisible();

  // Back at the connect step: the pointer over Continue prepares the repository step, and
  // Continue only paints.
  await page.goto(DC_WIZARD);
  await expect(page.getByText(/Connected to .* as/)).toBeVisible();
  const prepared = page.waitForResponse((response) => response.url().includes('/api/bitbucket-dc/repository-picker'));
  await page.getByRole('button', { name: 'Continue' }).hover();
  expect((await prepared).status()).toBe(200);
  const asked: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('repository-picker')) asked.push(request.url());
  });
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('radio').first()).toBeVisible();
  expect(asked).toHaveLength(0);

  // A term nothing loaded matches: Data Center's answer, one call; one that extends a term
  // whose every match is loaded: none.
  expect((await page.request.delete(`${DC_CONTROL}/stats`)).ok()).toBeTruthy();
  const search = page.getByLabel('Search repositories');
  await search.fill('service-00420');
  await expect(page.getByRole('radio')).toHaveCount(1);
  await expect(page.getByRole('radio', { name: 'service-00420' })).toBeVisible();
  const calls = async () => (await (await page.request.get(`${DC_CONTROL}/stats`)).json()).api_requests;
  expect(await calls()).toBe(1);
  await search.fill('service-0042');
  await expect(page.locator('.repository-count')).toHaveText('10 repositories');
  await search.fill('service-00425');
  await expect(page.getByRole('radio')).toHaveCount(1);
  expect(await calls()).toBe(2);
});

test('work on a Data Center branch: edit it, compare it with main, open the pull request, and see it merged', async ({ page, request }) => {
  await newUserConnects(page);
  await chooseInData(page, 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Branches on DC');
  const dataCenter = {
    name: DC_NAME,
    pullRequestPage: (branch: string) =>
      new RegExp(
        `/projects/DATA/repos/pipelines/pull-requests\\?create&sourceBranch=${encodeURIComponent(`refs/heads/${branch}`)}&targetBranch=refs%2Fheads%2Fmain$`,
      ),
  };
  await workOnABranch(page, ORDERS, dataCenter, (branch) =>
    control(request, DC_CONTROL, 'merge', { project: 'DATA', repository: 'pipelines', branch, into: 'main', delete_branch: false }),
  );
});
