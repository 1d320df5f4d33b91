import { isSetting, SETTINGS, type Setting, type SettingGroup } from './settings.js';

function settingsOf(group: SettingGroup): Setting<unknown>[] {
  return Object.values(group).flatMap((entry) => (isSetting(entry) ? [entry] : settingsOf(entry)));
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The README's settings table, one row per variable, rendered from SETTINGS. */
export function settingsTable(): string {
  const rows = settingsOf(SETTINGS)
    .filter((s) => s.env !== null)
    .map((s) => {
      const name = `\`${s.env}\`${s.flag ? ` (\`--${s.flag}\`)` : ''}`;
      const shown = s.shownDefault ?? `\`${String(s.default)}\``;
      return `| ${name} | ${cell(shown)} | ${cell(s.parser.accepts)} | ${cell(s.description)} |`;
    });
  return ['| variable (flag) | default | accepts | what it sets |', '|---|---|---|---|', ...rows].join('\n');
}
