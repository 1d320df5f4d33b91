// Which gateway a column measures: a checkout's built bin/trenchcoat.js, and the commit it is.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface GatewayBuild {
  /** `before`, `after`, or `gateway` when one column is measured. */
  readonly column: string;
  readonly dir: string;
  /** `d1fab43`, `working tree on d1fab43`, or what --*-commit said. */
  readonly commit: string;
  /** Set when dist/ looks older than src/ (a build is due). */
  readonly staleNote: string | null;
}

function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The short commit of a checkout, "working tree on <commit>" when it differs from it (in files other than
 * `ignoring`'s); null outside git.
 */
export function commitOf(dir: string, ignoring: readonly string[] = []): string | null {
  const top = git(dir, ['rev-parse', '--show-toplevel']);
  if (top === null || realpathSync(top) !== realpathSync(dir)) return null;
  const head = git(dir, ['rev-parse', '--short', 'HEAD']);
  if (head === null) return null;
  // `git diff` reads only; exit status 1 (null here) means the tree differs from HEAD.
  return git(dir, ['diff', '--quiet', 'HEAD', '--', '.', ...ignoring.map((path) => `:!${path}`)]) === null ? `working tree on ${head}` : head;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function describeBuild(column: string, dirArg: string, commitArg: string | null): GatewayBuild {
  const dir = resolve(dirArg);
  if (!existsSync(join(dir, 'bin', 'trenchcoat.js')) || !existsSync(join(dir, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error(`${dir} has no built gateway (bin/trenchcoat.js and dist/src/cli/main.js): run \`npx tsc -b tsconfig.build.json\` there first.`);
  }
  const stale = existsSync(join(dir, 'src')) && newestMtime(join(dir, 'src')) > newestMtime(join(dir, 'dist'));
  return {
    column,
    dir,
    commit: commitArg ?? commitOf(dir) ?? 'not a git checkout (name it with --gateway-commit/--baseline-commit)',
    staleNote: stale ? 'src/ has files newer than dist/: rebuild (npx tsc -b tsconfig.build.json) or the figures are of an older build' : null,
  };
}
