// The wizard, the Connections page and the pipeline editor on GitHub: the server's GitHub
// sandbox (served under /_sandbox/github in sandbox mode) plays github.com with its sign-in,
// consent, app installation and "Authorized GitHub Apps" pages, and its own control API
// (sandbox/src/github/control.rs). Its seeded world (sandbox/src/github/seed.rs): `alex`
// sees the app on `acme-data` (every repository; `pipelines` with main, `warehouse` with only
// master, `empty-repo` without a commit, `runbooks` read only) and on `alex` (`notes` only),
// not on `globex`; `newbie` sees no installation at all.
import type { APIRequestContext, Page } from '@playwright/test';
import { alsoResetting, expect } from './fixtures';
import {
  chooseRepository,
  control,
  expectAccessible,
  expectStepState,
  nameAndCreateProject,
  newUserConnects as newUserConnectsTo,
  pipelineChangedMeanwhile,
  workOnABranch,
  MINE,
  signInWithForm,
  signUp,
  startAdvancedProject,
  type Provider,
  type SignInForm,
} from './helpers';

/** Where the server mounts the GitHub sandbox, and its control API. */
const GH_BASE = '/_sandbox/github';
const GH_CONTROL = `${GH_BASE}/_control`;
/** The studio's GitHub App on the sandbox (the server's GITHUB_APP_SLUG, SANDBOX_CLIENT_ID). */
const APP_SLUG = 'pipeline-studio-sandbox';
const CLIENT_ID = 'pipeline-studio-sandbox';
const APP_NAME = 'Pipeline Studio (sandbox)';
const INSTALL_PAGE = `${GH_BASE}/apps/${APP_SLUG}/installations/new`;
const AUTHORIZATIONS_PAGE = `${GH_BASE}/settings/apps/authorizations`;

const GITHUB: Provider = {
  name: 'GitHub (sandbox)',
  shortName: 'GitHub',
  wizard: '/projects/new/advanced/github',
  groupLabel: 'Account',
};
const CONNECTIONS = '/settings/connections?provider=github';
const REPOSITORY_STEP = `${GITHUB.wizard}/repository`;

/** The sandbox's sign-in page ("Sign in to GitHub"); every seeded user's password. */
const SIGN_IN: SignInForm = { user: 'Username or email address', password: 'Password', button: 'Sign in' };
const PASSWORD = 'sandbox';
/** The consent page: its heading and its button are both "Authorize {app}"; Cancel is a link. */
const AUTHORIZE_APP = `Authorize ${APP_NAME}`;

/** The install offer's link (app/src/components/install_offer.rs). */
const INSTALL_OFFER = /^Install the app on an? account$/;

// Both sandboxes start from their seeded worlds (the Cloud one through ./fixtures).
const test = alsoResetting(GH_CONTROL);

/** On the sandbox's sign-in page: signs in as `login`. */
async function signInToGitHub(page: Page, login = 'alex') {
  await expect(page.getByRole('heading', { name: 'Sign in to GitHub', level: 1 })).toBeVisible();
  await signInWithForm(page, SIGN_IN, login, PASSWORD);
}

/** On the sandbox's consent page (asked until the user authorized the app): Authorize or Cancel. */
async function consent(page: Page, choice: 'authorize' | 'cancel') {
  await expect(page.getByRole('heading', { name: AUTHORIZE_APP, level: 1 })).toBeVisible();
  if (choice === 'authorize') {
    await page.getByRole('button', { name: AUTHORIZE_APP }).click();
  } else {
    await page.getByRole('link', { name: 'Cancel', exact: true }).click();
  }
}

/** A new studio user connects GitHub from the wizard as `login` and arrives at the repository step. */
async function newUserConnects(page: Page, login = 'alex') {
  await newUserConnectsTo(page, GITHUB, async (page) => {
    await signInToGitHub(page, login);
    await consent(page, 'authorize');
  });
}

