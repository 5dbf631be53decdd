/** Writes dist/console: the operator console's page and files, and its script built once here (api/console.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { buildConsoleScript, CONSOLE_FILES } from '../../api/console';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const target = path.join(root, 'dist', 'console');
  fs.mkdirSync(target, { recursive: true });
  for (const file of CONSOLE_FILES) fs.copyFileSync(path.join(root, 'console', file), path.join(target, file));
  const script = await buildConsoleScript();
  fs.writeFileSync(path.join(target, 'console.js'), script);
  console.log(`console: ${target} (script ${Math.round(script.length / 1024)} KiB)`);
}

void main();
