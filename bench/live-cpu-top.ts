// The heaviest frames of .cpuprofile files (the live bench's --cpu-prof DIR): self time per function and
// per package or file, and total time (self and callees) per function of the gateway's own code (dist/),
// summed over the files given. `node --import tsx bench/live-cpu-top.ts DIR|FILE… [--top N]`
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './processes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function files(paths: string[]): string[] {
  return paths.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)) : [p]));
}

function place(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 13);
  return path.startsWith('/') ? relative(ROOT, path) : path;
}

function main(): void {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv.splice(topAt, 2)[1]) : 25;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const ownTotal = new Map<string, number>();
  let total = 0;
  for (const file of files(argv)) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const frame = nodes.get(id)!.callFrame;
      const where = place(frame.url);
      const name = `${frame.functionName || '(anonymous)'}  ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      const pkg = where.includes('/') && !where.startsWith('dist/') && !where.startsWith('node:') ? where.split('/').slice(0, where.startsWith('@') ? 2 : 1).join('/') : where;
      byFile.set(pkg, (byFile.get(pkg) ?? 0) + us);
      total += us;
      const own = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = nodes.get(at)!.callFrame;
        if (place(f.url).startsWith('dist/')) own.add(`${f.functionName || '(anonymous)'}  ${place(f.url)}:${f.lineNumber + 1}`);
      }
      for (const name of own) ownTotal.set(name, (ownTotal.get(name) ?? 0) + us);
    });
  }
  const print = (title: string, map: Map<string, number>) => {
    process.stdout.write(`${title}\n`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(7)} s  ${name}\n`);
    }
  };
  process.stdout.write(`${(total / 1e6).toFixed(1)} s sampled\n`);
  print('Self time by function:', byFunction);
  print('Self time by package (node_modules) or file:', byFile);
  print("Total time (self and callees) by function of the gateway's own code:", ownTotal);
}

main();