/** At the repository step: account `account`, `repository`, on to the branch step. */
async function chooseIn(page: Page, account: string, repository: string) {
  await chooseRepository(page, GITHUB, account, repository);
}

/** `POST /_control/revoke`: the user revokes the studio's app on GitHub. */
async function revokeOnGitHub(request: APIRequestContext, login = 'alex') {
  await control(request, GH_CONTROL, 'revoke', { login, client_id: CLIENT_ID });
}

/** `POST /_control/commit`: someone else commits `content` to `path` on acme-data/pipelines' main. */
async function commitOnGitHub(request: APIRequestContext, path: string, content: string) {
  await control(request, GH_CONTROL, 'commit', { owner: 'acme-data', repo: 'pipelines', branch: 'main', path, content });
}

const accountOptions = (page: Page) => page.getByLabel(GITHUB.groupLabel, { exact: true }).locator('option');

test('a new user connects GitHub from the wizard, sees the writable repositories, and comes back to the same step with what was typed kept', async ({ page }) => {
  await signUp(page);
  await startAdvancedProject(page, GITHUB);
  const panel = page.locator('.panel').filter({ has: page.getByRole('button', { name: 'Authorize' }) });
  await expect(panel).toContainText('Authorize takes you to GitHub to grant the studio access, then brings you back here');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Authorize' }).click();

  // GitHub's own pages (the sandbox): sign-in, then the app's consent.
  await signInToGitHub(page);
  await expect(page.getByText('Signed in as Alex Rivera (alex)')).toBeVisible();
  await consent(page, 'authorize');

  // Back in the wizard, at the repository step: the accounts where the app is installed,
  // and of acme-data the repositories alex can push to (not runbooks, read only).
  await expect(page).toHaveURL(new RegExp(`${REPOSITORY_STEP}(\\?|$)`));
  await expect(page.getByRole('heading', { name: 'Choose a repository', level: 1 })).toBeVisible();
  await expectStepState(page, 'Connect', 'Completed');
  await expect(page.getByLabel(GITHUB.groupLabel, { exact: true })).toHaveValue('acme-data');
  await expect(accountOptions(page)).toHaveText(['acme-data', 'alex']);
  for (const writable of ['pipelines', 'warehouse', 'empty-repo']) {
    await expect(page.getByRole('radio', { name: writable, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('radio', { name: 'runbooks' })).toHaveCount(0);
  await expect(page.getByRole('radio')).toHaveCount(3);
  await expectAccessible(page);
  // On alex's own account the app is installed on `notes` only.
  await page.getByLabel(GITHUB.groupLabel, { exact: true }).selectOption('alex');
  await expect(page.getByRole('radio', { name: 'notes', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'scratch' })).toHaveCount(0);

  await chooseIn(page, 'acme-data', 'pipelines');
  await expect(page.getByText(/acme-data\/pipelines has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Project name').fill('Kept through GitHub');
  await page.getByLabel('Description').fill('Typed before authorizing again');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();

  // Disconnected (which on GitHub revokes the grant too), the user authorizes again from the
  // repository step: GitHub asks for consent again and brings them back to that step.
  await page.goto(CONNECTIONS);
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('Project name')).toHaveValue('Kept through GitHub');
  await page.getByRole('link', { name: 'Change the repository' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository', level: 1 })).toBeVisible();
  await expectStepState(page, 'Connect', 'Needs attention');
  await page.getByRole('button', { name: 'Authorize' }).click();
  await consent(page, 'authorize');
  await expect(page).toHaveURL(new RegExp(`${REPOSITORY_STEP}\\?workspace=acme-data`));
  await expect(page.getByRole('radio', { name: 'pipelines', exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText(/acme-data\/pipelines has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Kept through GitHub');
  await expect(page.getByLabel('Description')).toHaveValue('Typed before authorizing again');
});

test('a second GitHub project reuses the connection: no Authorize, straight on', async ({ page }) => {
  await newUserConnects(page);
  await chooseIn(page, 'acme-data', 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(new RegExp(`${GITHUB.wizard}/details\\?workspace=acme-data&repository=pipelines`));
  await page.getByLabel('Project name').fill('Orders');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Review and create' })).toBeVisible();
  await expect(page.locator('dl.review')).toContainText(GITHUB.name);
  await expect(page.locator('dl.review')).toContainText('acme-data/pipelines');
  await expect(page.getByRole('link', { name: 'Change the branch' })).toHaveAttribute(
    'href',
    `${GITHUB.wizard}/branch?workspace=acme-data&repository=pipelines`,
  );
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Orders', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open in GitHub' })).toHaveAttribute('href', /\/acme-data\/pipelines$/);
  await expect(page.getByRole('row').filter({ hasText: 'pipelines/orders.orch.yaml' })).toBeVisible();

  await page.getByRole('link', { name: 'Back to projects' }).click();
  await startAdvancedProject(page, GITHUB);
  await expect(page.getByText(/Connected to GitHub as Alex Rivera/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Authorize' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await chooseIn(page, 'alex', 'notes');
  await expect(page.getByText(/alex\/notes has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Notes');

  await page.getByRole('link', { name: 'Back to projects' }).click();
  await expect(page.getByRole('link', { name: 'Orders' })).toBeVisible();
  await expect(page.getByText(`alex/notes · ${GITHUB.name}`)).toBeVisible();
});

test('Cancel on GitHub\'s consent page is explained at the same step, and what was typed is kept', async ({ page, request }) => {
  await signUp(page);
  await startAdvancedProject(page, GITHUB);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToGitHub(page);
  await consent(page, 'cancel');
  await expect(page.getByRole('heading', { name: 'Choose a repository', level: 1 })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Cancel was chosen on GitHub\'s authorization page');
  await expectStepState(page, 'Connect', 'Needs attention');
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await expectAccessible(page);

  // The sandbox remembers who signed in, as GitHub does; consent is asked again.
  await page.getByRole('button', { name: 'Authorize' }).click();
  await consent(page, 'authorize');
  await chooseIn(page, 'acme-data', 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Project name').fill('Kept through everything');
  await expect(page.getByRole('status').filter({ hasText: 'Draft saved.' })).toBeVisible();

  // Access revoked on GitHub; back at the repository step, Reconnect, then Cancel.
  await revokeOnGitHub(request);
  await page.getByRole('link', { name: 'Change the repository' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await consent(page, 'cancel');
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Cancel was chosen');

  await page.getByRole('button', { name: /Authorize|Reconnect/ }).click();
  await consent(page, 'authorize');
  await chooseIn(page, 'acme-data', 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Project name')).toHaveValue('Kept through everything');
});

test('a user whose GitHub has no installation installs the app from the repository step and comes back to it', async ({ page }) => {
  await newUserConnects(page, 'newbie');
  const offer = page.getByRole('link', { name: INSTALL_OFFER });
  await expect(page.getByText(/not installed on any account you can see yet/)).toBeVisible();
  await expect(offer).toHaveAttribute(
    'href',
    new RegExp(`${INSTALL_PAGE}\\?state=${encodeURIComponent(REPOSITORY_STEP)}$`),
  );
  await expect(page.getByRole('radio')).toHaveCount(0);
  await expectAccessible(page);

  await offer.click();
  await expect(page.getByRole('heading', { name: `Install ${APP_NAME}`, level: 1 })).toBeVisible();
  await page.getByRole('row').filter({ hasText: 'newbie' }).getByRole('button', { name: 'Install' }).click();

  await expect(page).toHaveURL(new RegExp(`${REPOSITORY_STEP}(\\?|$)`));
  await expect(page.getByRole('heading', { name: 'Choose a repository', level: 1 })).toBeVisible();
  await expect(page.getByLabel(GITHUB.groupLabel, { exact: true })).toHaveValue('newbie');
  await expect(page.getByRole('radio', { name: 'hello', exact: true })).toBeVisible();
  await chooseIn(page, 'newbie', 'hello');
  await expect(page.getByText(/newbie\/hello has a main branch/)).toBeVisible();
});

test('an account without the app (globex) is installed from the repository step, then listed with its repositories', async ({ page }) => {
  await newUserConnects(page);
  await expect(page.getByRole('radio', { name: 'pipelines', exact: true })).toBeVisible();
  await page.getByLabel(GITHUB.groupLabel, { exact: true }).selectOption('alex');
  await expect(page).toHaveURL(/workspace=alex/);
  await expect(accountOptions(page)).toHaveText(['acme-data', 'alex']);
  await expect(page.getByText(/Missing an? account\?/)).toBeVisible();
  const offer = page.getByRole('link', { name: INSTALL_OFFER });
  await expect(offer).toHaveAttribute('href', new RegExp(`${INSTALL_PAGE}\\?state=${encodeURIComponent(`${REPOSITORY_STEP}?workspace=alex`)}$`));

  await offer.click();
  await expect(page.getByRole('heading', { name: `Install ${APP_NAME}`, level: 1 })).toBeVisible();
  // Only where the app is not installed yet.
  await expect(page.getByRole('button', { name: 'Install' })).toHaveCount(1);
  await page.getByRole('row').filter({ hasText: 'globex' }).getByRole('button', { name: 'Install' }).click();

  // Back at the same step, on the same account, and globex is there now.
  await expect(page).toHaveURL(new RegExp(`${REPOSITORY_STEP}\\?workspace=alex`));
  await expect(page.getByRole('radio', { name: 'notes', exact: true })).toBeVisible();
  await expect(accountOptions(page)).toHaveText(['acme-data', 'alex', 'globex']);
  await page.getByLabel(GITHUB.groupLabel, { exact: true }).selectOption('globex');
  await expect(page.getByRole('radio', { name: 'etl', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'reports', exact: true })).toBeVisible();
  await chooseIn(page, 'globex', 'etl');
  await expect(page.getByText(/globex\/etl has a main branch/)).toBeVisible();
});

test('revoking on GitHub\'s Authorized GitHub Apps page, linked from Connections, is shown as Reconnect, which returns to the same step', async ({ page }) => {
  await newUserConnects(page);
  await page.getByLabel(GITHUB.groupLabel, { exact: true }).selectOption('alex');
  await expect(page).toHaveURL(/workspace=alex/);

  await page.goto(CONNECTIONS);
  await expect(page.getByText(/Connected to GitHub as Alex Rivera/)).toBeVisible();
  const link = page.getByRole('link', { name: 'Authorized GitHub Apps on GitHub' });
  // The link opens a new tab; the same page in this one does what a person does there.
  const href = await link.getAttribute('href');
  expect(href).toMatch(new RegExp(`${AUTHORIZATIONS_PAGE}$`));
  await page.goto(href!);
  await expect(page.getByRole('heading', { name: 'Authorized GitHub Apps', level: 1 })).toBeVisible();
  await page.getByRole('row').filter({ hasText: APP_NAME }).getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('You have not authorized any GitHub Apps.')).toBeVisible();

  await page.goto(`${REPOSITORY_STEP}?workspace=alex`);
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await expectStepState(page, 'Connect', 'Needs attention');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Reconnect' }).click();
  // The grant is gone, so GitHub asks for consent again.
  await consent(page, 'authorize');
  await expect(page).toHaveURL(new RegExp(`${REPOSITORY_STEP}\\?workspace=alex`));
  await expect(page.getByRole('radio', { name: 'notes', exact: true })).toBeVisible();
  await expectStepState(page, 'Connect', 'Completed');
});

test('the connections page shows GitHub beside Bitbucket, connects it, and Disconnect revokes it on GitHub', async ({ page }) => {
  await signUp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  const providers = page.getByRole('navigation', { name: 'Git providers' });
  await providers.getByRole('link', { name: GITHUB.name }).click();
  await expect(page).toHaveURL(new RegExp(`${CONNECTIONS.replace('?', '\\?')}$`));
  await expect(page.getByRole('heading', { name: GITHUB.name, level: 2 })).toBeVisible();
  await expect(page.getByText('Nothing has happened to this connection yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToGitHub(page);
  await consent(page, 'authorize');
  await expect(page).toHaveURL(new RegExp(`${CONNECTIONS.replace('?', '\\?')}$`));
  await expect(page.getByText(/Connected to GitHub as Alex Rivera/)).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Connected', exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('button', { name: 'Yes, disconnect' }).click();
  await expect(page.getByRole('status')).toContainText('Disconnected.');
  // Nothing is left to revoke on GitHub's side, so the notice does not send the user there.
  await expect(page.getByRole('status')).not.toContainText('revoke it under');
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Disconnected', exact: true })).toBeVisible();

  // The studio revoked its grant on GitHub: nothing is left on Authorized GitHub Apps.
  await page.goto(AUTHORIZATIONS_PAGE);
  await expect(page.getByRole('heading', { name: 'Authorized GitHub Apps', level: 1 })).toBeVisible();
  await expect(page.getByText('You have not authorized any GitHub Apps.')).toBeVisible();
});

test('a GitHub repository with only master gets main from it; an empty one gets a first commit', async ({ page }) => {
  await newUserConnects(page);
  await chooseIn(page, 'acme-data', 'warehouse');
  await expect(page.getByText(/acme-data\/warehouse has no branch named main/)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Create main from master' }).click();
  await expect(page.getByText(/acme-data\/warehouse has a main branch/)).toBeVisible();
  // Reloading asks GitHub again: the branch is there.
  await page.reload();
  await expect(page.getByText(/acme-data\/warehouse has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Warehouse');
  await expect(page.getByText('acme-data/warehouse', { exact: true })).toBeVisible();

  await page.getByRole('link', { name: 'Back to projects' }).click();
  await startAdvancedProject(page, GITHUB);
  await page.getByRole('button', { name: 'Continue' }).click();
  await chooseIn(page, 'acme-data', 'empty-repo');
  await expect(page.getByText(/acme-data\/empty-repo is empty/)).toBeVisible();
  await expect(page.getByText(/acme-data\/empty-repo is empty/)).not.toHaveClass(/panel-warning/);
  await page.getByRole('button', { name: 'Create the first commit' }).click();
  await expect(page.getByText(/acme-data\/empty-repo has a main branch/)).toBeVisible();
  await page.reload();
  await expect(page.getByText(/acme-data\/empty-repo has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Scratch');
  await expect(page.getByText('acme-data/empty-repo', { exact: true })).toBeVisible();
});

test('GitHub down or rate-limiting is explained at the repository step and recoverable', async ({ page, request }) => {
  await newUserConnects(page);
  await expect(page.getByRole('radio', { name: 'pipelines', exact: true })).toBeVisible();

  // Down (503) when the step opens: a sentence and Try again, no status code.
  await control(request, GH_CONTROL, 'faults', { status: 503, count: 1, path_prefix: '/api/v3/user/installations' });
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('GitHub did not answer as expected');
  await expect(page.getByRole('alert')).not.toContainText('503');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('radio', { name: 'pipelines', exact: true })).toBeVisible();

  // Rate-limited (GitHub's secondary rate limit, 403) on Refresh: the same, and it can be retried.
  // Refresh asks for the account's repositories and, beside them, the accounts' names
  // (`/user/installations`, whose failure is quietly a convenience lost): the one-shot fault
  // is put on the repositories (`/user/installations/{id}/repositories`), so the race between
  // the two cannot decide which one meets it.
  await control(request, GH_CONTROL, 'faults', { status: 403, count: 1, path_prefix: '/api/v3/user/installations/' });
  await page.getByRole('button', { name: /^Refresh the repository list/ }).click();
  await expect(page.getByRole('alert')).toContainText('GitHub is limiting how often the studio may call it');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('radio', { name: 'pipelines', exact: true })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a large GitHub account pages its repositories, searches them, and survives a reload', async ({ page }) => {
  await newUserConnects(page, 'bigco');
  await expect(accountOptions(page)).toHaveCount(20);
  await page.getByLabel(GITHUB.groupLabel, { exact: true }).selectOption('bigco-07');
  await expect(page).toHaveURL(/workspace=bigco-07/);
  await expect(page.getByRole('radio', { name: 'service-03001', exact: true })).toBeVisible();
  const shown = await page.getByRole('radio').count();
  expect(shown, 'one page, not the 500').toBeLessThan(500);
  await page.getByRole('button', { name: 'Load more repositories' }).click();
  await expect.poll(() => page.getByRole('radio').count()).toBeGreaterThan(shown);

  // bigco-07 holds service-03001…service-03500.
  await page.getByLabel('Search repositories').fill('service-03420');
  await expect(page.getByRole('radio')).toHaveCount(1);
  await page.getByRole('radio', { name: 'service-03420', exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check the branch' })).toBeVisible();

  // Reload mid-wizard: the step and the choice are in the URL.
  await page.reload();
  await expect(page.getByText(/bigco-07\/service-03420 has a main branch/)).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel(GITHUB.groupLabel, { exact: true })).toHaveValue('bigco-07');
});

const ORDERS = 'pipelines/orders.orch.yaml';

/** A new user's project on acme-data/pipelines, left on its page. */
async function ordersProject(page: Page, name: string) {
  await newUserConnects(page);
  await chooseIn(page, 'acme-data', 'pipelines');
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, name);
  await expect(page.getByRole('row').filter({ hasText: ORDERS })).toBeVisible();
}

test('a pipeline changed on GitHub meanwhile: the user saves their text as a new pipeline, or reloads', async ({ page, request }) => {
  await ordersProject(page, 'Orders on GitHub');
  await pipelineChangedMeanwhile(page, ORDERS, 'GitHub', (path, content) => commitOnGitHub(request, path, content));
});

test('a GitHub grant revoked while editing offers Reconnect, and the typed text survives the round trip', async ({ page, request }) => {
  await ordersProject(page, 'Revoked on GitHub');
  await page.getByRole('link', { name: 'orders', exact: true }).click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { name: 'Edit orders' })).toBeVisible();
  const editor = page.getByLabel('Pipeline (YAML)');
  await editor.fill(MINE);

  await revokeOnGitHub(request);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Reconnect' }).click();
  // Still signed in on GitHub: its consent page asks again, as after a revocation.
  await consent(page, 'authorize');

  await expect(page.getByRole('heading', { name: 'Edit orders' })).toBeVisible();
  await expect(page.getByText(/unsaved changes were restored/)).toBeVisible();
  await expect(editor).toHaveValue(MINE);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('list', { name: `Contents of ${ORDERS}` })).toContainText('Begin:');
});

test('work on a GitHub branch: edit it, compare it with main, open the pull request, and see it merged', async ({ page, request }) => {
  await ordersProject(page, 'Branches on GitHub');
  const github = {
    name: GITHUB.name,
    pullRequestPage: (branch: string) => new RegExp(`/acme-data/pipelines/compare/main\\.\\.\\.${branch}\\?expand=1$`),
  };
  await workOnABranch(page, ORDERS, github, (branch) =>
    control(request, GH_CONTROL, 'merge', { owner: 'acme-data', repo: 'pipelines', branch, into: 'main', delete_branch: false }),
  );
});
