/** The bridge (bridge/consumers.ts): two consumer groups between Kafka and Temporal. */
export { bridgeGroupIds, createBridge, type BridgeHooks } from './consumers';
