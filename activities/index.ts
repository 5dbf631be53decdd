/** Every activity of the payment saga (activities/create-activities.ts). */
export { createActivities, type ActivityDeps, type Activities, type ReserveFundsResult } from './create-activities';
