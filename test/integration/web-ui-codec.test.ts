/**
 * The Temporal Web UI, in the machine's Chromium, shows a saga's decrypted input through paysaga's codec endpoint
 * (api/codec.ts) to an operator signed in to the console, and only ciphertext to a browser that is not. The
 * codec endpoint is the one an operator sets in the Web UI's codec server settings ("override" with "include
 * cross-origin credentials"; the browser keeps them in its local storage, set here as the dialog does), since
 * the pipeline's api listens on a port of its own; `npm start` starts the Web UI with it already (the dev
 * server's --ui-codec-endpoint), whose credentials flag the operator turns on in the same dialog.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { paymentWorkflowId } from '../../workflows/shared';
import { launchBrowser } from '../browser';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

describe('the Temporal Web UI decodes payloads through the codec endpoint (Chromium, real engines)', function () {
  this.timeout(120_000);
  const h = pipelineForSuite();
  let browser: Browser;

  before(async function () {
    this.timeout(600_000); // a first run unpacks Chromium into the cache
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  /** The saga's page in the Web UI, with its input shown (the page shows it on the history's first event). */
  const openSaga = async (page: Page, paymentId: string) => {
    const ui = h.config.temporal.uiUrl.replace(/\/$/, '');
    await page.goto(`${ui}/namespaces/${h.config.temporal.namespace}/workflows/${paymentWorkflowId(paymentId)}`);
    await page.getByText(paymentWorkflowId(paymentId)).first().waitFor({ timeout: 30_000 });
  };

  it("shows an operator the saga's account and amount, and a browser without a session only ciphertext", async () => {
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const paymentId = await h.submit({ accountId, merchantId: 'm-ui-codec', amount: 98_765, currency: 'EUR' });
    await h.decision(paymentId);
    const ui = new URL(h.config.temporal.uiUrl).origin;

    // What the codec server dialog stores when an operator overrides the endpoint and includes credentials.
    const useCodecEndpoint = (page: Page) =>
      page.addInitScript(
        ([endpoint]) => {
          // Runs in the page (no DOM types here): the browser's own localStorage.
          const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
          storage.setItem('endpoint', JSON.stringify(endpoint));
          storage.setItem('includeCredentials', 'true');
          storage.setItem('passAccessToken', 'false');
          storage.setItem('overrideRemoteCodecConfiguration', 'true');
        },
        [`${h.apiUrl}/codec`],
      );

    // Signed in to the console: the Web UI's decode calls carry the session cookie.
    const operator = await browser.newContext();
    const page = await operator.newPage();
    const decodeAnswers: number[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${h.apiUrl}/codec/decode`) && res.request().method() === 'POST') decodeAnswers.push(res.status());
    });
    await page.goto(`${h.apiUrl}/console`);
    await page.fill('#token', TOKENS.operator);
    await page.click('button[type=submit]');
    await page.locator('#operator', { hasText: 'alice' }).waitFor();
    await useCodecEndpoint(page);
    await openSaga(page, paymentId);
    await page.getByText(accountId).first().waitFor({ timeout: 30_000 });
    assert.ok((await page.content()).includes('98765'), 'the amount is shown, decoded');
    assert.ok(decodeAnswers.length > 0 && decodeAnswers.every((s) => s === 200), `decode answers: ${decodeAnswers.join(', ')}`);
    assert.equal(new URL(page.url()).origin, ui);

    // The same settings in a browser that is not signed in: the codec endpoint refuses (401), nothing decodes.
    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    const refused: number[] = [];
    other.on('response', (res) => {
      if (res.url().startsWith(`${h.apiUrl}/codec/decode`) && res.request().method() === 'POST') refused.push(res.status());
    });
    await useCodecEndpoint(other);
    await openSaga(other, paymentId);
    await other.waitForTimeout(3_000); // the page's decode calls are made as it renders the history
    assert.ok(!(await other.content()).includes(accountId), 'the account id is not shown without a session');
    assert.ok(refused.length > 0 && refused.every((s) => s === 401), `decode answers: ${refused.join(', ')}`);
    await operator.close();
    await stranger.close();
  });
});
