/**
 * Per HTTP request: a server span (continuing a caller's `traceparent`), the request duration histogram
 * (observability/metrics.ts) and a request log line.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';
import { logger } from './logger';
import { metrics } from './metrics';
import { tracer } from './tracing';

/** The express route pattern that matched (`/payments/:paymentId`), with its router's mount path; none when no route matched. */
function routePattern(req: Request): string | undefined {
  // Every route of ours is a string pattern; a RegExp one would print as its source.
  const path = (req.route as { path?: string | RegExp } | undefined)?.path;
  return path === undefined ? undefined : `${req.baseUrl}${typeof path === 'string' ? path : path.source}`;
}

export function httpServerTelemetry(service: string): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.path, 'service.component': service },
      },
      parent,
    );
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req);
      if (route) span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      metrics.httpServerRequestDuration.observe(
        {
          component: service,
          http_request_method: req.method,
          http_route: route ?? '',
          http_response_status_code: String(res.statusCode),
        },
        seconds,
      );
      const ctx = span.spanContext();
      logger.debug(
        {
          component: service,
          method: req.method,
          route: route ?? req.path,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          traceId: ctx.traceId,
        },
        'http request',
      );
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
