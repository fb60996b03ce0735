// The studio keeps pipelines on `main`: the wizard checks the chosen repository and offers to
// create the branch, from the default branch or, in an empty repository, with a first commit.
import { test, expect } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import {
  nameAndCreateProject,
  newUserChoosesRepository,
  signInToBitbucketAs,
  signUp,
  startAdvancedBitbucketProject,
} from './helpers';

test('a repository without main gets it from its default branch, then the project is created', async ({ page }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await signInToBitbucketAs(page, 'Lee Park');
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.getByRole('radio', { name: 'etl-jobs' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Check the branch' })).toBeVisible();
  await expect(page.getByText(/has no branch named main/)).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await page.getByRole('button', { name: 'Create main from master' }).click();
  await expect(page.getByText(/lee-park\/etl-jobs has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();

  await nameAndCreateProject(page, 'Ops jobs');
  await expect(page.getByText('lee-park/etl-jobs')).toBeVisible();
});

test('an empty repository gets a first commit on main', async ({ page }) => {
  await newUserChoosesRepository(page, 'Alex Rivera', 'alex-rivera', 'empty-repo');

  await expect(page.getByText(/alex-rivera\/empty-repo is empty/)).toBeVisible();
  // A normal case the studio handles: the next thing to do, not a warning.
  await expect(page.getByText(/alex-rivera\/empty-repo is empty/)).not.toHaveClass(/panel-warning/);
  // Reloading keeps the step and the choice (they live in the URL).
  await page.reload();
  await expect(page.getByText(/alex-rivera\/empty-repo is empty/)).toBeVisible();
  await page.getByRole('button', { name: 'Create the first commit' }).click();
  await expect(page.getByText(/alex-rivera\/empty-repo has a main branch/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Continue' })).toBeVisible();
});
