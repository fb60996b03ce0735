import { test } from '@playwright/test';
import { input, output, signIn } from './common';

// The repository step at several account sizes and on each provider, timed inside the page (performance.now()),
// from the user's action to the frame that paints its result:
// - first: "Continue" clicked the moment the connect step shows it → the first repositories
//   (the click's own pointer movement is the only sign of intent: the step asks on it);
//   firstAnswer: when, from the same click, the picker's answer had arrived (Resource Timing's
//   responseEnd), so the figure splits into the round trip and the page's own time;
// - prepared: the pointer over "Continue" first (the step prepares the first screen then), the
//   click once that answer is back → the first repositories;
// - loaded: the search box's input event, for a repository already on screen → only it listed;
// - fresh: the same for a term typed for the first time, whose repository is not loaded →
//   only it listed (the provider's answer);
// - typedCalls: the provider calls one name costs, typed a key at a time (100 ms apart), every
//   superseded request included (on the first pass, before the server keeps any of its
//   prefixes' answers);
// - reachable: "Continue" → the last repository of the last workspace on screen, with the
//   page driven as fast as a script can: choose the last workspace as soon as the list is
//   there, type that repository's name at once.

type Account = {
  key: string;
  connectPath: string;
  pickerPath: string;
  controlUrl: string;
  email: string;
  workspaces: number;
  lastWorkspace: string;
  lastRepository: string;
  /** Repositories of the group the step opens on, to search for the first time. */
  freshTerms: string[];
};
type Input = { runs: number; signInPath: string; password: string; accounts: Account[] };
type Figures = {
  first: number[];
  /** Per run, beside `first`; -1 where the page saw no answer arrive (none can be missed). */
  firstAnswer: number[];
  prepared: number[];
  loaded: number[];
  fresh: number[];
  typedCalls: number[];
  keystrokes: number;
  reachable: number[];
};

declare global {
  interface Window {
    __bench: Record<string, number | undefined>;
  }
}

/** Starts a clock at the next click, and stops `mark` at the frame after `done()` holds. */
function arm(args: {
  mark: string;
  done: string;
  workspace?: string;
  repository?: string;
  term?: string;
  workspaces?: number;
  answerOf?: string;
}) {
  const b = (window.__bench = {});
  const radios = () => [...document.querySelectorAll<HTMLInputElement>('input[type=radio]')];
  const conditions: Record<string, () => boolean> = {
    first: () => radios().length > 0,
    search: () => radios().length === 1 && radios()[0].value === args.term,
    reachable: () =>
      radios().length === 1 &&
      radios()[0].value === args.repository &&
      location.search.includes(`workspace=${args.workspace}`),
  };
  let steered = false;
  const check = () => {
    if (b.start === undefined || b[args.mark] !== undefined) return;
    if (args.mark === 'reachable' && !steered) {
      const select = document.querySelector<HTMLSelectElement>('#workspace');
      const search = document.querySelector<HTMLInputElement>('#repository-search');
      if (select && search && select.options.length === args.workspaces && radios().length > 0) {
        steered = true;
        select.value = args.workspace!;
        select.dispatchEvent(new Event('change', { bubbles: true }));
        search.value = args.repository!;
        search.dispatchEvent(new Event('input', { bubbles: true }));
      }
      return;
    }
    if (conditions[args.done]()) {
      b[args.mark] = -1;
      if (args.answerOf) {
        const answers = performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.includes(args.answerOf!)) as PerformanceResourceTiming[];
        const answer = answers.at(-1);
        if (answer) b.answer = answer.responseEnd - b.start!;
      }
      requestAnimationFrame(() => (b[args.mark] = performance.now() - b.start!));
    }
  };
  const startOn = args.done === 'search' ? 'input' : 'click';
  document.addEventListener(startOn, () => (b.start ??= performance.now()), { capture: true, once: true });
  new MutationObserver(check).observe(document.body, { childList: true, subtree: true, attributes: true });
}

async function measured(page: import('@playwright/test').Page, mark: string) {
  await page.waitForFunction((m) => (window.__bench[m] ?? -1) > 0, mark, { timeout: 600_000 });
  return page.evaluate((m) => window.__bench[m]!, mark);
}

