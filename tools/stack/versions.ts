/**
 * The single place where the local engines' versions are pinned. Changing one here re-provisions it into a
 * new cache folder on the next `stack up`; the old folder can be deleted by hand.
 */
export const VERSIONS = {
  /** github.com/temporalio/cli, built with `go install` (server v1.29.1, UI v2.42.1, pure-Go SQLite). */
  temporalCli: 'v1.5.1',
  /** go.temporal.io/server, the cluster topology's temporal-server and temporal-sql-tool: the release the CLI embeds. */
  temporalServer: 'v1.29.1',
  /** github.com/temporalio/ui-server, the cluster topology's Web UI: the release the CLI embeds. */
  temporalUi: 'v2.42.1',
  /** org.apache.kafka:kafka_2.13 (KRaft). KafkaJS 2.2.4 passes a transactional round trip on it (test/integration). */
  kafka: '4.3.1',
  /** org.apache.logging.log4j:log4j-slf4j-impl at the log4j version kafka_2.13 brings (it binds slf4j 1.7). */
  kafkaLog4j: '2.25.4',
  /** io.temporal:temporal-test-server, the Java time-skipping server behind @temporalio/testing. */
  temporalTestServer: '1.38.0',
  /** org.slf4j:slf4j-nop at the slf4j-api version the test server brings. */
  testServerSlf4j: '1.7.36',
} as const;
