/**
 * docs/configuration.md, from the settings' declarations in config/settings.ts (`npm run docs:config` writes it;
 * a unit test fails when the file is stale).
 */
import { RENAMED_SETTINGS, SECTIONS, SETTING_LIST, type SettingName } from './settings';

export type { SettingName };

export interface SettingDoc {
  settings: SettingName[];
  default: string;
  meaning: string;
}

/** Each section's settings, in declaration order, as docs/configuration.md shows them. */
export const SETTING_DOCS: { section: string; rows: SettingDoc[] }[] = SECTIONS.map((section) => ({
  section,
  rows: SETTING_LIST.filter(({ setting }) => setting.section === section).map(({ setting }) => ({
    settings: [setting.env as SettingName],
    default: setting.defaultValue === undefined ? setting.whenUnset : `\`${setting.defaultValue}\``,
    meaning: setting.secret ? `${setting.about} (secret: masked wherever the configuration is printed)` : setting.about,
  })),
}));

/** docs/configuration.md, from SETTING_DOCS. */
export function renderConfigurationReference(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '<!-- Generated from config/settings.ts by `npm run docs:config`: edit that file, not this one. -->',
    '',
    '# Configuration reference',
    '',
    'Every setting is an environment variable, read and validated in one place ([config/index.ts](../config/index.ts))',
    'when a process starts: a bad value stops it with a message that names the setting. Secrets (API keys,',
    'passwords, tokens, webhook secrets) are never logged; `LOG_LEVEL=debug` prints the configuration with them',
    'masked. Durations are written like `500ms`, `30s`, `5m`, `2h`, `1d`.',
  ];
  for (const { section, rows } of SETTING_DOCS) {
    lines.push('', `## ${section}`, '', '| setting | default | meaning |', '| --- | --- | --- |');
    for (const row of rows) {
      lines.push(`| ${row.settings.map((s) => `\`${s}\``).join(', ')} | ${cell(row.default)} | ${cell(row.meaning)} |`);
    }
  }
  lines.push(
    '',
    '## Renamed settings',
    '',
    "These names are refused at start with the name to use instead (the one Temporal's CLI and SDKs read):",
    '',
  );
  for (const [old, name] of Object.entries(RENAMED_SETTINGS)) lines.push(`- \`${old}\` → \`${name}\``);
  return lines.join('\n') + '\n';
}
