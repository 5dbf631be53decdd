/**
 * OpenTelemetry tracing. One trace per payment: the api's request span, its context carried in the outbox
 * row and the Kafka record's `traceparent` header, the bridge's span around the Temporal start, the workflow
 * and activity spans of Temporal's interceptors (workflow spans leave the sandbox through a sink), and the
 * gateway call. Spans go to an OTLP/HTTP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set; tests add an
 * in-memory exporter.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export { SpanKind };

const TRACER_NAME = 'paysaga';
export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

export interface Tracing {
  resource: Resource;
  /** Every span processor of the provider: Temporal's workflow span sink feeds it. */
  spanProcessor: SpanProcessor;
  /**
   * Whether any exporter receives spans. Without one, spans are made and dropped: the worker then leaves out
   * Temporal's tracing interceptors, which cost about a third of its CPU per payment (docs/performance.md).
   */
  exporting(): boolean;
  shutdown(): Promise<void>;
}

let installed: (Tracing & { provider: NodeTracerProvider }) | undefined;
let processorCount = 0;

/**
 * Installs the process's tracer provider once: W3C trace context, async context propagation, and the
 * exporters given. A later call only adds its exporters (a test's in-memory exporter).
 */
export function setupTracing(opts: { serviceName: string; otlpEndpoint?: string; exporters?: SpanExporter[] }): Tracing {
  if (installed) {
    for (const exporter of opts.exporters ?? []) installed.provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
    processorCount += opts.exporters?.length ?? 0;
    return installed;
  }
  const resource = new Resource({ 'service.name': opts.serviceName });
  const processors: SpanProcessor[] = (opts.exporters ?? []).map((e) => new SimpleSpanProcessor(e));
  if (opts.otlpEndpoint) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })));
  }
  processorCount = processors.length;
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // The provider replaces its processor when one is added: forward to whichever is current.
  const spanProcessor: SpanProcessor = {
    onStart: (span, parent) => provider.getActiveSpanProcessor().onStart(span, parent),
    onEnd: (span) => provider.getActiveSpanProcessor().onEnd(span),
    forceFlush: () => provider.getActiveSpanProcessor().forceFlush(),
    shutdown: () => Promise.resolve(),
  };
  installed = {
    provider,
    resource,
    spanProcessor,
    exporting: () => processorCount > 0,
    async shutdown() {
      await provider.shutdown();
    },
  };
  return installed;
}

/** The active trace context as carrier headers (`traceparent`, `tracestate`), for an outbox row or a Kafka record. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The trace context carried by headers (Kafka record headers are Buffers). */
export function contextFromHeaders(headers: Record<string, unknown> | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') carrier[key] = value;
    else if (Buffer.isBuffer(value)) carrier[key] = value.toString('utf8');
  }
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs `fn` in a new active span, ending it with the outcome (an error marks it failed and is rethrown). */
export async function inSpan<T>(
  name: string,
  opts: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number | boolean> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: opts.kind, attributes: opts.attributes },
    opts.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
