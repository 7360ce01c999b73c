/**
 * The layer rule, run through ESLint's Node API with the project's own configuration on small sources
 * placed (by name only) in each folder: every forbidden import is reported, and the allowed ones are not.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The studio/layers messages ESLint gives `code` as if it were the file at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'studio/layers').map((m) => m.message);
}

describe('the layers lint rule', () => {
  it.each([
    [
      'main/engine/x.ts',
      "import { StudioService } from '../host/studio-service';\nvoid StudioService;",
      /main\/engine may not import main\/host/,
    ],
    [
      'main/engine/audio/x.ts',
      "import { parseCommandLine } from '../../cli/command-line';\nvoid parseCommandLine;",
      /main\/engine may not import main\/cli/,
    ],
    [
      'main/engine/x.ts',
      "export { evaluateSets } from '../evaluation/evaluate';",
      /main\/engine may not import main\/evaluation/,
    ],
    ['main/common/x.ts', "export * from '../engine/errors';", /main\/common may not import main\/engine/],
    [
      'main/host/x.ts',
      "import { startBridge } from '../bridge/server';\nvoid startBridge;",
      /main\/host may not import main\/bridge/,
    ],
    [
      'main/host/x.ts',
      "import { registerIpc } from '../electron/ipc';\nvoid registerIpc;",
      /main\/host may not import main\/electron/,
    ],
    [
      'bench/x.ts',
      "import { x } from '../training/features/dump-features';\nvoid x;",
      /bench may not import training/,
    ],
    ['training/lm/x.ts', "import { x } from '../../bench/wer';\nvoid x;", /training may not import bench/],
    [
      'renderer/src/x.ts',
      "import { x } from '../../main/host/validate';\nvoid x;",
      /renderer may not import main\/host/,
    ],
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['main/host/x.ts', "import { app } from 'electron';\nvoid app;"],
    ['main/bridge/x.ts', "import { app } from 'electron/main';\nvoid app;"],
    ['main/cli/x.ts', "export async function f() {\n  return import('electron');\n}"],
    ['main/engine/x.ts', "export type App = typeof import('electron').app;"],
    ['main/queue/x.ts', "export { app } from 'electron';"],
  ])('%s: Electron is refused outside main/electron and preload (%s)', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([
      expect.stringMatching(/Only main\/electron and preload may load Electron/),
    ]);
  });

  it.each([
    [
      'main/engine/audio/x.ts',
      "import { displayName } from '../../common/display-names';\nvoid displayName;",
    ],
    ['main/host/x.ts', "import { AsrEngine } from '../engine/engine';\nvoid AsrEngine;"],
    ['main/bridge/x.ts', "import { StudioService } from '../host/studio-service';\nvoid StudioService;"],
    [
      'main/electron/x.ts',
      "import { app } from 'electron';\nimport { StudioService } from '../host/studio-service';\nvoid app;\nvoid StudioService;",
    ],
    ['preload/x.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;"],
    ['bench/x.ts', "import { AsrEngine } from '../main/engine/engine';\nvoid AsrEngine;"],
    [
      'training/lm/x.ts',
      "import { parseCorpusManifest } from '../../main/common/corpus-manifest';\nvoid parseCorpusManifest;",
    ],
  ])('%s: an allowed import passes (%s)', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
