/**
 * An operator in the console for the length of the soak: a real Chromium (Playwright) signs in with the operator
 * token, then moves between the pages as a person does, through the navigation and into recent payments, staying
 * a few seconds on each, and now and then leaving a page the moment it has asked for its stream (a click
 * through), while the api is still opening that stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../config';
import { createPrng } from '../chaos/prng';
import { launchChromium } from '../stack/chromium';

export interface TourCounts {
  visits: number;
  /** Visits left at once: the moment the page asked for its stream, or at once on a page without one. */
  quickVisits: number;
  byPage: Record<string, number>;
  /** Script errors and failed requests the page reported (none expected). */
  pageErrors: string[];
}

const NAV_PAGES = ['#/queue', '#/search', '#/dead-letters'] as const;

export class ConsoleTour {
  private browser?: Browser;
  private page?: Page;
  private readonly prng = createPrng(0x50a4);
  private readonly counts: TourCounts = { visits: 0, quickVisits: 0, byPage: {}, pageErrors: [] };

  constructor(
    private readonly opts: {
      apiUrl: string;
      operatorToken: string;
      dwell: { minMs: number; maxMs: number };
      quickShare: number;
      /** Payments worth opening, newest first. */
      recentPayments: () => string[];
    },
  ) {}

  async signIn(): Promise<void> {
    this.browser = await launchChromium(loadConfig());
    const page = await (await this.browser.newContext()).newPage();
    this.page = page;
    page.on('pageerror', (err) => this.counts.pageErrors.push(`page error: ${err.message}`));
    page.on('response', (res) => {
      // The console asks for its session before sign-in: that one 401 is the page's way to find it has none.
      if (res.status() >= 400 && !(res.status() === 401 && res.url().endsWith('/console/session')))
        this.counts.pageErrors.push(`status ${res.status()}: ${res.request().method()} ${res.url()}`);
    });
    await page.goto(`${this.opts.apiUrl}/console`);
    await page.fill('#token', this.opts.operatorToken);
    await page.click('button[type=submit]');
    await page.locator('#operator').waitFor();
  }

  /** Moves between the pages until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const page = this.page!;
    while (!signal.aborted) {
      const payments = this.opts.recentPayments();
      const target = this.prng.pick(payments.length > 0 ? [...NAV_PAGES, '#/payments'] : NAV_PAGES);
      // A quick visit leaves the moment the page has asked for its stream (the queue's list stream, a
      // payment's events): the api is then still opening it. Other pages it leaves at once.
      const quick = this.prng.chance(this.opts.quickShare);
      const streamAsked =
        quick && target !== '#/search' && target !== '#/dead-letters'
          ? page
              .waitForRequest((r) => /\/(payment-)?events$/.test(new URL(r.url()).pathname), { timeout: 5_000 })
              .catch(() => undefined)
          : Promise.resolve(undefined);
      if (target === '#/payments') {
        const id = this.prng.pick(payments.slice(0, 20));
        // As a link to the payment does; the tools' types have no DOM, hence the cast.
        await page.evaluate(
          (hash) => {
            (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
          },
          `#/payments/${encodeURIComponent(id)}`,
        );
      } else {
        await page.click(`nav a[href="${target}"]`);
      }
      this.counts.visits++;
      this.counts.byPage[target] = (this.counts.byPage[target] ?? 0) + 1;
      if (quick) {
        this.counts.quickVisits++;
        await streamAsked;
        continue;
      }
      const { minMs, maxMs } = this.opts.dwell;
      await sleep(minMs + this.prng.next() * (maxMs - minMs), undefined, { signal }).catch(() => undefined);
    }
  }

  counted(): TourCounts {
    return { ...this.counts, pageErrors: this.counts.pageErrors.slice(0, 20) };
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }
}
