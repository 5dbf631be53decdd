/**
 * The Temporal SDK's own metrics (its Core runtime's Prometheus exporter), in Prometheus's conventions: durations
 * in seconds with the unit in the name (`temporal_activity_schedule_to_start_latency_seconds`), counters ending in
 * `_total`. The SDK's defaults are milliseconds and bare counter names.
 */
import type { MetricsExporterConfig } from '@temporalio/worker';

export function temporalPrometheusExporter(bindAddress: string): MetricsExporterConfig {
  return {
    prometheus: { bindAddress, useSecondsForDurations: true, unitSuffix: true, countersTotalSuffix: true },
  };
}

/**
 * The SDK series that observability/alerts.rules.yml uses. They are not in our registry (the runtime serves
 * them), so a unit test holds the rules to this list and the npm start test finds each on a real /metrics.
 */
export const TEMPORAL_SDK_METRICS = [
  'temporal_workflow_task_schedule_to_start_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
] as const;
