/** The notifier (notifier/notifier.ts): the decided events' consumer that schedules webhooks, and their dispatcher. */
export { WebhookDispatcher } from './dispatcher';
export { NOTIFIER, notifierGroupId } from './handler';
export { createNotifier } from './notifier';
export { applyWebhookRetention } from './retention';
