/**
 * Prometheus's `promtool`, which checks the alerting rules (observability/alerts.rules.yml). Debian's
 * `prometheus` package carries it: downloaded with `apt-get download` (no root, nothing installed system-wide)
 * and unpacked with `dpkg-deb` into the cache, once; or a `promtool` already on PATH.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config';
import { cachePath } from './engine';
import { runLogged, StackError, which } from './proc';

const DEBIAN_PACKAGE = 'prometheus';

const cacheDir = (config: Config) => cachePath(config, 'promtool-debian');
const cachedBinary = (config: Config) => path.join(cacheDir(config), 'usr', 'bin', 'promtool');

/** The command that provides promtool where it is missing, for messages. */
export const promtoolInstallHint = `apt-get install ${DEBIAN_PACKAGE} (Debian's package has promtool), or put promtool on PATH`;

/** The unpacked Debian promtool if it is cached, else a `promtool` already on PATH. */
export function promtoolBinary(config: Config): string | undefined {
  const cached = cachedBinary(config);
  return fs.existsSync(cached) ? cached : which('promtool');
}

/** Returns promtool's path, fetching Debian's package into the cache first (seconds, once) when it is missing. */
export async function provisionPromtool(config: Config): Promise<string> {
  const found = promtoolBinary(config);
  if (found) return found;
  if (!which('apt-get') || !which('dpkg-deb'))
    throw new StackError(`promtool: not on PATH, and no apt-get/dpkg-deb to fetch it. Install it with: ${promtoolInstallHint}`);
  const download = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-promtool-'));
  const logFile = path.join(config.cacheDir, 'logs', 'promtool-download.log');
  try {
    console.log(`  promtool: downloading Debian's ${DEBIAN_PACKAGE} package into the cache (once)`);
    await runLogged('promtool download', 'apt-get', ['download', DEBIAN_PACKAGE], { logFile, cwd: download });
    const deb = fs.readdirSync(download).find((f) => f.endsWith('.deb'));
    if (!deb) throw new StackError(`promtool: apt-get download ${DEBIAN_PACKAGE} wrote no package (see ${logFile})`);
    // Unpacked beside the cache folder, then renamed into place: an interrupted run leaves no half folder.
    const staging = `${cacheDir(config)}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    await runLogged('promtool unpack', 'dpkg-deb', ['-x', path.join(download, deb), staging], { logFile });
    fs.writeFileSync(path.join(staging, 'PACKAGE'), `${deb}\n`);
    fs.renameSync(staging, cacheDir(config));
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
  }
  const binary = cachedBinary(config);
  if (!fs.existsSync(binary)) throw new StackError(`promtool: the ${DEBIAN_PACKAGE} package has no usr/bin/promtool`);
  return binary;
}