test('repository picker at scale', async ({ page }) => {
  const { runs, signInPath, password, accounts } = input<Input>();
  const figures: Record<string, Figures> = {};
  for (const account of accounts) {
    await signIn(page, signInPath, account.email, password);
    const f: Figures = { first: [], firstAnswer: [], prepared: [], loaded: [], fresh: [], typedCalls: [], keystrokes: 0, reachable: [] };
    const openConnectStep = async () => {
      await page.goto(account.connectPath);
      await page.getByRole('button', { name: 'Continue' }).waitFor();
    };
    const apiCalls = async () => (await (await page.request.get(`${account.controlUrl}/stats`)).json()).api_requests as number;
    const radioValues = () =>
      page.locator('input[type=radio]').evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value));
    const unused = [...account.freshTerms];
    /** A repository of the opened group that is not on screen and never searched before;
     * a small group, loaded whole, has none (its searches never reach the provider), so one
     * of its names is used again. */
    const freshTerm = async () => {
      const loaded = new Set(await radioValues());
      const index = unused.findIndex((term) => !loaded.has(term));
      if (index >= 0) return unused.splice(index, 1)[0];
      if (unused.length > 0) return unused.shift()!;
      return account.freshTerms[Math.floor(Math.random() * account.freshTerms.length)];
    };
    const search = page.getByLabel('Search repositories');
    // One unmeasured pass first (server and sandbox warm-up).
    for (let run = -1; run < runs; run++) {
      await openConnectStep();
      await page.evaluate(arm, { mark: 'first', done: 'first', answerOf: account.pickerPath });
      await page.getByRole('button', { name: 'Continue' }).click();
      const first = await measured(page, 'first');
      const firstAnswer = await page.evaluate(() => window.__bench.answer ?? -1);

      await openConnectStep();
      const prepared = page.waitForResponse((response) => response.url().includes(account.pickerPath));
      await page.getByRole('button', { name: 'Continue' }).hover();
      await prepared;
      await page.evaluate(arm, { mark: 'prepared', done: 'first' });
      await page.getByRole('button', { name: 'Continue' }).click();
      const preparedMs = await measured(page, 'prepared');

      const onScreen = (await radioValues())[1];
      await page.evaluate(arm, { mark: 'loaded', done: 'search', term: onScreen });
      await search.fill(onScreen);
      const loaded = await measured(page, 'loaded');
      await search.fill('');
      await page.waitForFunction(() => document.querySelectorAll('input[type=radio]').length > 1);

      const term = await freshTerm();
      await page.evaluate(arm, { mark: 'fresh', done: 'search', term });
      await search.fill(term);
      const fresh = await measured(page, 'fresh');
      await search.fill('');
      await page.waitForFunction(() => document.querySelectorAll('input[type=radio]').length > 1);

      const typed = await freshTerm();
      const before = await apiCalls();
      await search.pressSequentially(typed, { delay: 100 });
      await page.waitForFunction(
        (t) => {
          const radios = [...document.querySelectorAll<HTMLInputElement>('input[type=radio]')];
          const count = document.querySelector('.repository-count')?.textContent ?? '';
          return radios.length === 1 && radios[0].value === t && !count.startsWith('Searching');
        },
        typed,
      );
      const typedCalls = (await apiCalls()) - before;
      f.keystrokes = typed.length;
      // Counted on the first pass only: later passes type the same first letters, whose
      // answers the server keeps for a minute.
      if (run === -1) f.typedCalls.push(typedCalls);

      await openConnectStep();
      await page.evaluate(arm, {
        mark: 'reachable',
        done: 'reachable',
        workspace: account.lastWorkspace,
        repository: account.lastRepository,
        workspaces: account.workspaces,
      });
      await page.getByRole('button', { name: 'Continue' }).click();
      const reachable = await measured(page, 'reachable');
      if (run >= 0) {
        f.first.push(first);
        f.firstAnswer.push(firstAnswer);
        f.prepared.push(preparedMs);
        f.loaded.push(loaded);
        f.fresh.push(fresh);
        f.reachable.push(reachable);
      }
    }
    figures[account.key] = f;
  }
  output(figures);
});
