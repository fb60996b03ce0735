import { test } from '@playwright/test';
import { input, output, signIn } from './common';

// First load of the wizard's first step to the moment it can be used: the "Quick start"
// button is in the page and enabled (the app has started, checked the session and rendered).
// Cold: a new browser context, so nothing is cached. Warm: the same context again, after
// leaving the page, with the bundles in the HTTP cache (and Chromium's compiled-wasm cache).

type Input = { runs: number; signInPath: string; email: string; password: string; path: string };

type Load = {
  /** Navigation start → the first step's button enabled, in the frame that paints it. */
  interactive: number;
  responseStart: number;
  domContentLoaded: number;
  load: number;
  /** Bytes over the wire for the document and every resource (headers included). */
  transferred: number;
};

// Runs in the page before the app: notes when the first step's button becomes usable.
function watchForInteractive() {
  const done = () => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.textContent?.includes('Quick start') && !b.disabled,
    );
    if (button && (window as any).__interactive === undefined) {
      (window as any).__interactive = null;
      requestAnimationFrame(() => ((window as any).__interactive = performance.now()));
    }
  };
  new MutationObserver(done).observe(document, { childList: true, subtree: true, attributes: true });
}

test('first load to an interactive wizard', async ({ browser, baseURL }) => {
  const { runs, signInPath, email, password, path } = input<Input>();
  const figures: { cold: Load[]; warm: Load[] } = { cold: [], warm: [] };
  // One unmeasured load, so the server's own first-request costs are not in the figures.
  for (let run = -1; run < runs; run++) {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await signIn(page, signInPath, email, password);
    await page.addInitScript(watchForInteractive);
    for (const kind of ['cold', 'warm'] as const) {
      await page.goto('/healthz');
      await page.goto(path);
      await page.waitForFunction(() => typeof (window as any).__interactive === 'number');
      const load = await page.evaluate((): Load => {
        const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        return {
          interactive: (window as any).__interactive,
          responseStart: nav.responseStart,
          domContentLoaded: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          transferred: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
        };
      });
      if (run >= 0) figures[kind].push(load);
    }
    await context.close();
  }
  output(figures);
});
