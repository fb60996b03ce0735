// A project's pipelines, stored in its Bitbucket repository: list, open, edit with inline
// YAML checks, save as a commit and read it back after a reload; a branch moved on Bitbucket
// between opening and saving (through the sandbox's control API) never loses either text;
// a revoked connection offers Reconnect and the typed text survives the round trip.
import type { Page } from '@playwright/test';
import { CONTROL, expect, test } from './fixtures';
import { expectAccessible, nameAndCreateProject, newUserChoosesRepository, screenshot, workOnABranch } from './helpers';

const MINE = `type: "orchestration"
version: "1.0"
pipeline:
  components:
    Begin:
      type: "start"
`;

const THEIRS = `type: "orchestration"
version: "1.0"
pipeline:
  components:
    Kick off:
      type: "start"
`;

/** A new user's project on alex-rivera/sandbox-pipelines, left on its page. */
async function sandboxPipelinesProject(page: Page, name: string) {
  await newUserChoosesRepository(page, 'Alex Rivera', 'alex-rivera', 'sandbox-pipelines');
  await expect(page.getByText(/has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, name);
  await expect(page.getByRole('table')).toBeVisible();
}

async function pushToBitbucket(page: Page, files: Record<string, string>) {
  const pushed = await page.request.post(`${CONTROL}/commit`, {
    data: { nickname: 'alex', workspace: 'alex-rivera', repository: 'sandbox-pipelines', message: 'Pushed from a laptop', files },
  });
  expect(pushed.ok()).toBeTruthy();
}

const editor = (page: Page) => page.getByLabel('Pipeline (YAML)');

async function openEditor(page: Page, name: string) {
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { name: `Edit ${name}` })).toBeVisible();
}

test('edit a pipeline with inline checks, save it as a commit, and read it back after a reload', async ({ page }, testInfo) => {
  await sandboxPipelinesProject(page, 'Sandbox pipelines');
  const rows = page.getByRole('row');
  await expect(rows.filter({ hasText: 'hello.orch.yaml' })).toContainText('Orchestration');
  await expect(rows.filter({ hasText: 'transform/demo.tran.yaml' })).toContainText('Transformation');
  await expect(page.getByText(/on branch main/)).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '9-pipelines');

  await page.getByRole('link', { name: 'hello', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'hello', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Contents of hello.orch.yaml' }).getByRole('listitem').first()).toHaveText('type: "orchestration"');
  // It reads as a file, as the editor shows it: numbers in a gutter (no list markers), the
  // lines on one surface (no box per line).
  const firstLine = page.getByRole('list', { name: 'Contents of hello.orch.yaml' }).getByRole('listitem').first();
  expect(await firstLine.evaluate((line) => getComputedStyle(line).listStyleType)).toBe('none');
  expect(await firstLine.evaluate((line) => getComputedStyle(line, '::before').content)).toBe('counter(line)');
  expect(await firstLine.locator('code').evaluate((code) => getComputedStyle(code).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { name: 'Edit hello' })).toBeVisible();
  await expect(page.getByText('No problems found.')).toBeVisible();
  // A mistake is pointed at its line as it is typed, and saving is held back.
  await editor(page).fill(MINE.replace('      type: "start"\n', '      kind: "start"\n'));
  await expect(page.getByRole('button', { name: /^Line 5, column 5: The step "Begin" has no type/ })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, '10-pipeline-editor');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Fix them, then save');

  await editor(page).fill(MINE);
  await expect(page.getByText('No problems found.')).toBeVisible();
  await page.getByLabel('Commit message').fill('Rename the start step');
  await page.getByRole('button', { name: 'Save' }).click();

  await expect(page.getByRole('heading', { name: 'hello', level: 1 })).toBeVisible();
  const contents = page.getByRole('list', { name: 'Contents of hello.orch.yaml' });
  await expect(contents).toContainText('Begin:');
  await page.reload();
  await expect(contents).toContainText('Begin:');
  await expect(page.getByText('Rename the start step')).toBeVisible();

  await page.getByRole('link', { name: 'Back to the project' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'hello.orch.yaml' })).toContainText('Rename the start step');
});

test('a pipeline changed on Bitbucket meanwhile: the user saves their text as a new pipeline, or reloads', async ({ page }) => {
  await sandboxPipelinesProject(page, 'Conflicts');
  await openEditor(page, 'hello');
  await editor(page).fill(MINE);

  // Someone pushes a new version of the same file after the editor opened it.
  await pushToBitbucket(page, { 'hello.orch.yaml': THEIRS });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('changed on Bitbucket since you opened it');
  await expect(editor(page)).toHaveValue(MINE);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Save my text as a new pipeline' }).click();
  await expect(page.getByLabel('Path')).toHaveValue('hello-copy.orch.yaml');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'hello-copy', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Contents of hello-copy.orch.yaml' })).toContainText('Begin:');

  // Their version is intact; editing it again and meeting another push, the user reloads.
  await page.getByRole('link', { name: 'Back to the project' }).click();
  await openEditor(page, 'hello');
  await expect(editor(page)).toHaveValue(THEIRS);
  await editor(page).fill(MINE);
  await pushToBitbucket(page, { 'hello.orch.yaml': THEIRS.replace('Kick off', 'Go') });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Reload the pipeline (discard my changes)' }).click();
  await expect(editor(page)).toHaveValue(THEIRS.replace('Kick off', 'Go'));
});

