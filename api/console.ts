/**
 * The operator console (console/): one HTML page, its stylesheet, and its script, which the project builds from
 * console/*.ts with esbuild: `npm run build` writes it beside the page (dist/console, for the image); from the
 * sources, the api builds it when the page is first asked for (once per process). Nothing comes from a CDN,
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

/** The page's files that are served as they are (the build copies them), with their content types. */
const STATIC_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
export const CONSOLE_FILES = Object.keys(STATIC_FILES);

/** The console's script, bundled from console/main.ts for the browsers of the last few years. */
export async function buildConsoleScript(): Promise<string> {
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

/** The built script (dist/console/console.js in the image), else one built now from the sources. */
const loadScript = () => fs.readFile(path.join(CONSOLE_DIR, 'console.js'), 'utf8').catch(() => buildConsoleScript());

export function consoleRoutes(): Router {
  const router = Router();
  let script: Promise<string> | undefined;
  for (const [file, type] of Object.entries(STATIC_FILES)) {
    router.get(file === 'index.html' ? '/console' : `/console/${file}`, async (_req, res) => {
      secureHeaders(res)
        .type(type)
        .send(await fs.readFile(path.join(CONSOLE_DIR, file)));
    });
  }
  router.get('/console/console.js', async (_req, res) => {
    // A failed build is not remembered: the next request tries again.
    script ??= loadScript().catch((err: unknown) => {
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
