/**
 * The timing of one gateway call, defined once: the worker's HTTP timeout is GATEWAY_REQUEST_TIMEOUT, the
 * activity's start-to-close timeout (set by the workflow) derives from it here, and the configuration refuses
 * a retry budget that cannot hold one such attempt. No imports: workflow code uses it too.
 */

/** The activity's own work around the HTTP request (reading and checking the answer, logging). */
export const GATEWAY_ACTIVITY_MARGIN_MS = 1_000;

/** The start-to-close timeout of one gateway activity attempt whose HTTP request may take requestTimeoutMs. */
export const gatewayAttemptTimeoutMs = (requestTimeoutMs: number): number => requestTimeoutMs + GATEWAY_ACTIVITY_MARGIN_MS;
