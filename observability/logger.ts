/**
 * Structured logs (pino): JSON lines for machines, readable lines in a terminal. Every line carries the
 * role, and the trace and span ids of the active OpenTelemetry span; lines about a payment carry its payment
 * id and workflow id (child loggers, and Temporal's own worker, workflow and activity logs through
 * TemporalLogger). Secrets are redacted by key wherever they appear.
 */
import { trace } from '@opentelemetry/api';
import type { Logger as TemporalLoggerInterface, LogLevel, LogMetadata } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };
export type LogFormat = 'json' | 'pretty' | 'auto';

const REDACTED_KEYS = ['token', 'secret', 'password', 'authorization', 'apiKey'];

/**
 * Lines are written to stdout synchronously, as Node writes its own stdout to pipes and terminals: a line is out
 * when the call returns. pino's asynchronous default has a write in flight when the process exits (main.ts, after
 * a stop or a fatal report), and the exit handler's flush does not wait for it: the last lines came out
 * reordered ("stopped" before "SIGINT, stopping") or not at all.
 */
export function createLogger(opts: { level?: string; format?: LogFormat; destination?: DestinationStream } = {}): Logger {
  const format = opts.format ?? 'auto';
  const readable = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true && !opts.destination);
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'paysaga' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)], censor: '***' },
      mixin() {
        const span = trace.getActiveSpan()?.spanContext();
        return span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
      },
    },
    opts.destination ??
      (readable
        ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname', sync: true })
        : pino.destination({ dest: 1, sync: true })),
  );
}

/** The process's logger; main.ts sets level and format from the configuration at start. */
export let logger: Logger = createLogger();

export function configureLogging(opts: { level: string; format: LogFormat; destination?: DestinationStream }): Logger {
  logger = createLogger(opts);
  return logger;
}

/** Bindings of a line about one payment. */
export const paymentBindings = (paymentId: string) => ({ paymentId, workflowId: `payment-${paymentId}` });

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Temporal's logger interface over pino, for Runtime.install: the SDK's worker, workflow (through its sink)
 * and activity logs become paysaga's JSON lines, with the payment id taken from the workflow id and the
 * trace ids the OpenTelemetry interceptors attach.
 */
export class TemporalLogger implements TemporalLoggerInterface {
  constructor(private readonly target: () => Logger = () => logger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const { trace_id, span_id, trace_flags: _flags, ...rest } = meta as Record<string, unknown>;
    const fields: Record<string, unknown> = { ...rest, component: 'temporal' };
    const workflowId = typeof rest.workflowId === 'string' ? rest.workflowId : undefined;
    const match = workflowId ? /^payment-(.+)$/.exec(workflowId) : null;
    if (match) fields.paymentId = match[1];
    if (typeof trace_id === 'string') fields.traceId = trace_id;
    if (typeof span_id === 'string') fields.spanId = span_id;
    this.target()[LEVELS[level]](fields, message);
  }
  trace = (message: string, meta?: LogMetadata) => this.log('TRACE', message, meta);
  debug = (message: string, meta?: LogMetadata) => this.log('DEBUG', message, meta);
  info = (message: string, meta?: LogMetadata) => this.log('INFO', message, meta);
  warn = (message: string, meta?: LogMetadata) => this.log('WARN', message, meta);
  error = (message: string, meta?: LogMetadata) => this.log('ERROR', message, meta);
}
