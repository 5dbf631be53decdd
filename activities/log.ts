/**
 * Log lines from activities: Temporal's activity logger inside an activity (it adds the workflow and activity
 * ids, and the trace ids of the OpenTelemetry interceptors); paysaga's logger when an activity function is
 * called directly (tests, scripts).
 */
import { Context, log } from '@temporalio/activity';
import { logger } from '../observability/logger';

type Meta = Record<string, unknown>;

export const activityLog = {
  info: (message: string, meta: Meta = {}) => (inActivity() ? log.info(message, meta) : logger.info(meta, message)),
  warn: (message: string, meta: Meta = {}) => (inActivity() ? log.warn(message, meta) : logger.warn(meta, message)),
};

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
}
