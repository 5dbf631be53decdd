/**
 * What the OpenAPI document does not declare is answered before any route: a path it does not list is 404, a
 * method a listed path does not declare is 405 with an Allow header (RFC 9110 §15.5.6), so the document is the
 * one list of what the api serves. A request body that is not JSON, where one is declared, is 415.
 */
import type { RequestHandler } from 'express';
import { problem } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `/payments/{paymentId}` → a pattern that matches as express routes do (any case, an optional trailing slash). */
const pathPattern = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}/?$`, 'i');

export function undeclaredRequests(paths: Record<string, Record<string, unknown>>): RequestHandler {
  const routes = Object.entries(paths).map(([template, item]) => {
    const methods = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
    // Express answers HEAD with the GET route (without the body).
    const allowed = methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
    const withBody = new Set(
      METHODS.filter((m) => (item[m] as { requestBody?: unknown } | undefined)?.requestBody).map((m) => m.toUpperCase()),
    );
    return { pattern: pathPattern(template), allowed, withBody };
  });
  return (req, res, next) => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (!route) return void problem(res, 404, 'not found');
    if (!route.allowed.includes(req.method)) {
      res.setHeader('Allow', route.allowed.join(', '));
      return void problem(res, 405, 'method not allowed', { detail: `${req.path} allows ${route.allowed.join(', ')}` });
    }
    // req.is: false for a body of another type, null without a body (then the route says what is missing).
    if (route.withBody.has(req.method) && req.is('application/json') === false)
      return void problem(res, 415, 'unsupported media type', { detail: 'send the body as application/json' });
    next();
  };
}
