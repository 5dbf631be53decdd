/**
 * Chromium for the browser tests (Playwright drives it). A `chromium` on PATH is used as it is; otherwise
 * Debian's `chromium` package and the packages of its dependency closure that this machine lacks are fetched
 * with `apt-get download` (no root, nothing installed system-wide) and unpacked with `dpkg-deb` into one cache
 * folder, once. The unpacked browser then runs with LD_LIBRARY_PATH over the unpacked libraries.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import type { Config } from '../../config';
import { cachePath } from './engine';
import { runLogged, StackError, which } from './proc';

const DEBIAN_PACKAGE = 'chromium';
/** The real binary: Debian's /usr/bin/chromium is a shell wrapper that reads /etc/chromium.d, absent from the cache. */
const EXECUTABLE = 'usr/lib/chromium/chromium';

const cacheDir = (config: Config) => cachePath(config, 'chromium-debian');
const manifestPath = (config: Config) => path.join(cacheDir(config), 'launch.json');
const logFile = (config: Config) => path.join(config.cacheDir, 'logs', 'chromium-provision.log');

/** The command that provides Chromium where it is missing, for messages. */
export const chromiumInstallHint = `apt-get install ${DEBIAN_PACKAGE}, or put chromium on PATH`;

/** What a launcher needs: the executable and the variables to add to its environment. */
export interface ChromiumLaunch {
  executablePath: string;
  env: Record<string, string>;
  source: 'PATH' | 'cache';
}

/** Written last into the cache folder, paths relative to it: its presence means the folder is complete. */
const Manifest = z.object({
  packages: z.array(z.string()),
  executable: z.string(),
  libDirs: z.array(z.string()),
  fontconfigFile: z.string().optional(),
});
type Manifest = z.infer<typeof Manifest>;

function fromManifest(dir: string, manifest: Manifest): ChromiumLaunch {
  const env: Record<string, string> = {};
  const libs = manifest.libDirs.map((d) => path.join(dir, d));
  if (libs.length > 0) env.LD_LIBRARY_PATH = [...libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
  if (manifest.fontconfigFile) env.FONTCONFIG_FILE = path.join(dir, manifest.fontconfigFile);
  return { executablePath: path.join(dir, manifest.executable), env, source: 'cache' };
}

/** A `chromium` on PATH, else the unpacked Debian one if it is cached; undefined when neither is there. */
export function chromiumBinary(config: Config): ChromiumLaunch | undefined {
  const onPath = which('chromium');
  if (onPath) return { executablePath: onPath, env: {}, source: 'PATH' };
  const file = manifestPath(config);
  if (!fs.existsSync(file)) return undefined;
  const manifest = z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(Manifest)
    .safeParse(fs.readFileSync(file, 'utf8'));
  if (!manifest.success)
    throw new StackError(`chromium: ${file} is not a launch manifest; delete ${cacheDir(config)} to fetch again`);
  return fromManifest(cacheDir(config), manifest.data);
}

// ---- the dependency closure --------------------------------------------------------------------------------

/** One alternative of a dependency: a package name, or a virtual name with the packages that provide it. */
interface Alternative {
  name: string;
  providers: string[];
}

/** Drops an architecture qualifier (`perl:any`, `libc6:amd64`) and the `<...>` that marks a virtual package. */
const bare = (name: string) => name.replace(/^<|>$/g, '').replace(/:[a-z0-9-]+$/, '');

/**
 * Parses `apt-cache depends --recurse` output into each package's dependency groups. A group is a list of
 * alternatives: ` |Depends: a` followed by `  Depends: b` means a or b; `<name>` is a virtual package whose
 * providers follow on lines indented by four spaces.
 */
export function parseAptDepends(output: string): Map<string, Alternative[][]> {
  const packages = new Map<string, Alternative[][]>();
  let groups: Alternative[][] | undefined;
  let openGroup: Alternative[] | undefined; // the group a ` |Depends:` line left open for the next line
  let last: Alternative | undefined;
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      groups = line.startsWith('<') ? undefined : [];
      if (groups) packages.set(bare(line.trim()), groups);
      openGroup = undefined;
      last = undefined;
      continue;
    }
    if (!groups) continue;
    const dep = /^ (\||\s)(Pre)?Depends: (\S+)$/.exec(line);
    if (dep) {
      last = { name: bare(dep[3]!), providers: [] };
      const group = openGroup ?? [];
      if (!openGroup) groups.push(group);
      group.push(last);
      openGroup = dep[1] === '|' ? group : undefined;
    } else if (/^ {4}\S+$/.test(line) && last) {
      last.providers.push(bare(line.trim()));
    }
  }
  return packages;
}

