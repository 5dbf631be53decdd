/**
 * Temporal's Java time-skipping test server, for @temporalio/testing's `existing-path` executable.
 *
 * The SDK gives the server 5 seconds to open its port. A cold JVM loading ~40 jars can miss that on 2 cores,
 * so provisioning records a class-data-sharing archive of one real start, and the wrapper starts the JVM from
 * it with the C1 compiler only and a small serial-GC heap: about 0.3 s instead of several seconds.
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import { cachePath } from './engine';
import { provisionMavenLib } from './maven';
import { freePort, portOpen, sleep, StackError, which } from './proc';
import { VERSIONS } from './versions';

const home = (config: Config) => cachePath(config, `temporal-test-server-${VERSIONS.temporalTestServer}`);
export const testServerPath = (config: Config) => path.join(home(config), 'bin', 'temporal-test-server');

const JVM_FLAGS = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Xms64m',
  '-Xmx512m',
  '-Xss512k',
  '-Xshare:auto',
  '-Xlog:cds=off',
  '-Xlog:cds+dynamic=off',
];
const MAIN = 'io.temporal.testserver.TestServer';

/** Starts the server once with -XX:ArchiveClassesAtExit and stops it, so the JVM writes the archive. */
async function recordArchive(java: string, classpath: string, archive: string): Promise<void> {
  const port = await freePort();
  const child = spawn(
    java,
    [...JVM_FLAGS, `-XX:ArchiveClassesAtExit=${archive}`, '-cp', classpath, MAIN, String(port), '--enable-time-skipping'],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(port)) && Date.now() < deadline) await sleep(100);
  await sleep(500);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  if (!fs.existsSync(archive)) throw new StackError('test server: the JVM wrote no class-data archive');
}

/** Fetches the test server's jars, records its class-data archive and writes the wrapper; returns its path. */
export async function provisionTestServer(config: Config): Promise<string> {
  const java = which('java');
  if (!java) throw new StackError('test server: no `java` on PATH; it needs a JDK or JRE 17 or newer.');
  const lib = await provisionMavenLib(
    'test server',
    home(config),
    [
      { groupId: 'io.temporal', artifactId: 'temporal-test-server', version: VERSIONS.temporalTestServer },
      // The server logs through slf4j 1.7 and ships no binding: bind it to nothing instead of a warning per start.
      { groupId: 'org.slf4j', artifactId: 'slf4j-nop', version: VERSIONS.testServerSlf4j },
    ],
    path.join(config.cacheDir, 'logs', 'test-server-provision.log'),
  );
  // The archive only fits the JVM and the class path that wrote it (the JVM ignores it otherwise, silently
  // falling back to a slow start), so its name carries both.
  const jvm = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr;
  const jars = fs.readdirSync(lib).sort().join('\n');
  const id = createHash('sha256').update(`${java}\n${jvm}\n${jars}`).digest('hex').slice(0, 12);
  const archive = path.join(home(config), `classes-${id}.jsa`);
  const classpath = `${lib}/*`;
  if (!fs.existsSync(archive)) {
    console.log('  test server: recording a class-data-sharing archive for fast JVM starts');
    for (const stale of fs.readdirSync(home(config)).filter((f) => /^classes-.*\.jsa$/.test(f)))
      fs.rmSync(path.join(home(config), stale));
    await recordArchive(java, classpath, archive);
  }
  const wrapper = testServerPath(config);
  const script = `#!/bin/sh
# Written by \`npm run stack\`: @temporalio/testing runs this as \`<path> <port> --enable-time-skipping\`.
exec "${java}" ${JVM_FLAGS.join(' ')} -XX:SharedArchiveFile="${archive}" -cp "${classpath}" ${MAIN} "$@"
`;
  fs.mkdirSync(path.dirname(wrapper), { recursive: true });
  if (!fs.existsSync(wrapper) || fs.readFileSync(wrapper, 'utf8') !== script) fs.writeFileSync(wrapper, script, { mode: 0o755 });
  return wrapper;
}
