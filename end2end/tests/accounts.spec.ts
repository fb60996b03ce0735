// Studio accounts: sign-up through the mailed link (the answer is the same for every
// address), and sign-in links that someone else crafted.
import { expect, test } from './fixtures';
import { expectAccessible, freshEmail, openMailbox, openSignUpLink, PASSWORD, signUp, startAdvancedBitbucketProject, submitSignUp } from './helpers';

test('signing up mails a link that creates the account and continues where the user was', async ({ page }) => {
  await page.goto('/projects/new');
  await expect(page).toHaveURL(/\/sign-in\?return_to=/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your studio account' })).toBeVisible();
  const email = freshEmail();
  await submitSignUp(page, email);
  await expect(page.getByRole('status')).toContainText(email);
  await expectAccessible(page);

  // The sandbox keeps its mail: the page says where.
  await page.getByRole('link', { name: "open the studio's mailbox" }).click();
  await expect(page.getByRole('heading', { name: 'Studio mailbox' })).toBeVisible();
  // Issue 28, item 7: the mailbox is a studio page (its frame, its stylesheet, a way back).
  await expect(page.getByRole('link', { name: 'Pipeline Studio' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the studio' })).toBeVisible();
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), "the studio's stylesheet").toBe('rgb(244, 245, 247)');
  await expectAccessible(page);
  await openSignUpLink(page, email);
  await expectAccessible(page);
  await page.getByRole('button', { name: `Create the account for ${email}` }).click();
  await expect(page.getByRole('heading', { name: 'Select project configuration' })).toBeVisible();

  // The link is single use: the page says so before offering anything.
  await openSignUpLink(page, email);
  await expect(page.getByRole('alert')).toContainText('expired or was used already');
  await expect(page.getByRole('button', { name: /^Create the account|^Sign out of/ })).toHaveCount(0);
});

test('signing up with an address that has an account looks the same, and only the mail says so', async ({ page, browser }) => {
  const email = await signUp(page);
  const stranger = await browser.newPage();
  await stranger.goto('/sign-up');
  await submitSignUp(stranger, email);
  await expect(stranger.getByRole('status')).toContainText(email);
  // The account's own sign-up mail is already there: wait for the one this attempt sent.
  await openMailbox(stranger, email, 'You already have a Pipeline Studio account');
  await stranger.close();
});

// Issue 26, item 2: someone signs up and gets a signed-in person to open the link. The page
// names both addresses and asks; nothing changes until that person chooses.
test('a sign-up link opened where someone else is signed in names both and asks before switching', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  // The sender signs up in a browser of their own and takes the link from the mail.
  const sender = await browser.newContext();
  const senderPage = await sender.newPage();
  const senderEmail = freshEmail();
  await senderPage.goto('/sign-up');
  await submitSignUp(senderPage, senderEmail);
  await openMailbox(senderPage, senderEmail);
  const link = await senderPage.getByRole('article').first().getByRole('link', { name: /sign-up\/confirm/ }).getAttribute('href');
  expect(link).toContain('#token=');
  await sender.close();

  // The victim, signed in, opens it.
  const victim = await signUp(page);
  const signedInAs = async () => (await (await page.request.get('/api/me')).json()).email;
  await page.goto(link!);
  await expect(page.getByRole('heading', { name: 'Finish creating your account' })).toBeVisible();
  await expect(page.getByText(`You are signed in as ${victim}. This link is for another account, ${senderEmail}.`)).toBeVisible();
  const switchAccounts = page.getByRole('button', { name: `Sign out of ${victim} and create ${senderEmail}` });
  await expect(switchAccounts).toBeVisible();
  await expect(page.getByRole('button', { name: /^Create the account/ })).toHaveCount(0);
  await expectAccessible(page);
  expect(await signedInAs(), 'opening the link changes nothing').toBe(victim);

  // Staying is one click, and keeps the victim signed in.
  await page.getByRole('link', { name: `Stay signed in as ${victim}` }).click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  expect(await signedInAs()).toBe(victim);

  // The link still works; switching is a choice made in words.
  await page.goto(link!);
  await switchAccounts.click();
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await expect(page.locator('.account-email')).toHaveText(senderEmail);
  expect(await signedInAs()).toBe(senderEmail);
  expect(errors).toEqual([]);
});

test('a crafted sign-in link cannot send anyone elsewhere, and the app keeps working', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const email = await signUp(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  for (const crafted of ['%2F.%2F%2Fevil.example%2Fphish', '%2F%2e%2F%2Fevil.example', '%2Fa%2F..%2F%2Fevil.example']) {
    await page.goto(`/sign-in?return_to=${crafted}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/projects$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
  }
  expect(errors).toEqual([]);
});

test('a session that ended while the user was away leads to sign-in and back to the same step', async ({ page }) => {
  const email = await signUp(page);
  await startAdvancedBitbucketProject(page);
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
  const step = page.url();

  // Seven days without use: the browser drops the cookie as the server drops the session
  // (the server's side is proved with a test clock, sessions.rs).
  await page.context().clearCookies();
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in\?return_to=/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('note').filter({ hasText: 'Sign in to continue where you were' })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(step);
  await expect(page.getByRole('button', { name: 'Authorize' })).toBeVisible();
});