test('a revoked connection offers Reconnect, and the typed text survives the round trip', async ({ page }) => {
  await sandboxPipelinesProject(page, 'Revoked');
  await openEditor(page, 'hello');
  await editor(page).fill(MINE);

  await page.request.post(`${CONTROL}/revoke`, { data: { nickname: 'alex', consumer: 'pipeline-studio-sandbox' } });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Reconnect' }).click();
  // Still signed in on Bitbucket: its consent page asks again, as after a revocation.
  await page.getByRole('button', { name: 'Grant access' }).click();

  await expect(page.getByRole('heading', { name: 'Edit hello' })).toBeVisible();
  await expect(page.getByText(/unsaved changes were restored/)).toBeVisible();
  await expect(editor(page)).toHaveValue(MINE);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('list', { name: 'Contents of hello.orch.yaml' })).toContainText('Begin:');
});

// Issue 28, item 4: the project page reads top to bottom: its facts, its pipelines with the
// branch's latest commit as one line, and the rarely changed folder setting last.
test('the project page puts the pipelines right after the facts, and the folder setting after them', async ({ page }) => {
  await sandboxPipelinesProject(page, 'Layout');
  const head = page.locator('.branch-head');
  await expect(head).toContainText('Latest commit on main:');
  const message = await head.locator('.change-message').boundingBox();
  const meta = await head.locator('.change-meta').boundingBox();
  expect(message && meta, 'the commit line is drawn').toBeTruthy();
  expect(Math.abs(message!.y - meta!.y), 'message, author, date and commit read as one line').toBeLessThan(4);

  const folder = page.getByLabel('Pipelines folder');
  await expect(folder, 'the setting waits behind its summary').toBeHidden();
  const summary = page.getByText('Pipelines folder:');
  const table = await page.getByRole('table').boundingBox();
  const setting = await summary.boundingBox();
  expect(setting!.y, 'the setting comes after the pipelines').toBeGreaterThan(table!.y + table!.height);
  await expect(summary).toContainText('the repository root');

  await summary.click();
  const save = page.getByRole('button', { name: 'Save folder' });
  await expect(save, 'never drawn as disabled').toBeEnabled();
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: 'The folder is unchanged.' })).toBeVisible();
  await expectAccessible(page);
});

test('delete a pipeline after confirming', async ({ page }) => {
  await sandboxPipelinesProject(page, 'Deletions');
  await page.getByRole('link', { name: 'demo', exact: true }).click();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByLabel('Commit message')).toHaveValue('Delete transform/demo.tran.yaml');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Delete pipeline' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'hello.orch.yaml' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'demo.tran.yaml' })).toHaveCount(0);
  await expect(page.getByText('1 pipeline', { exact: true })).toBeVisible();
});

test('a pipeline nested far too deep, committed elsewhere, opens in the editor with one clear problem', async ({ page }) => {
  // Anyone with write access can commit this; it once crashed the editor (its YAML check
  // recursed once per level) and, saved, the server.
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await sandboxPipelinesProject(page, 'Deep files');
  await pushToBitbucket(page, { 'deep.orch.yaml': `${'- '.repeat(100_000)}x` });
  await page.reload();
  await openEditor(page, 'deep');
  await expect(page.getByRole('button', { name: /deeper than 64 levels/ })).toBeVisible();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Fix them, then save');
  // The app is alive: it still navigates.
  await page.getByRole('link', { name: 'Projects' }).first().click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});

// Issue 31: a branch of its own, compared with main, reviewed on Bitbucket's own page.
test('work on a branch: edit it, compare it with main, open the pull request on Bitbucket, and see it merged', async ({ page }) => {
  await sandboxPipelinesProject(page, 'Branches');
  const bitbucket = {
    name: 'Bitbucket Cloud',
    pullRequestPage: (branch: string) =>
      new RegExp(`/alex-rivera/sandbox-pipelines/pull-requests/new\\?source=${encodeURIComponent(branch)}&dest=main$`),
  };
  await workOnABranch(page, 'hello.orch.yaml', bitbucket, async (branch) => {
    const merged = await page.request.post(`${CONTROL}/merge`, {
      data: { nickname: 'alex', workspace: 'alex-rivera', repository: 'sandbox-pipelines', branch, into: 'main', delete_branch: false },
    });
    expect(merged.ok(), await merged.text()).toBeTruthy();
  });
});
