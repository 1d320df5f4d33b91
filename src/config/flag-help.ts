import { isSetting, SETTINGS, type ConfigFlags, type Setting, type SettingGroup } from './settings.js';

/** `what (env NAME, default VALUE[; note])`: the variable and default come from the settings table. */
export function flagHelp(flag: keyof ConfigFlags, what: string, note?: string): string {
  const entries: (Setting<unknown> | SettingGroup)[] = Object.values(SETTINGS);
  const entry = entries.filter(isSetting).find((s) => s.flag === flag)!;
  return `${what} (env ${entry.env}, default ${String(entry.default)}${note ? `; ${note}` : ''})`;
}
