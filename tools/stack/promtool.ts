/**
 * Prometheus's `promtool`, which checks the alerting rules (observability/alerts.rules.yml). Obtained like the
 * Temporal CLI: built from its Go module at the pinned tag into the cache, or found on PATH (Debian's
 * `prometheus` package has one).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config';
import { cachePath } from './engine';
import { runLogged, StackError, which } from './proc';
import { VERSIONS } from './versions';

const MODULE_PACKAGE = 'github.com/prometheus/prometheus/cmd/promtool';

const pinnedBinary = (config: Config) => cachePath(config, `promtool-${VERSIONS.prometheus}`, 'promtool');

/** The command that provides promtool where it is missing, for messages. */
export const promtoolInstallHint = (config: Config) =>
  `GOBIN=${path.dirname(pinnedBinary(config))} go install ${MODULE_PACKAGE}@${VERSIONS.prometheus} ` +
  `(Go ${VERSIONS.prometheusGo} or newer), or apt-get install prometheus`;

/** The pinned build if it is cached, else a `promtool` already on PATH. */
export function promtoolBinary(config: Config): string | undefined {
  const pinned = pinnedBinary(config);
  return fs.existsSync(pinned) ? pinned : which('promtool');
}

/** Returns promtool's path, building it first (minutes on 2 cores, once) when it is neither cached nor on PATH. */
export async function provisionPromtool(config: Config): Promise<string> {
  const found = promtoolBinary(config);
  if (found) return found;
  if (!which('go'))
    throw new StackError(
      `promtool: not on PATH and no Go toolchain to build it. Install it with: ${promtoolInstallHint(config)}`,
    );
  const target = path.dirname(pinnedBinary(config));
  fs.mkdirSync(target, { recursive: true });
  console.log(`  promtool: building ${MODULE_PACKAGE}@${VERSIONS.prometheus} from its Go module (minutes on 2 cores, once)`);
  await runLogged('promtool build', 'go', ['install', `${MODULE_PACKAGE}@${VERSIONS.prometheus}`], {
    logFile: path.join(config.cacheDir, 'logs', 'promtool-build.log'),
    env: { ...process.env, GOBIN: target, CGO_ENABLED: '0' },
  });
  return pinnedBinary(config);
}
