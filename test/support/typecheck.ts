import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PACKAGE_ROOT } from '../../src/package-root.js';

// What a client project written today would use: strict, ES modules resolved as Node does.
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
};

/**
 * A folder laid out as a small ES-module project: `files` (name → TypeScript source) written into it, a
 * package.json of type module, and the gateway's node_modules linked in so that imports resolve.
 */
export function writeClientProject(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return Object.entries(files).map(([name, source]) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  });
}

// Declarations under node_modules (TypeScript's lib files among them) parsed once per worker, not once per check.
const parsedDeclarations = new Map<string, ts.SourceFile>();

function compilerHost(): ts.CompilerHost {
  const host = ts.createCompilerHost(OPTIONS);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreateNewSourceFile) => {
    if (!fileName.includes('/node_modules/')) return parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
    let parsed = parsedDeclarations.get(fileName);
    if (!parsed) {
      parsed = parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
      if (parsed) parsedDeclarations.set(fileName, parsed);
    }
    return parsed;
  };
  return host;
}

/** Type-checks `files` with the TypeScript compiler API; each error as `file:line:column message`, none when clean. */
export function typecheck(files: readonly string[]): string[] {
  const program = ts.createProgram(files, OPTIONS, compilerHost());
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName.split('/').at(-1)}:${line + 1}:${character + 1} ${message}`;
  });
}

/** Writes each `.ts` file as the `.js` a build would give, so that the project can be imported and run. */
export function transpileProject(files: readonly string[]): void {
  for (const file of files) {
    const { outputText } = ts.transpileModule(ts.sys.readFile(file) ?? '', {
      compilerOptions: { ...OPTIONS, module: ts.ModuleKind.ESNext, noEmit: false },
      fileName: file,
    });
    writeFileSync(file.replace(/\.ts$/, '.js'), outputText);
  }
}
