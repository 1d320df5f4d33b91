// Builds the dashboard into dist/dashboard: content-hashed assets, the page that names them, and the manifest of
// its GraphQL documents (which the gateway trusts). Run by `npm run build`. Plain JavaScript so that it needs no
// TypeScript loader; esbuild compiles the app's TypeScript.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(HERE, '..', 'dist', 'dashboard');
/** The gateway serves the build under this path. */
const ASSETS_URL = '/dashboard/assets';
/** Issue 18's budget for all the page's JavaScript, gzipped. */
export const JS_BUDGET_BYTES = 150 * 1024;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('dashboard not built: esbuild (a dev dependency) is not installed; the gateway serves /dashboard as 404 until it is.\n');
  process.exit(0);
}

const staging = `${OUT}.building-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(join(staging, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(HERE, 'src', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(staging, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const js = outputs.find((name) => name.endsWith('.js'));
const css = outputs.find((name) => name.endsWith('.css'));
if (!js || !css) throw new Error(`the dashboard build made no ${js ? 'CSS' : 'JavaScript'} file`);

const iconSource = readFileSync(join(HERE, 'icon.svg'));
const icon = `icon-${createHash('sha256').update(iconSource).digest('hex').slice(0, 8).toUpperCase()}.svg`;
copyFileSync(join(HERE, 'icon.svg'), join(staging, 'assets', icon));

const page = readFileSync(join(HERE, 'index.html'), 'utf8')
  .replace('{{js}}', `${ASSETS_URL}/${js}`)
  .replace('{{css}}', `${ASSETS_URL}/${css}`)
  .replace('{{icon}}', `${ASSETS_URL}/${icon}`);
writeFileSync(join(staging, 'index.html'), page);
copyFileSync(join(HERE, 'src', 'api', 'trusted-documents.json'), join(staging, 'trusted-documents.json'));

const gzipped = gzipSync(readFileSync(join(staging, 'assets', js)), { level: 9 }).length;
if (gzipped > JS_BUDGET_BYTES) throw new Error(`the dashboard's JavaScript is ${gzipped} bytes gzipped, over its budget of ${JS_BUDGET_BYTES}`);

// Swapped in whole, so a running gateway never reads half a build.
rmSync(OUT, { recursive: true, force: true });
renameSync(staging, OUT);
if (!process.env.TRENCHCOAT_QUIET_BUILD) process.stderr.write(`dashboard built: ${js} (${(gzipped / 1024).toFixed(1)} KiB gzipped), ${css}\n`);
