/**
 * electron-builder.yml: valid against electron-builder's own schema (packaging itself cannot run on
 * these machines), and consistent with the paths the app reads at run time.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  files: string[];
  extraMetadata: { main: string };
  extraResources: { from: string; to: string }[];
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: { target: string[] };
  mac: { target: string[]; extendInfo: Record<string, string> };
  win: { target: string[] };
}

async function load(): Promise<BuilderConfig> {
  const { load: parseYaml } = require('js-yaml') as { load: (text: string) => unknown };
  return parseYaml(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's configuration validation", async () => {
    // Internal module of electron-builder (26.x): the same check `electron-builder` runs before building.
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(await load(), new DebugLogger(false))).resolves.toBeUndefined();
    // …and that check does catch mistakes.
    await expect(
      validateConfiguration({ ...(await load()), asarUnpak: [] }, new DebugLogger(false)),
    ).rejects.toThrow(/asarUnpak/);
  });

  it('targets AppImage + deb, dmg and nsis', async () => {
    const config = await load();
    expect(config.appId).toMatch(/^[\w.-]+$/);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toBeTruthy();
  });

  it('ships the bundles the app starts from and the models where main looks for them', async () => {
    const config = await load();
    expect(config.extraMetadata.main).toBe('dist/electron/main.mjs');
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**']));
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'models', to: 'models' }));
    const main = await readFile(path.join(root, 'main/electron/main.ts'), 'utf8');
    expect(main).toContain("path.join(process.resourcesPath, 'models')");
    expect(main).toContain("'engine-worker.mjs'");
    expect(main).toContain("'preload.cjs'");
  });

  it('keeps native and wasm payloads out of the asar and does not rebuild', async () => {
    const config = await load();
    expect(config.asarUnpack).toContain('node_modules/@picovoice/pvrecorder-node/**');
    expect(config.asarUnpack.some((p) => p.includes('tfjs-backend-wasm'))).toBe(true);
    expect(config.npmRebuild).toBe(false);
  });
});
