/** npm run docs:config: writes docs/configuration.md from config/reference.ts. */
import fs from 'node:fs';
import path from 'node:path';
import { renderConfigurationReference } from '../../config/reference';

const target = path.resolve(__dirname, '../..', 'docs', 'configuration.md');
fs.writeFileSync(target, renderConfigurationReference());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
