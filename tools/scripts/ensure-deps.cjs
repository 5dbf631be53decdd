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
  // `npm ci`: exactly the locked tree, and the lock file is never rewritten (a clone stays clean). It fails,
  // saying so, if package.json and the lock disagree: fix that with `npm install` and commit the lock.
  console.log('paysaga: installing the locked dependencies (npm ci)');
  // --prefer-offline: what the npm cache holds is used without asking the registry again (one warm run here
  // spent 5 minutes on those round trips); what it lacks is fetched as usual.
  execSync('npm ci --prefer-offline --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
