/**
 * An operator in the console for the length of the soak: a real Chromium (Playwright) signs in with the operator
 * token, then moves between the pages as a person does, through the navigation and into recent payments, staying
 * a few seconds on each, and now and then going through a page to the next within 30 ms (a click through):
 * the moment when that page's stream has been asked for and the api may still be opening it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../config';
import { createPrng } from '../chaos/prng';
import { launchChromium } from '../stack/chromium';

export interface TourCounts {
  visits: number;
  /** Visits left again within 30 ms, for the next page. */
  quickVisits: number;
  byPage: Record<string, number>;
  /** Script errors and failed requests the page reported (none expected). */
  pageErrors: string[];
}

const NAV_PAGES: readonly string[] = ['#/queue', '#/search', '#/dead-letters'];

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
      const target = this.pickPage();
      if (this.prng.chance(this.opts.quickShare)) {
        // Through `target` to the next page within 30 ms, in the page itself (a round trip through Playwright
        // takes longer): the moment when `target`'s stream has been asked for and the api is still opening it.
        const then = this.pickPage();
        const delayMs = this.prng.next() * 30;
        await page.evaluate(
          ([first, next, ms]) => {
            // The tools' types have no DOM, hence the cast.
            const loc = (globalThis as unknown as { location: { hash: string } }).location;
            loc.hash = first;
            setTimeout(() => (loc.hash = next), ms);
          },
          [target, then, delayMs] as const,
        );
        this.visited(target, true);
        this.visited(then, false);
      } else if (NAV_PAGES.includes(target)) {
        await page.click(`nav a[href="${target}"]`);
        this.visited(target, false);
      } else {
        await page.evaluate((hash) => {
          (globalThis as unknown as { location: { hash: string } }).location.hash = hash; // as a payment's link does
        }, target);
        this.visited(target, false);
      }
      const { minMs, maxMs } = this.opts.dwell;
      await sleep(minMs + this.prng.next() * (maxMs - minMs), undefined, { signal }).catch(() => undefined);
    }
  }

  /** A page of the console: one of the navigation's, or a recent payment's. */
  private pickPage(): string {
    const payments = this.opts.recentPayments().slice(0, 20);
    const page = this.prng.pick(payments.length > 0 ? [...NAV_PAGES, '#/payments'] : NAV_PAGES);
    return page === '#/payments' ? `#/payments/${encodeURIComponent(this.prng.pick(payments))}` : page;
  }

  private visited(hash: string, quick: boolean): void {
    const page = hash.startsWith('#/payments/') ? '#/payments' : hash;
    this.counts.visits++;
    if (quick) this.counts.quickVisits++;
    this.counts.byPage[page] = (this.counts.byPage[page] ?? 0) + 1;
  }

  counted(): TourCounts {
    return { ...this.counts, pageErrors: this.counts.pageErrors.slice(0, 20) };
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }
}
