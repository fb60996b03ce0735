// Issue 26, item 9: a request cut on its way (by the network, or by a navigation that leaves
// the page meanwhile), or answered after its page is gone, never stops the app. On every page,
// every request the page makes (its API calls, and the code of pages fetched on demand in the
// split build) is cut, held while the user leaves (in the app, and by a full navigation) and
// then answered late or cut, and a few actions are sent and left the same way. No page error
// may appear, nor the crash banner (boot.js), which stays for what cannot go on (the app's
// own code failing to start).
import type { Page, Route } from '@playwright/test';
import { expect, test } from './fixtures';
import { nameAndCreateProject, newUserChoosesRepository } from './helpers';

const API = '**/api/**';
/** The split build's on-demand code: each page's chunk and the chunks pages share. */
const CHUNKS = /\/pkg\/(?!studio)[^/]*\.wasm(\?|$)/;

/** Holds the requests matching `pattern` (but those `pass` lets through) until released. */
class Held {
  private routes: Route[] = [];
  private released = false;

  constructor(
    private page: Page,
    private pattern: string | RegExp,
    private pass: (url: URL) => boolean = () => false,
  ) {}

  async start() {
    await this.page.route(this.pattern, (route) => {
      if (this.released || this.pass(new URL(route.request().url()))) return route.continue();
      this.routes.push(route);
    });
  }

  get count() {
    return this.routes.length;
  }

  /** Lets the held requests go on (late answers) or cuts them; new ones pass from now on. */
  async release(how: 'late' | 'cut') {
    this.released = true;
    for (const route of this.routes.splice(0)) {
      // A request the browser itself dropped (a full navigation) cannot be answered any more.
      await (how === 'late' ? route.continue() : route.abort('failed')).catch(() => {});
    }
    // Only now: a handler removed while requests wait in it lets them go on to the network.
    await this.page.unroute(this.pattern);
  }
}

/** Nothing went wrong so far: no page error, no crash banner. */
async function stillWorking(page: Page, errors: string[], where: string) {
  await page.waitForTimeout(150);
  expect(errors, where).toEqual([]);
  await expect(page.locator('#app-stopped'), where).toHaveCount(0);
}

/** Leaves the current page inside the app (the router disposes it; the document stays). */
async function leaveInApp(page: Page) {
  const home = new URL(page.url()).pathname === '/projects';
  const link = home
    ? page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' })
    : page.getByRole('link', { name: 'Pipeline Studio' });
  await link.click();
}

/** `/me` and `/info` pass, so the guard lets the page render and start its own requests. */
const sessionOnly = (url: URL) => url.pathname === '/api/me' || url.pathname === '/api/info';

test('no page stops working when its requests are cut, outlived or answered late', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));

  // A user with a project and a pipeline, so that every page has something to ask for.
  await newUserChoosesRepository(page, 'Alex Rivera', 'alex-rivera', 'sandbox-pipelines');
  await expect(page.getByText(/has a main branch/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await nameAndCreateProject(page, 'Cut short');
  const project = new URL(page.url()).pathname;
  const repository = 'workspace=alex-rivera&repository=sandbox-pipelines';
  const pages = [
    '/projects',
    '/projects/new',
    '/projects/new/quick-start/details',
    '/projects/new/quick-start/review',
    '/projects/new/advanced',
    '/projects/new/advanced/bitbucket',
    '/projects/new/advanced/bitbucket/repository?workspace=alex-rivera',
    `/projects/new/advanced/bitbucket/branch?${repository}`,
    `/projects/new/advanced/bitbucket/details?${repository}`,
    `/projects/new/advanced/bitbucket/review?${repository}`,
    project,
    `${project}/pipelines/view?path=hello.orch.yaml`,
    `${project}/pipelines/edit?path=hello.orch.yaml`,
    `${project}/pipelines/new`,
    '/settings/connections',
    '/sign-up/confirm#token=made-up',
    '/no-such-page',
  ];

  for (const path of pages) {
    // Every request cut: the API's and the on-demand code's.
    await page.route(API, (route) => route.abort('failed'));
    await page.route(CHUNKS, (route) => route.abort('failed'));
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    await stillWorking(page, errors, `${path}, everything cut`);
    await page.unroute(API);
    await page.unroute(CHUNKS);

    for (const how of ['late', 'cut'] as const) {
      // The page's own requests held while the user leaves it in the app, then answered.
      const api = new Held(page, API, sessionOnly);
      await api.start();
      await page.goto(path);
      await page.waitForTimeout(300);
      await leaveInApp(page);
      await api.release(how);
      await page.waitForLoadState('networkidle');
      await stillWorking(page, errors, `${path}, left in the app, then ${how}`);

      // Everything held (the on-demand code too) while the browser navigates elsewhere.
      const everything = [new Held(page, API), new Held(page, CHUNKS)];
      for (const held of everything) await held.start();
      await page.goto(path, { waitUntil: 'commit' });
      await page.waitForTimeout(300);
      await page.goto('/sign-up');
      for (const held of everything) await held.release(how);
      await page.waitForLoadState('networkidle');
      await stillWorking(page, errors, `${path}, left by a navigation, then ${how}`);
    }
  }

  // Actions sent, then their page left before the answer: saving a pipeline, saving the
  // pipelines folder (its answer runs the project page's callback), disconnecting (its answer
  // reloads the Connections page's state).
  const actions: { path: string; act: (page: Page) => Promise<void> }[] = [
    {
      path: `${project}/pipelines/edit?path=hello.orch.yaml`,
      act: async (page) => {
        const text = page.getByLabel('Pipeline (YAML)');
        await text.fill(`${await text.inputValue()}\n# cut short\n`);
        await page.getByLabel('Commit message').fill('Cut short');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
      },
    },
    {
      path: project,
      act: async (page) => {
        await page.getByText('Pipelines folder:').click();
        await page.getByLabel('Pipelines folder').fill(`pipelines-${Date.now()}`);
        await page.getByRole('button', { name: 'Save folder' }).click();
      },
    },
    {
      path: '/settings/connections',
      act: async (page) => {
        await page.getByRole('button', { name: 'Disconnect' }).click();
        await page.getByRole('button', { name: 'Yes, disconnect' }).click();
      },
    },
  ];
  for (const { path, act } of actions) {
    for (const how of ['cut', 'late'] as const) {
      await page.goto(path);
      await page.locator('h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const held = new Held(page, API, sessionOnly);
      await held.start();
      await act(page);
      await expect.poll(() => held.count, { message: `${path}: the action is on its way` }).toBeGreaterThan(0);
      await leaveInApp(page);
      await held.release(how);
      await page.waitForLoadState('networkidle');
      await stillWorking(page, errors, `${path}: an action ${how} after leaving`);
    }
  }
});

test('a page whose code is cut on its way says so, and the app goes on', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/sign-up');
  const split = await page.locator('link[href*="__wasm_split"]').count();
  test.skip(split === 0, 'only a split build (scripts/build-release-site.sh) loads pages on demand');

  await page.route(CHUNKS, (route) => route.abort('failed'));
  await page.goto('/sign-up/confirm#token=made-up');
  await expect(page.getByRole('heading', { name: 'This page could not be loaded' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('Reload the page');
  await page.unroute(CHUNKS);
  await page.getByRole('button', { name: 'Reload the page' }).click();
  await expect(page.getByRole('heading', { name: 'Finish creating your account' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('expired or was used already');
  await expect(page.locator('#app-stopped')).toHaveCount(0);
  expect(errors).toEqual([]);
});
