#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the locked dependencies when node_modules is missing or
// older than package-lock.json, so a fresh clone needs no separate install step. Plain JS: it runs before
// anything is installed.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs;
if (stale) {
  // `npm install`, not `npm ci`: the lock file lacks entries for @swc/core platform packages that the
  // registry does not serve, which `npm ci` treats as out of sync. The lock file still pins every version.
  console.log('paysaga: installing dependencies (npm install)');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
