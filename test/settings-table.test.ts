// The README's settings table is the one in src/config/settings.ts, rendered: a default or bound changed in
// one place shows up in the other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, loadSettings, SETTINGS } from '../src/config.js';
import { settingsTable } from '../src/config/settings-table.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const START = '<!-- settings table: rendered from src/config/settings.ts (settingsTable); test/settings-table.test.ts keeps them equal -->\n';
const END = '\n<!-- end of settings table -->';

describe('the settings table', () => {
  it('is what the README shows between its markers (on a difference, paste the expected text there)', () => {
    const start = README.indexOf(START);
    const end = README.indexOf(END, start);
    expect(start, 'README settings table start marker').toBeGreaterThanOrEqual(0);
    expect(end, 'README settings table end marker').toBeGreaterThan(start);
    expect(README.slice(start + START.length, end)).toBe(settingsTable());
  });

  it('names every variable once', () => {
    const names = [...settingsTable().matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(20);
    expect(new Set(names).size).toBe(names.length);
  });

  it('is where the defaults come from: nothing set gives each default', () => {
    const config = defaultConfig();
    expect(config.port).toBe(SETTINGS.port.default);
    expect(config.live.queue).toBe(SETTINGS.live.queue.default);
    expect(config.postgres.poolSize).toBe(SETTINGS.postgres.poolSize.default);
    expect(Object.isFrozen(config) && Object.isFrozen(config.live)).toBe(true);
  });

  it('a command reads only the settings it uses, each as serve reads it', () => {
    const env = { PORT: 'abc', TRENCHCOAT_PG_POOL_SIZE: '3', DATABASE_URL: 'postgres://u@h/db' };
    expect(() => loadConfig({}, env)).toThrow(ConfigError);
    expect(loadSettings(['databaseUrl', 'postgres'], {}, env)).toEqual({ databaseUrl: 'postgres://u@h/db', postgres: { poolSize: 3, statementTimeoutMs: 30_000, namedStatements: true, keyCache: true } });
    expect(loadSettings(['databaseUrl'], { db: 'x.db' }, env)).toEqual({ databaseUrl: 'x.db' });
    // The relay is chosen from the database and Redis settings, read even when not asked for.
    expect(loadSettings(['liveRelay'], {}, env)).toEqual({ liveRelay: 'postgres' });
    expect(() => loadSettings(['liveRelay'], {}, { TRENCHCOAT_LIVE_RELAY: 'redis' })).toThrow('TRENCHCOAT_LIVE_RELAY=redis needs REDIS_URL.');
  });
});
