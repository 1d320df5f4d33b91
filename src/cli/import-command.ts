import type { Command } from 'commander';
import { KeyStore } from '../auth/key-store.js';
import { flagHelp, loadSettings, SETTINGS } from '../config.js';
import { defaultTranscriptRoot, findTranscripts, MissingPathError } from '../import/find-transcripts.js';
import { importPrincipal, importTranscripts, type ImportSummary } from '../import/import-transcripts.js';
import { localServices } from '../use-cases/use-case-context.js';
import { parseAccount } from './keys-command.js';
import { progressBar } from './progress-bar.js';
import { UsageError } from './usage-error.js';
import { withDatabase } from './with-database.js';

interface ImportFlags {
  account: string;
  json?: boolean;
  db?: string;
}

function summaryLine(s: ImportSummary): string {
  const stored = s.accepted - s.duplicates;
  return (
    `Imported ${s.files} file${s.files === 1 ? '' : 's'}: ${s.sessions} session${s.sessions === 1 ? '' : 's'}, ` +
    `${s.events} events (${stored} new, ${s.duplicates} already stored, ${s.rejected} rejected), ` +
    `${s.skipped_lines} line${s.skipped_lines === 1 ? '' : 's'} skipped.`
  );
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Backfill sessions from Claude Code transcripts (JSONL). Importing the same files again changes nothing.')
    .argument('[paths...]', 'transcript files or folders (searched recursively for *.jsonl); default ~/.claude/projects')
    .requiredOption('--account <slug>', 'account (workspace) the sessions belong to; created if new')
    .option('--json', 'print one JSON object: {"files","sessions","events","accepted","duplicates","rejected","skipped_lines","model_requests"}')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText(
      'after',
      '\nPrompt text, tool input and tool output are kept only as previews of TRENCHCOAT_HOOK_PREVIEW_CHARS characters ' +
        `(default ${SETTINGS.hookPreviewChars.default}).\n` +
        '\nExamples:\n  $ trenchcoat import --account acme\n' +
        '  $ trenchcoat import ~/.claude/projects/-home-me-myproject --account acme --json',
    )
    .action(async (paths: string[], flags: ImportFlags) => {
      const account = parseAccount(flags.account);
      const { hookPreviewChars: previewChars } = loadSettings(['hookPreviewChars'], flags);
      let files: string[];
      try {
        files = await findTranscripts(paths.length > 0 ? paths : [defaultTranscriptRoot()]);
      } catch (error) {
        if (error instanceof MissingPathError) throw new UsageError(error.message);
        throw error;
      }
      const bar = progressBar();
      let summary: ImportSummary;
      try {
        summary = await withDatabase(flags, async (database, changes) => {
          const accountId = await new KeyStore(database.db).ensureAccount(account);
          return importTranscripts({
            services: localServices(database.db, changes),
            principal: importPrincipal(accountId, account),
            files,
            previewChars,
            onProgress: bar ? (p) => bar.update(p.filesDone, p.filesTotal, `${p.filesDone}/${p.filesTotal} files, ${p.events} events`) : undefined,
          });
        });
      } finally {
        bar?.clear();
      }
      console.log(flags.json ? JSON.stringify(summary) : summaryLine(summary));
    });
}
