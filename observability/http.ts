/** A server span per HTTP request (continuing a caller's `traceparent`), and a request log line. */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { logger } from './logger';
import { tracer } from './tracing';

export function httpServerSpans(service: string): RequestHandler {
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
    const started = Date.now();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      if (route) span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      const ctx = span.spanContext();
      logger.debug(
        {
          component: service,
          method: req.method,
          route: route ?? req.path,
          status: res.statusCode,
          ms: Date.now() - started,
          traceId: ctx.traceId,
        },
        'http request',
      );
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
