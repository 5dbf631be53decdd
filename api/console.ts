/**
 * The operator console (console/): one HTML page, its stylesheet, and its script, which the project builds from
 * console/*.ts with esbuild when the page is first asked for (once per process), so nothing comes from a CDN
 * and no build step can be forgotten. Every response carries a Content-Security-Policy that allows only these
 * same-origin files: no inline script, no other origin, no framing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { Router, type Response } from 'express';

const CONSOLE_DIR = path.join(__dirname, '..', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const secureHeaders = (res: Response) =>
  res.set({
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-cache',
  });

/** The console's script, bundled from console/main.ts for the browsers of the last few years. */
async function buildScript(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(CONSOLE_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export function consoleRoutes(): Router {
  const router = Router();
  let script: Promise<string> | undefined;
  const assets = {
    '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
    '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
    '/console/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
  } as const;

  for (const [route, asset] of Object.entries(assets)) {
    router.get(route, async (_req, res) => {
      secureHeaders(res)
        .type(asset.type)
        .send(await fs.readFile(path.join(CONSOLE_DIR, asset.file)));
    });
  }
  router.get('/console/console.js', async (_req, res) => {
    // A failed build is not remembered: the next request tries again.
    script ??= buildScript().catch((err: unknown) => {
      script = undefined;
      throw err;
    });
    secureHeaders(res)
      .type('text/javascript; charset=utf-8')
      .send(await script);
  });
  router.get('/console/', (_req, res) => res.redirect(301, '/console'));
  return router;
}