/**
 * The packages to fetch so that `root` and all it depends on are there: a walk from root that treats a group
 * as met when one of its alternatives is installed, provided by an installed package or already chosen, and
 * otherwise chooses its first alternative that a real package satisfies (a virtual one: its first provider).
 */
export function packagesToFetch(root: string, depends: Map<string, Alternative[][]>, installed: Set<string>): string[] {
  const chosen = new Set<string>();
  const have = (name: string) => installed.has(name) || chosen.has(name);
  const pending = [root];
  while (pending.length > 0) {
    const pkg = pending.pop()!;
    if (chosen.has(pkg)) continue;
    chosen.add(pkg);
    for (const group of depends.get(pkg) ?? []) {
      if (group.some((alt) => have(alt.name) || alt.providers.some(have))) continue;
      const pick = group
        .map((alt) => (depends.has(alt.name) ? alt.name : alt.providers.find((p) => depends.has(p))))
        .find((name) => name !== undefined);
      if (!pick)
        throw new StackError(`chromium: ${pkg} depends on ${group.map((a) => a.name).join(' | ')}, which no package provides`);
      pending.push(pick);
    }
  }
  return [...chosen].sort();
}

/** The names of installed packages and of the virtual packages they provide (`dpkg-query -W`). */
export function installedPackages(): Set<string> {
  const run = spawnSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Provides}\n'], { encoding: 'utf8' });
  if (run.status !== 0) throw new StackError(`chromium: dpkg-query -W failed: ${run.stderr}`);
  const names = new Set<string>();
  for (const line of run.stdout.split('\n')) {
    const [status, name, provides] = line.split('\t');
    if (!status?.startsWith('ii') || !name) continue;
    names.add(bare(name));
    for (const p of (provides ?? '').split(',')) if (p.trim()) names.add(bare(p.trim().split(' ')[0]!));
  }
  return names;
}

// ---- unpacking and checking --------------------------------------------------------------------------------

function walk(dir: string, visit: (file: string) => void): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

