/**
 * The operator console in a real browser: the machine's Chromium (Debian's package, test/browser.ts) driven by
 * Playwright, against the whole pipeline on the real engines. An operator signs in, watches a late payment in
 * the queue until its account state arrives, approves a payment in review and sees it authorized, and reads
 * the dead letters; a client token is refused. Every page is screenshotted: into CONSOLE_SCREENSHOTS when set
 * (docs/console.md shows them), else into a temporary folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TOPICS } from '../../contracts/topics';
import { launchBrowser } from '../browser';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-console-'));
/** Long enough to see a late payment wait; short enough that a payment reaches review within a test. */
const ACCOUNT_STATE_DEADLINE_MS = 8_000;

describe('operator console in a real browser (Chromium driven by Playwright, real engines)', function () {
  this.timeout(120_000);
  const h = pipelineForSuite({
    followDeadLetters: true,
    env: {
      ACCOUNT_STATE_DEADLINE: `${ACCOUNT_STATE_DEADLINE_MS}ms`,
      ACCOUNT_STATE_TIMEOUT_POLICY: 'review',
      REVIEW_DEADLINE: '10m',
    },
  });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** What the page reported as errors (script errors, CSP violations, failed requests): none expected. */
  const pageErrors: string[] = [];
  /** Answers a test expects the page to receive (the sign-in's 401 before signing in, a refused client token). */
  const expected: RegExp[] = [];

  before(async function () {
    this.timeout(600_000); // a first run installs Chromium into the cache
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) pageErrors.push(`status of ${res.status()}: ${res.request().method()} ${res.url()}`);
    });
    page.on('console', (m) => {
      // A failed request is reported above, with its URL.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console error: ${m.text()}`);
    });
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(() => {
    // A 401 while signed out and the client token's refusal are answers the page expects, not errors.
    const unexpected = pageErrors.splice(0).filter((e) => !expected.some((pattern) => pattern.test(e)));
    expected.splice(0);
    assert.deepEqual(unexpected, [], 'the page reported no script error and no CSP violation');
  });

  const screenshot = async (name: string) => {
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 10_000, `${file} holds a rendered page`);
  };
  /** Marks the document, to check later that the page was updated in place, never reloaded. */
  const markDocument = () => page.evaluate(() => ((globalThis as unknown as { marked: boolean }).marked = true));
  const stillSameDocument = async () =>
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marked?: boolean }).marked), true, 'not reloaded');

  it('refuses a client token at sign-in, then signs the operator in with an HttpOnly cookie', async () => {
    expected.push(/^status of 401: GET \S+\/console\/session$/, /^status of 403: POST \S+\/console\/session$/);
    await page.goto(`${h.apiUrl}/console`);
    await page.fill('#token', TOKENS.client);
    await page.click('button[type=submit]');
    await page.getByRole('alert').getByText('needs an operator token').waitFor();
    assert.deepEqual(await context.cookies(), [], 'no session for a client token');
    await screenshot('sign-in-refused');

    await page.fill('#token', TOKENS.operator);
    await page.click('button[type=submit]');
    assert.equal(await page.locator('#operator').textContent(), 'alice');
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'paysaga_session');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate<string>('document.cookie'), '', 'the session is out of reach of script');
    assert.ok(!page.url().includes(TOKENS.operator), 'the token is not in the URL');
  });

  it('shows a late payment in the queue, and updates it live when its account state arrives', async () => {
    await page.goto(`${h.apiUrl}/console#/queue`);
    await page.locator('#live.on').waitFor();
    await markDocument();
    const accountId = h.accountId();
    // Filtered by its account, as an operator looks one up: the stack's database also holds what earlier runs left
    // waiting (a test run stops its sagas mid-way), soonest deadline first, enough to fill the first page.
    await page.fill('#filter-account', accountId);
    const paymentId = await h.submit({ accountId, amount: 1_234, merchantId: 'm-console' });
    const row = page.locator(`#queue tr[data-payment-id="${paymentId}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    for (const expected of ['12.34 EUR', accountId, 'm-console', 'AWAITING ACCOUNT STATE'])
      assert.ok(text.includes(expected), `${expected} in "${text}"`);
    await screenshot('review-queue');

    await h.publishAccountStates(h.accountState(accountId));
    await row.waitFor({ state: 'detached' });
    await stillSameDocument();
    assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');

    await page.goto(`${h.apiUrl}/console#/payments/${paymentId}`);
    await page.locator('#payment-head .status-authorized').waitFor();
    await page.locator('#payment-history [data-kind="account-state"]').first().waitFor();
    const link = await page.locator('#temporal-link').getAttribute('href');
    assert.match(link ?? '', new RegExp(`/workflows/payment-${paymentId}$`));
    await screenshot('payment-authorized-by-rules');
  });

  it('approves a payment in review with a reason, and shows it AUTHORIZED once the saga applied it', async () => {
    await page.goto(`${h.apiUrl}/console#/queue`);
    await page.locator('#live.on').waitFor();
    await markDocument();
    const accountId = h.accountId();
    await page.fill('#filter-account', accountId); // as in the test above
    const paymentId = await h.submit({ accountId, amount: 50_000 });
    const row = page.locator(`#queue tr[data-payment-id="${paymentId}"]`);
    await row.getByText('PENDING REVIEW').waitFor({ timeout: ACCOUNT_STATE_DEADLINE_MS + 20_000 });
    await stillSameDocument();
    await screenshot('review-queue-pending-review');

    await row.getByRole('link').click();
    await page.locator('#payment-head .status-pending-review').waitFor();
    await page.fill('#override-reason', 'customer verified by phone');
    await page.click('#approve');
    await page.locator('#override-outcome').getByText('Decided: AUTHORIZED').waitFor();
    await page.locator('#payment-head .status-authorized').waitFor();
    await page.locator('#payment-history [data-kind="override"]').getByText('alice').first().waitFor();
    await screenshot('payment-approved-in-review');

    const decided = await h.decision(paymentId);
    assert.deepEqual([decided.decision, decided.reason, decided.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
    const audit = await h.pool.query(`select operator, reason, outcome from operator_audit where payment_id = $1`, [paymentId]);
    assert.deepEqual(audit.rows, [{ operator: 'alice', reason: 'customer verified by phone', outcome: 'applied' }]);
  });

  it('finds payments by account and lists dead letters with their reasons', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId });
    expected.push(new RegExp(`^status of 404: GET \\S+/payments/${accountId}$`)); // the search asks for a payment of that id too
    await page.goto(`${h.apiUrl}/console#/search?q=${accountId}`);
    await page.locator(`#search-results tr[data-payment-id="${paymentId}"]`).waitFor();
    await screenshot('search');

    await h.publishRequest(h.paymentRequest(h.accountId()), '{"not": "a payment request"}');
    // The bridge dead-letters the record within moments, and the api's follower of the topics then lists it.
    await eventually('the poison record is listed', async () => {
      const res = await h.get(`/dead-letters/kafka?topic=${TOPICS.paymentRequested}`, TOKENS.operator);
      const body = res.status === 200 ? ((await res.json()) as { topics: { deadLetters: unknown[] }[] }) : undefined;
      return (body?.topics[0]?.deadLetters.length ?? 0) > 0;
    });
    await page.goto(`${h.apiUrl}/console#/dead-letters`);
    const topic = page.locator(`section[data-topic="${TOPICS.paymentRequested}"]`);
    await topic.locator('td.reason').first().waitFor();
    assert.ok(((await topic.locator('td.reason').first().textContent()) ?? '').length > 0, 'each dead letter says why');
    await screenshot('dead-letters');
  });
});
