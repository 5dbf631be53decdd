/** Resolves Maven Central artifacts with their runtime dependencies into a cached lib/ folder, once. */
import fs from 'node:fs';
import path from 'node:path';
import { runLogged, StackError, which } from './proc';

export interface Artifact {
  groupId: string;
  artifactId: string;
  version: string;
}

const COMPLETE = '.complete';

const coordinates = (artifacts: Artifact[]) =>
  artifacts.map((a) => `${a.groupId}:${a.artifactId}:${a.version}`).join('\n') + '\n';

/** True when `dir/lib` holds a finished copy of exactly these artifacts. */
export function mavenLibReady(dir: string, artifacts: Artifact[]): boolean {
  try {
    return fs.readFileSync(path.join(dir, COMPLETE), 'utf8') === coordinates(artifacts);
  } catch {
    return false;
  }
}

export async function provisionMavenLib(label: string, dir: string, artifacts: Artifact[], logFile: string): Promise<string> {
  const lib = path.join(dir, 'lib');
  if (mavenLibReady(dir, artifacts)) return lib;
  if (!which('mvn')) {
    throw new StackError(`${label}: Maven (mvn) is not on PATH. Install Maven 3.8+ and a JDK 17+, then run this again.`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(lib, { recursive: true, force: true });
  const deps = artifacts
    .map(
      (a) =>
        `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version></dependency>`,
    )
    .join('\n');
  // A throwaway pom whose only job is to name the artifacts; it lives in the cache, not in the repository.
  fs.writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>paysaga.stack</groupId>
  <artifactId>${path.basename(dir)}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`,
  );
  console.log(`  ${label}: fetching ${artifacts.map((a) => `${a.artifactId}:${a.version}`).join(', ')} from Maven Central`);
  let downloaded = 0;
  await runLogged(
    label,
    'mvn',
    ['-B', '-f', path.join(dir, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`],
    { logFile, onLine: (line) => (line.includes('Downloaded from') ? `${++downloaded} files downloaded` : undefined) },
  );
  fs.writeFileSync(path.join(dir, COMPLETE), coordinates(artifacts));
  return lib;
}