/** Every folder of the unpacked tree that holds shared libraries, but the browser's own (found by its rpath). */
function libraryDirs(root: string): string[] {
  const dirs = new Set<string>();
  walk(root, (file) => {
    if (/\.so(\.\d+)*$/.test(file)) dirs.add(path.relative(root, path.dirname(file)));
  });
  dirs.delete(path.dirname(EXECUTABLE));
  // The standard folders first, so a library found in two places resolves as on an installed system.
  const rank = (d: string) => (/^(usr\/)?lib\/x86_64-linux-gnu$|^(usr\/)?lib\/[^/]+-linux-gnu$/.test(d) ? 0 : 1);
  return [...dirs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A fonts.conf (written into staging, naming the final root) over the machine's fonts and the unpacked ones, when fontconfig's configuration is not on the
 * machine or the closure brought fonts: without fonts a screenshot shows empty boxes instead of text.
 */
function fontconfigFile(staging: string, root: string): string | undefined {
  if (fs.existsSync('/etc/fonts/fonts.conf') && !fs.existsSync(path.join(staging, 'usr', 'share', 'fonts'))) return undefined;
  const unpackedFonts = path.join(root, 'usr', 'share', 'fonts');
  const conf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts</dir>
  <dir>${unpackedFonts}</dir>
  <include ignore_missing="yes">${path.join(root, 'etc', 'fonts', 'conf.d')}</include>
  <cachedir>${path.join(root, 'var', 'cache', 'fontconfig')}</cachedir>
</fontconfig>
`;
  fs.writeFileSync(path.join(staging, 'fonts.conf'), conf);
  return 'fonts.conf';
}

/**
 * Fails, naming each library, when `ldd` cannot resolve one that the browser or a shared object beside it
 * (its GL and Vulkan implementations) links against, with the variables a launch adds.
 */
export function checkLibraries(executablePath: string, env: Record<string, string>): void {
  const dir = path.dirname(executablePath);
  const objects = [
    executablePath,
    ...fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.so'))
      .map((f) => path.join(dir, f)),
  ];
  const missing = new Set<string>();
  for (const object of objects) {
    const run = spawnSync('ldd', [object], { encoding: 'utf8', env: { ...process.env, ...env } });
    for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
      if (line.includes('not found')) missing.add(`${path.basename(object)}: ${line.trim()}`);
    }
  }
  if (missing.size > 0)
    throw new StackError(
      `chromium: these libraries are missing:\n  ${[...missing].join('\n  ')}\nInstall it with: ${chromiumInstallHint}`,
    );
}

/**
 * Returns how to launch Chromium, fetching Debian's package and the missing part of its dependency closure
 * into the cache first (a minute or two, once) when there is no chromium on PATH and none cached.
 */
export async function provisionChromium(config: Config): Promise<ChromiumLaunch> {
  const found = chromiumBinary(config);
  if (found) return found;
  const tools = ['apt-get', 'apt-cache', 'dpkg-deb', 'dpkg-query', 'ldd'];
  const absent = tools.filter((t) => !which(t));
  if (absent.length > 0)
    throw new StackError(
      `chromium: not on PATH, and no ${absent.join('/')} to fetch it. Install it with: ${chromiumInstallHint}`,
    );
  const log = logFile(config);
  const started = Date.now();
  const closure = spawnSync(
    'apt-cache',
    [
      'depends',
      '--recurse',
      '--no-recommends',
      '--no-suggests',
      '--no-conflicts',
      '--no-breaks',
      '--no-replaces',
      '--no-enhances',
      DEBIAN_PACKAGE,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (closure.status !== 0)
    throw new StackError(
      `chromium: apt-cache knows no ${DEBIAN_PACKAGE} package (${closure.stderr.trim()}); run apt-get update, or ${chromiumInstallHint}`,
    );
  const packages = packagesToFetch(DEBIAN_PACKAGE, parseAptDepends(closure.stdout), installedPackages());
  console.log(
    `  chromium: downloading Debian's ${DEBIAN_PACKAGE} and ${packages.length - 1} packages it needs that this machine lacks (once)`,
  );
  const download = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-chromium-'));
  // Staged beside the cache folder, then renamed into place: an interrupted run leaves no half folder, and
  // the process id keeps two concurrent first runs apart.
  const staging = `${cacheDir(config)}.partial-${process.pid}`;
  try {
    let fetched = 0;
    await runLogged('chromium download', 'apt-get', ['download', ...packages], {
      logFile: log,
      cwd: download,
      onLine: (line) => (/^Get:\d+ /.test(line) ? `${++fetched}/${packages.length} packages` : undefined),
    });
    const debs = fs
      .readdirSync(download)
      .filter((f) => f.endsWith('.deb'))
      .sort();
    if (debs.length !== packages.length)
      throw new StackError(`chromium: apt-get download wrote ${debs.length} of ${packages.length} packages (see ${log})`);
    console.log(`  chromium: unpacking ${debs.length} packages`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const deb of debs)
      await runLogged('chromium unpack', 'dpkg-deb', ['-x', path.join(download, deb), staging], { logFile: log });
    if (!fs.existsSync(path.join(staging, EXECUTABLE)))
      throw new StackError(`chromium: the ${DEBIAN_PACKAGE} package has no ${EXECUTABLE}`);
    const manifest: Manifest = {
      packages: debs,
      executable: EXECUTABLE,
      libDirs: libraryDirs(staging),
      fontconfigFile: fontconfigFile(staging, cacheDir(config)),
    };
    const unpacked = fromManifest(staging, manifest);
    checkLibraries(unpacked.executablePath, unpacked.env);
    // Written last: chromiumBinary trusts a folder only when its manifest is there.
    fs.writeFileSync(path.join(staging, 'launch.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (fs.existsSync(manifestPath(config))) fs.rmSync(staging, { recursive: true, force: true });
    else {
      fs.rmSync(cacheDir(config), { recursive: true, force: true });
      fs.renameSync(staging, cacheDir(config));
    }
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
  console.log(`  chromium: cached in ${((Date.now() - started) / 1000).toFixed(0)}s (${cacheDir(config)})`);
  const launch = chromiumBinary(config);
  if (!launch) throw new StackError(`chromium: ${manifestPath(config)} is missing after provisioning`);
  return launch;
}

/**
 * A headless Chromium driven by Playwright (the browser tests, the soak's console tour), provisioned first when
 * needed. The caller closes the browser; closing ends its whole process group.
 */
export async function launchChromium(config: Config): Promise<Browser> {
  const { executablePath, env } = await provisionChromium(config);
  // Loaded here: playwright-core is a development dependency, and `setup` (in the image too) reads this module.
  const { chromium } = await import('playwright-core');
  // Chromium refuses to start its sandbox as root (Playwright then passes --no-sandbox); any other user keeps it.
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath,
    env: { ...process.env, ...env },
    chromiumSandbox: !root,
    headless: true,
    // Playwright's own handlers end the whole process at Ctrl-C (exit 130), before its owner has stopped what
    // it started. The owner closes the browser; a terminal's Ctrl-C reaches Chromium itself anyway.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
