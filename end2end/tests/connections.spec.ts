// The connection's life as the user sees it: Settings → Connections (status, permissions,
// activity, Disconnect), and a revocation on Bitbucket's side that the wizard turns into
// "Reconnect", which returns to the same step.
import { test, expect } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { expectStepState, signUp, startAdvancedBitbucketProject } from './helpers';

test('the connections page connects, shows the activity and disconnects', async ({ page }) => {
  await signUp(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  await expect(page.getByText('Nothing has happened to this connection yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.getByRole('button', { name: 'Sign in as Nora Quinn' }).click();
  await page.getByRole('button', { name: 'Grant access' }).click();

  // Back on the same page, connected.
  await expect(page).toHaveURL(/\/settings\/connections$/);
  await expect(page.getByText('Connected to Bitbucket as Nora Quinn (@nora)')).toBeVisible();
  await expect(page.getByText('Account: Read, Repositories: Write')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Connected', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'as Nora Quinn (@nora)' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'App authorizations on Bitbucket' })).toHaveAttribute(
    'href',
    /\/account\/settings\/app-authorizations\/$/,
  );
  const accessibility = await new AxeBuilder({ page }).analyze();
  expect(accessibility.violations).toEqual([]);

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('button', { name: 'Keep the connection' }).click();
  await expect(page.getByText('Connected to Bitbucket as Nora Quinn (@nora)')).toBeVisible();
  // Keyboard only: the question takes focus to its answer.
  await page.getByRole('button', { name: 'Disconnect' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Yes, disconnect' })).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.getByRole('status')).toContainText('revoke it under App authorizations');
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Disconnected', exact: true })).toBeVisible();
});

test('a revocation on Bitbucket is shown as Reconnect, which returns to the same step', async ({ page, context }) => {
  await signUp(page);
  await startAdvancedBitbucketProject(page);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.getByRole('button', { name: 'Sign in as Lee Park' }).click();
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();

  // The user revokes the studio on Bitbucket's App authorizations page, in another tab.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  const [bitbucket] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('link', { name: 'App authorizations on Bitbucket' }).click(),
  ]);
  await bitbucket.getByRole('button', { name: 'Revoke' }).click();
  await expect(bitbucket.getByText(/no apps|not authorized any/i)).toBeVisible();
  await bitbucket.close();

  // Back in the wizard: the next Bitbucket call finds out and offers Reconnect.
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeVisible();
  await expect(page.getByText(/Reconnect to authorize again/)).toBeVisible();
  // Issue 28, item 2: the step bar does not call Connect done while it needs the user.
  await expectStepState(page, 'Connect', 'Needs attention');
  // Issue 28, item 8: Reconnect is drawn like every main button, on a panel like every other.
  const reconnect = page.getByRole('button', { name: 'Reconnect' });
  const look = (locator: typeof reconnect) =>
    locator.evaluate((element) => {
      const panel = element.closest('.panel');
      return [getComputedStyle(element).backgroundColor, panel ? getComputedStyle(panel).backgroundColor : ''];
    });
  const [reconnectColour, reconnectPanel] = await look(reconnect);
  const mainButton = await page.evaluate(() => {
    const probe = document.createElement('button');
    probe.className = 'button button-primary';
    document.body.append(probe);
    const colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour;
  });
  expect(reconnectColour, 'the blue of every main button').toBe(mainButton);
  expect(reconnectPanel, 'the panel of every main button, not the yellow of a warning').toBe('rgb(244, 245, 247)');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  // The grant is gone, so Bitbucket asks for consent again.
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page).toHaveURL(/\/projects\/new\/advanced\/bitbucket\/repository/);
  await expect(page.getByRole('heading', { name: 'Choose a repository' })).toBeVisible();
  await expect(page.getByRole('radio').first()).toBeVisible();
});
