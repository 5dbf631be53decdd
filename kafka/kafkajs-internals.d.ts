/** The one KafkaJS module paysaga reaches past its public api: kafka/request-queue-fix.ts says why. */
declare module 'kafkajs/src/network/requestQueue' {
  const RequestQueue: new (...args: never[]) => object;
  export default RequestQueue;
}
