import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = 'correct horse battery';

/** An address no test has used. */
export function freshEmail(): string {
  return `ada-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/**
 * A fresh studio account per test, so tests never depend on each other's data: the sign-up
 * form, then the link mailed to the address (read from the studio's own mailbox, as the
 * sandbox keeps its mail), then "Create the account for …". Ends where the sign-up would continue.
 */
export async function signUp(page: Page, email = freshEmail()): Promise<string> {
  await page.goto('/sign-up');
  await submitSignUp(page, email);
  await openSignUpLink(page, email);
  await page.getByRole('button', { name: `Create the account for ${email}` }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  return email;
}

/** Fills and sends the sign-up form shown on the page; the page then says to check the mail. */
export async function submitSignUp(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
}

/**
 * Opens the studio's mailbox for `email`, reloading until the newest mail is there. Mail is
 * sent a moment after the answer, so a mail sent earlier to the same address can be the only
 * one on the first load: `subject` names the mail expected to be the newest.
 */
export async function openMailbox(page: Page, email: string, subject?: string) {
  await expect(async () => {
    await page.goto(`/_sandbox/mail?to=${encodeURIComponent(email)}`);
    const newest = page.getByRole('article').first();
    await expect(newest).toBeVisible({ timeout: 500 });
    if (subject) await expect(newest.getByRole('heading')).toHaveText(subject, { timeout: 500 });
  }).toPass({ timeout: 10_000 });
}

/** Follows the sign-up link of the newest mail to `email`. */
export async function openSignUpLink(page: Page, email: string) {
  await openMailbox(page, email);
  await page.getByRole('article').first().getByRole('link', { name: /sign-up\/confirm/ }).click();
  await expect(page.getByRole('heading', { name: 'Finish creating your account' })).toBeVisible();
}

/** From the projects page to the wizard's Bitbucket step. */
export async function startAdvancedBitbucketProject(page: Page) {
  await page.getByRole('link', { name: 'New project' }).click();
  await expect(page.getByRole('heading', { name: 'Select project configuration' })).toBeVisible();
  await page.getByRole('button', { name: /^Advanced settings/ }).click();
  await expect(page.getByRole('heading', { name: 'Select Git provider' })).toBeVisible();
  await page.getByRole('button', { name: 'Bitbucket Cloud' }).click();
}

/**
 * A Git provider as the studio shows it, for the helpers below that work on any of them
 * (Data Center, GitHub, …).
 */
export interface Provider {
  /** Its choice on "Select Git provider" (`ProviderInfo.name`): "GitHub (sandbox)". */
  name: string;
  /** Its name in sentences (`ProviderWording.short_name`): "Connect GitHub". */
  shortName: string;
  /** The wizard's address for it: /projects/new/advanced/{provider}. */
  wizard: string;
  /** The label of the repository step's group list: "Project", "Account". */
  groupLabel: string;
}

/** From the projects page to the wizard's Connect step of `provider`. */
export async function startAdvancedProject(page: Page, provider: Provider) {
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByRole('button', { name: /^Advanced settings/ }).click();
  await expect(page.getByRole('heading', { name: 'Select Git provider' })).toBeVisible();
  await page.getByRole('button', { name: provider.name }).click();
  await expect(page).toHaveURL(new RegExp(`${provider.wizard}$`));
  await expect(page.getByRole('heading', { name: `Connect ${provider.shortName}`, level: 1 })).toBeVisible();
}

/** A provider's own sign-in form: its labels and its button. */
export interface SignInForm {
  user: string;
  password: string;
  button: string;
}

/** On a provider sandbox's sign-in page: fills in `user` and `password` and signs in. */
export async function signInWithForm(page: Page, form: SignInForm, user: string, password: string) {
  await page.getByLabel(form.user).fill(user);
  await page.getByLabel(form.password).fill(password);
  await page.getByRole('button', { name: form.button }).click();
}

/**
 * A new studio user connects `provider` from the wizard (`signInAndConsent` does the
 * provider's own pages) and arrives at the repository step.
 */
export async function newUserConnects(page: Page, provider: Provider, signInAndConsent: (page: Page) => Promise<void>) {
  await signUp(page);
  await startAdvancedProject(page, provider);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInAndConsent(page);
  await expect(page).toHaveURL(new RegExp(`${provider.wizard}/repository`));
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
}

/** At the repository step: `group`, `repository`, on to the branch step. */
export async function chooseRepository(page: Page, provider: Provider, group: string, repository: string) {
  await page.getByLabel(provider.groupLabel, { exact: true }).selectOption(group);
  await page.getByRole('radio', { name: repository, exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Check the branch' })).toBeVisible();
}

/** A call to a provider sandbox's control API (`{sandbox}/_control/{action}`) that must succeed. */
export async function control(request: APIRequestContext, controlBase: string, action: string, data: object) {
  const answer = await request.post(`${controlBase}/${action}`, { data });
  expect(answer.ok(), `${controlBase}/${action} answered ${answer.status()}: ${await answer.text()}`).toBeTruthy();
}

/** A pipeline as the user types it in the editor, and as someone else commits it. */
export const MINE = `type: "orchestration"
version: "1.0"
pipeline:
  components:
    Begin:
      type: "start"
`;

export const THEIRS = `type: "orchestration"
version: "1.0"
pipeline:
  components:
    Kick off:
      type: "start"
`;

/**
 * On a project's page: the pipeline at `path` is edited while someone else commits to it
 * (`commitElsewhere`, through the provider sandbox's control API). Saving says it changed on
 * `providerLabel` (the provider as its errors name it) meanwhile and keeps the typed text;
 * the user saves that text as a new pipeline, and their version is intact. Editing it again
 * and meeting another commit, the user reloads theirs.
 */
export async function pipelineChangedMeanwhile(
  page: Page,
  path: string,
  providerLabel: string,
  commitElsewhere: (path: string, content: string) => Promise<void>,
) {
  const file = path.split('/').pop()!;
  const name = file.replace(/\.(orch|tran)\.yaml$/, '');
  const copy = path.replace(/\.(orch|tran)\.yaml$/, '-copy.$1.yaml');
  const editor = page.getByLabel('Pipeline (YAML)');
  const openEditor = async () => {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: `Edit ${name}` })).toBeVisible();
  };

  await expect(page.getByRole('row').filter({ hasText: path })).toBeVisible();
  await openEditor();
  await editor.fill(MINE);
  // Someone commits a new version of the same file after the editor opened it.
  await commitElsewhere(path, THEIRS);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText(`changed on ${providerLabel} since you opened it`);
  await expect(editor).toHaveValue(MINE);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Save my text as a new pipeline' }).click();
  await expect(page.getByLabel('Path')).toHaveValue(copy);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: `${name}-copy`, level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: `Contents of ${copy}` })).toContainText('Begin:');

  // Their version is intact; editing it again and meeting another commit, the user reloads.
  await page.getByRole('link', { name: 'Back to the project' }).click();
  await openEditor();
  await expect(editor).toHaveValue(THEIRS);
  await editor.fill(MINE);
  await commitElsewhere(path, THEIRS.replace('Kick off', 'Go'));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Reload the pipeline (discard my changes)' }).click();
  await expect(editor).toHaveValue(THEIRS.replace('Kick off', 'Go'));
}

/**
 * On the sandbox's sign-in page: signs in as `account`, then grants access if Bitbucket asks
 * (it does not when this account granted the studio before, as on bitbucket.org).
 */
export async function signInToBitbucketAs(page: Page, account: string) {
  await page.getByRole('button', { name: `Sign in as ${account}` }).click();
  const grant = page.getByRole('button', { name: 'Grant access' });
  // Either Bitbucket's consent page, or straight back to the studio (outside /_sandbox/).
  const backInStudio = page.waitForURL((url) => !url.pathname.startsWith('/_sandbox/'));
  await Promise.race([grant.waitFor(), backInStudio]);
  if (await grant.isVisible()) {
    await grant.click();
  }
  await backInStudio;
}

/**
 * A new studio user authorizes Bitbucket as `account` and chooses `workspace/repository`,
 * arriving at the branch step.
 */
export async function newUserChoosesRepository(page: Page, account: string, workspace: string, repository: string) {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, account);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.getByLabel('Workspace').selectOption(workspace);
  await page.getByRole('radio', { name: repository }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Project details → Review and create → the new project's page. */
export async function nameAndCreateProject(page: Page, name: string) {
  await expect(page.getByRole('heading', { name: 'Project details' })).toBeVisible();
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Review and create' })).toBeVisible();
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** axe-core finds no violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations, violations.map((v) => `${v.id}: ${v.help}`).join('\n')).toEqual([]);
}

/**
 * A screenshot for README.md: written to docs/screenshots/ when UPDATE_SCREENSHOTS is set
 * (`UPDATE_SCREENSHOTS=1 ./scripts/test.sh`), else into the test's output folder.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = process.env.UPDATE_SCREENSHOTS
    ? `../docs/screenshots/${name}.png`
    : testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
}

/**
 * Expects the wizard's step bar to say `state` of the step labelled `label`, as a screen
 * reader hears it: 'Completed', 'Needs attention', 'Not started', or 'current'
 * (`aria-current="step"`).
 */
export async function expectStepState(page: Page, label: string, state: 'Completed' | 'Needs attention' | 'Not started' | 'current') {
  const step = page
    .getByRole('list', { name: 'Project setup steps' })
    .getByRole('listitem')
    .filter({ hasText: new RegExp(`^(\\w[\\w ]*: )?${label}$`) });
  if (state === 'current') {
    await expect(step).toHaveAttribute('aria-current', 'step');
  } else {
    await expect(step).toHaveText(`${state}: ${label}`);
  }
}

/** How a provider's pull request page and messages read, for [`workOnABranch`]. */
export interface BranchProvider {
  /** The provider as the project page names it ("GitHub (sandbox)"). */
  name: string;
  /** The address of its page creating a pull request of `branch` into main. */
  pullRequestPage: (branch: string) => RegExp;
}

/**
 * On a project's page, its pipeline at `path` listed on main: a new branch (its name checked
 * as it is typed), an edit saved on it, the comparison with main and the file's diff, the
 * provider's pull request page in a new tab, main unchanged, then a merge on the provider
 * (`merge`, through its sandbox's control API) noticed, and main with the edit.
 */
export async function workOnABranch(page: Page, path: string, provider: BranchProvider, merge: (branch: string) => Promise<void>) {
  const name = path.split('/').pop()!.replace(/\.(orch|tran)\.yaml$/, '');
  const branch = 'feature/faster-orders';
  const current = page.locator('.branch-current');
  const contents = page.getByRole('list', { name: `Contents of ${path}` });
  const openPipeline = async () => {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  };

  await expect(current).toContainText('main');
  await page.getByRole('button', { name: 'New branch' }).click();
  const branchName = page.getByLabel('Branch name');
  await branchName.fill('faster..orders');
  await expect(page.locator('#new-branch-error'), "Git's rule, as the user types").toContainText('“..”');
  await branchName.fill(branch);
  await page.getByRole('button', { name: 'Create branch' }).click();
  await expect(current).toContainText(branch);
  await expect(page).toHaveURL(/[?&]branch=feature%2Ffaster-orders/);
  await expect(page.getByText('Nothing to compare: this branch has no commits that main lacks.')).toBeVisible();

  // An edit on the branch.
  await openPipeline();
  await expect(page.getByRole('definition').filter({ hasText: branch })).toBeVisible();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByText(`Saving commits to the branch ${branch}.`)).toBeVisible();
  await page.getByLabel('Pipeline (YAML)').fill(MINE);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(contents).toContainText('Begin:');
  await page.getByRole('link', { name: 'Back to the project' }).click();

  // Compared with main: the file, its diff, the pull request page.
  await expect(current).toContainText(branch);
  await expect(page.getByText('1 commit ahead of main, 0 commits behind.')).toBeVisible();
  const files = page.getByRole('list', { name: 'Changed files' });
  await expect(files).toContainText(path);
  await files.getByRole('button', { name: `Show changes to ${path}` }).click();
  const diff = page.getByRole('table', { name: `Changes to ${path}` });
  await expect(diff.locator('.diff-added')).toContainText('Begin:');
  await expect(diff.locator('.diff-removed').first()).toBeVisible();
  await expectAccessible(page);
  const opened = page.context().waitForEvent('page');
  await page.getByRole('link', { name: 'Open a pull request' }).click();
  const tab = await opened;
  await expect(tab).toHaveURL(provider.pullRequestPage(branch));
  await expect(tab.getByRole('heading', { level: 1 })).toContainText(/pull request/i);
  await expect(tab.getByLabel('Source branch')).toHaveValue(branch);
  await expect(tab.getByLabel('Destination branch')).toHaveValue('main');
  await tab.close();

  // main is as it was.
  await page.getByRole('button', { name: 'Switch branch' }).click();
  await page.getByRole('button', { name: /^main/ }).click();
  await expect(current).toContainText('main');
  await openPipeline();
  await expect(contents).not.toContainText('Begin:');
  await page.getByRole('link', { name: 'Back to the project' }).click();

  // Back on the branch, found by a search; then merged on the provider.
  await page.getByRole('button', { name: 'Switch branch' }).click();
  await page.getByLabel('Find a branch').fill('faster');
  await page.getByRole('button', { name: new RegExp(`^${branch}`) }).click();
  await expect(current).toContainText(branch);
  await merge(branch);
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: `This branch was merged into main on ${provider.name}.` })).toBeVisible();
  await page.getByRole('button', { name: 'Switch to main' }).click();
  await expect(current).toContainText('main');
  await openPipeline();
  await expect(contents).toContainText('Begin:');
}
