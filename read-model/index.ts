/** The read model's consumers (read-model/consumers.ts). */
export { createReadModelConsumers, readModelGroupIds } from './consumers';
