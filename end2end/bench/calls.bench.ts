import { expect, test, type Page } from '@playwright/test';
import { input, output, signIn } from './common';
import {
  nameAndCreateProject,
  signInToBitbucketAs,
  signInWithForm,
  startAdvancedBitbucketProject,
  startAdvancedProject,
} from '../tests/helpers';

// Provider calls for one whole wizard run (figure 6): each account goes from the projects
// page through the wizard to its new project, authorizing its provider on the way; the
// provider's sandbox counts the server's calls. The project page's pipeline list is held
// until the count is read.

type Account = {
  label: string;
  email: string;
  /** `bitbucket` (Cloud) or `github`. */
  provider: 'bitbucket' | 'github';
  /** The provider's account: Cloud's display name, GitHub's login. */
  providerAccount: string;
  /** The repository step's group list label, and the group and repository chosen. */
  groupLabel: string;
  group: string;
  repository: string;
  /** The provider sandbox's control API. */
  controlUrl: string;
  /** Whether to count the next project too. */
  nextProject: boolean;
};
type Input = { signInPath: string; password: string; githubApp: string; accounts: Account[] };
type Stats = {
  api_requests: number;
  token_requests: { authorization_code: number; refresh_token: number };
  api_requests_by_endpoint: Record<string, number>;
};

const TOKEN_ENDPOINT = { bitbucket: 'POST /site/oauth2/access_token', github: 'POST /login/oauth/access_token' };
const SHORT_NAME = { bitbucket: 'Bitbucket', github: 'GitHub' };
const GITHUB = { name: 'GitHub', shortName: 'GitHub', wizard: '/projects/new/advanced/github', groupLabel: 'Account' };

function countOf(account: Account, stats: Stats) {
  const tokens = stats.token_requests.authorization_code + stats.token_requests.refresh_token;
  return {
    calls: stats.api_requests + tokens,
    byEndpoint: { ...stats.api_requests_by_endpoint, [TOKEN_ENDPOINT[account.provider]]: tokens },
  };
}

async function startProject(page: Page, account: Account) {
  if (account.provider === 'github') {
    await startAdvancedProject(page, GITHUB);
  } else {
    await startAdvancedBitbucketProject(page);
  }
}

/** The provider's sign-in and consent pages, as the account. */
async function authorizeOnProvider(page: Page, account: Account, githubApp: string, password: string) {
  if (account.provider === 'bitbucket') {
    await signInToBitbucketAs(page, account.providerAccount);
    return;
  }
  const form = { user: 'Username or email address', password: 'Password', button: 'Sign in' };
  await signInWithForm(page, form, account.providerAccount, password);
  const consent = page.getByRole('button', { name: `Authorize ${githubApp}` });
  const backInStudio = page.waitForURL((url) => url.pathname.startsWith('/projects/'));
  await Promise.race([consent.waitFor(), backInStudio]);
  if (await consent.isVisible()) {
    await consent.click();
  }
  await backInStudio;
}

test('provider calls for one wizard run', async ({ browser }) => {
  const { signInPath, password, githubApp, accounts } = input<Input>();
  const counted: Record<string, { calls: number; byEndpoint: Record<string, number> }> = {};
  for (const account of accounts) {
    const stats = async (): Promise<Stats> => (await page.request.get(`${account.controlUrl}/stats`)).json();
    const clear = async () => expect((await page.request.delete(`${account.controlUrl}/stats`)).ok()).toBeTruthy();
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, signInPath, account.email, password);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/projects/*/pipelines', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/projects');
    await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
    await clear();

    await startProject(page, account);
    await page.getByRole('button', { name: 'Authorize' }).click();
    await authorizeOnProvider(page, account, githubApp, 'sandbox');
    await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
    const group = page.getByLabel(account.groupLabel, { exact: true });
    if ((await group.inputValue()) !== account.group) {
      await group.selectOption(account.group);
      await expect(page).toHaveURL(new RegExp(`workspace=${account.group}`));
    }
    await expect(page.getByRole('radio').first()).toBeVisible();
    // Searched for only when it is not among the first repositories, as a person would.
    const radio = page.getByRole('radio', { name: account.repository, exact: true });
    if (!(await radio.isVisible())) {
      await page.getByRole('searchbox', { name: 'Search repositories' }).fill(account.repository);
    }
    await radio.check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const create = page.getByRole('button', { name: /^Create main/ });
    const ready = page.getByText(/has a main branch/);
    await expect(create.or(ready)).toBeVisible();
    if (await create.isVisible()) {
      await create.click();
      await expect(ready).toBeVisible();
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await nameAndCreateProject(page, `Counted ${account.group}`);

    const counts = await stats();
    release();
    counted[account.label] = countOf(account, counts);

    // The next project: the connect step prepares the repository step when the user is about
    // to continue (issue 29). What the step costs when the user reads it and leaves, and
    // what continuing costs.
    if (account.nextProject) {
      await page.goto('/projects');
      await clear();
      await startProject(page, account);
      await expect(page.getByText(new RegExp(`Connected to ${SHORT_NAME[account.provider]} as`))).toBeVisible();
      await page.waitForTimeout(1000);
      counted[`${account.label}: next project, connect step left`] = countOf(account, await stats());
      const prepared = page.waitForResponse((response) => response.url().includes('/repository-picker'));
      await page.getByRole('button', { name: 'Continue' }).hover();
      await prepared;
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('radio').first()).toBeVisible();
      counted[`${account.label}: next project, on to the first repositories`] = countOf(account, await stats());
    }
    await context.close();
  }
  output(counted);
});
