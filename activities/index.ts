/** Every activity of the payment saga (activities/create-activities.ts). */
export {
  createActivities,
  type ActivityDeps,
  type Activities,
  type DatabaseActivities,
  type GatewayActivities,
  type ReserveFundsResult,
} from './create-activities';
