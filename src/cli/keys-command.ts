import type { Command } from 'commander';
import { ACCOUNT_SLUG, KeyStore, type KeyListing } from '../auth/key-store.js';
import { isScope, isTier, SCOPES, TIERS, type Scope, type Tier } from '../auth/scopes.js';
import { flagHelp } from '../config.js';
import { formatUtc } from '../time/iso-time.js';
import { UsageError } from './usage-error.js';
import { withDatabase } from './with-database.js';

export function parseAccount(value: string): string {
  if (!ACCOUNT_SLUG.test(value)) {
    throw new UsageError(`--account must be a slug of lower-case letters, digits, "-" and "_" (up to 63); got "${value}".`);
  }
  return value;
}

function parseScopeList(value: string): Scope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (scopes.length === 0) throw new UsageError(`--scopes needs at least one of ${SCOPES.join(', ')}.`);
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new UsageError(`Unknown scope "${unknown[0]}": expected ${SCOPES.join(', ')}.`);
  return scopes as Scope[];
}

function parseTier(value: string | undefined): Tier | undefined {
  if (value === undefined) return undefined;
  if (!isTier(value)) throw new UsageError(`Unknown tier "${value}": expected ${TIERS.join(', ')}.`);
  return value;
}

function time(ms: number | null, none: string): string {
  return ms === null ? none : formatUtc(ms);
}

export function keyLine(k: KeyListing): string {
  return [
    k.id,
    `account=${k.account}`,
    `name=${k.name === null ? '-' : JSON.stringify(k.name)}`,
    `prefix=${k.prefix}`,
    `scopes=${k.scopes.join(',')}`,
    `tier=${k.tier}`,
    `created=${formatUtc(k.createdAt)}`,
    `last_used=${time(k.lastUsedAt, 'never')}`,
    `revoked=${time(k.revokedAt, 'no')}`,
  ].join('  ');
}

function listingJson(k: KeyListing) {
  return {
    id: k.id, account: k.account, name: k.name, prefix: k.prefix, scopes: k.scopes, tier: k.tier,
    created_at: formatUtc(k.createdAt),
    last_used_at: k.lastUsedAt === null ? null : formatUtc(k.lastUsedAt),
    revoked_at: k.revokedAt === null ? null : formatUtc(k.revokedAt),
  };
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Create, list and revoke API keys.');

  keys
    .command('create')
    .description('Create an API key (and its account, if new). The key is printed once.')
    .requiredOption('--account <slug>', 'account (workspace) the key belongs to')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(',')}`)
    .option('--name <text>', 'a label for listings')
    .option('--tier <tier>', `rate-limit tier: ${TIERS.join('|')} (default: ingestion for write-only keys, else standard)`)
    .option('--json', 'print {"id","key","account","scopes","tier"}')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ trenchcoat keys create --account acme --scopes read:analytics\n' +
        '  $ KEY=$(trenchcoat keys create --account acme --scopes write:events --name laptop)',
    )
    .action(async (flags: { account: string; scopes: string; name?: string; tier?: string; json?: boolean; db?: string }) => {
      const request = {
        account: parseAccount(flags.account),
        scopes: parseScopeList(flags.scopes),
        tier: parseTier(flags.tier),
        name: flags.name ?? null,
      };
      const created = await withDatabase(flags, (database) => new KeyStore(database.db).create(request));
      if (flags.json) {
        console.log(JSON.stringify({ id: created.id, key: created.key, account: created.account, scopes: created.scopes, tier: created.tier }));
      } else {
        console.log(created.key);
        console.error(
          `Created ${created.id} for account ${created.account} (scopes ${created.scopes.join(',')}, tier ${created.tier}). ` +
            'Store the key now: it is not shown again.',
        );
      }
    });

  keys
    .command('list')
    .description('List keys, one line each, starting with the id. Never shows the secret.')
    .option('--account <slug>', 'only this account')
    .option('--json', 'print a JSON array')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText('after', '\nExamples:\n  $ trenchcoat keys list\n  $ trenchcoat keys list --account acme --json')
    .action(async (flags: { account?: string; json?: boolean; db?: string }) => {
      const account = flags.account === undefined ? undefined : parseAccount(flags.account);
      const listed = await withDatabase(flags, (database) => new KeyStore(database.db).list(account));
      if (flags.json) console.log(JSON.stringify(listed.map(listingJson)));
      else for (const k of listed) console.log(keyLine(k));
    });

  keys
    .command('revoke')
    .description('Revoke a key at once: its next request is refused.')
    .argument('<id>', 'the key id (first column of `keys list`)')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText('after', '\nExample:\n  $ trenchcoat keys revoke key_0123456789ab')
    .action(async (id: string, flags: { db?: string }) => {
      await withDatabase(flags, async (database, changes) => {
        await new KeyStore(database.db).revoke(id);
        // Running gateways end the key's live subscriptions now rather than at their next key check.
        await changes.keyRevoked(id);
      });
      console.log(`Revoked ${id}.`);
    });
}
