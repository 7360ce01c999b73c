/**
 * Bundles the Electron side into dist/electron/ with esbuild: main and the engine worker as ES modules
 * (dependencies stay in node_modules, packaged by electron-builder), the preload as CommonJS (sandboxed
 * preloads cannot load ES modules) with only `electron` external. `npm start` runs this first.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function buildElectron(outDir = path.join(root, 'dist', 'electron')): Promise<string[]> {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
  } as const;
  await build({
    ...common,
    entryPoints: { main: 'main/electron/main.ts', 'engine-worker': 'main/host/engine-worker.ts' },
    outdir: outDir,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
  });
  await build({
    ...common,
    entryPoints: { preload: 'preload/index.ts' },
    outdir: outDir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  });
  return ['main.mjs', 'engine-worker.mjs', 'preload.cjs'].map((f) => path.join(outDir, f));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const files = await buildElectron();
  process.stdout.write(`built ${files.map((f) => path.relative(root, f)).join(', ')}\n`);
}
