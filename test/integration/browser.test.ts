/**
 * The browser the console's tests drive (test/browser.ts): a real headless Chromium, not a DOM emulation.
 * It loads a tiny page from a local server, runs its script, keeps HttpOnly cookies from the page yet sends
 * them back, and takes screenshots with text in them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../config';
import { checkLibraries, provisionChromium } from '../../tools/stack/chromium';
import { StackError } from '../../tools/stack/proc';
import { launchBrowser } from '../browser';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>browser check</title></head>
<body>
  <p id="status" style="width: 320px; height: 40px; font: 24px sans-serif">waiting for the script</p>
  <p id="cookies"></p>
  <p id="echo"></p>
  <script>
    document.getElementById('status').textContent = 'the script ran';
    document.getElementById('cookies').textContent = document.cookie;
    fetch('/echo-cookie').then((r) => r.text()).then((text) => {
      const echo = document.getElementById('echo');
      echo.textContent = text;
      echo.dataset.done = 'true';
    });
  </script>
</body></html>`;

describe("the machine's Chromium, driven by Playwright, on a page from a local server", function () {
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let page: Page;
  const cookieHeaders: (string | undefined)[] = [];
  // A browser on two busy cores: a page's first load can take seconds.
  this.timeout(30_000);

  before(async function () {
    // The first run on a machine without chromium fetches Debian's package and its libraries (a minute or two).
    this.timeout(5 * 60_000);
    server = http.createServer((req, res) => {
      if (req.url === '/echo-cookie') {
        cookieHeaders.push(req.headers.cookie);
        res.writeHead(200, { 'content-type': 'text/plain' }).end(req.headers.cookie ?? '');
        return;
      }
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'set-cookie': ['session=s3cret; HttpOnly; SameSite=Strict; Path=/', 'theme=dark; SameSite=Strict; Path=/'],
        })
        .end(PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('#echo[data-done="true"]');
  });

  afterEach(async () => {
    await page.context().close();
  });

  it("runs the page's script: the text it wrote is in the DOM", async () => {
    assert.equal(await page.textContent('#status'), 'the script ran');
  });

  it('keeps an HttpOnly cookie from document.cookie yet sends it back on the next fetch', async () => {
    assert.equal(await page.textContent('#cookies'), 'theme=dark');
    assert.equal(await page.evaluate('document.cookie'), 'theme=dark');
    const sent = cookieHeaders.at(-1) ?? '';
    assert.match(sent, /(^|; )session=s3cret(;|$)/);
    assert.match((await page.textContent('#echo')) ?? '', /session=s3cret/);
  });

  it('writes a PNG screenshot of the page, with its text drawn', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-browser-')), 'page.png');
    try {
      await page.screenshot({ path: file, fullPage: true });
      const png = fs.readFileSync(file);
      assert.ok(png.length > 0, 'the screenshot is empty');
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
      // Without usable fonts Chromium lays the text out but draws nothing: the element would look empty.
      const status = page.locator('#status');
      const withText = await status.screenshot();
      await status.evaluate((el) => (el.textContent = ''));
      const empty = await status.screenshot();
      assert.notDeepEqual(withText, empty, 'the text left no pixels in the screenshot');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});

describe("Chromium's provisioning for the browser tests (tools/stack/chromium.ts)", function () {
  this.timeout(5 * 60_000);

  it('fails with the command that installs chromium when it is neither on PATH nor cached and apt-get is missing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-no-tools-'));
    const savedPath = process.env.PATH;
    process.env.PATH = empty;
    try {
      await assert.rejects(provisionChromium(loadConfig({ ...process.env, PAYSAGA_CACHE_DIR: empty })), (err: Error) => {
        assert.ok(err instanceof StackError, String(err));
        assert.match(err.message, /no apt-get\/apt-cache\/dpkg-deb\/dpkg-query\/ldd to fetch it/);
        assert.match(err.message, /Install it with: apt-get install chromium/);
        return true;
      });
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('names each library that ldd cannot find: the unpacked browser without its LD_LIBRARY_PATH', async function () {
    const launch = await provisionChromium(loadConfig());
    if (launch.source === 'PATH') {
      console.log('    skipped: this machine has chromium on PATH, so nothing is unpacked');
      this.skip();
    }
    assert.doesNotThrow(() => checkLibraries(launch.executablePath, launch.env));
    assert.throws(
      () => checkLibraries(launch.executablePath, { ...launch.env, LD_LIBRARY_PATH: '' }),
      (err: Error) => {
        assert.ok(err instanceof StackError, String(err));
        assert.match(err.message, /^chromium: these libraries are missing:\n {2}chromium: \S+ => not found/);
        assert.match(err.message, /Install it with: apt-get install chromium/);
        return true;
      },
    );
  });
});
