// @ts-check
/**
 * The layers of the code base, enforced: which folder may import which, and where Electron may be
 * loaded. A local ESLint rule rather than path patterns, so that a relative import is judged by where it
 * lands (`../../host/x` from any depth) and `import('electron')` is caught as well as `import … from`.
 *
 *   common ← engine ← evaluation ← host ← bridge / electron
 *                   ↖ queue ← cli     ↖ (queue)
 *   renderer and preload: common only.  bench and training: the app's code (and the command-line
 *   parsing of main/cli), never each other.
 */
import path from 'node:path';

/**
 * Layer → the layers it may import (its own always). A folder not listed (e2e, configs) is unrestricted.
 * Keys are matched against the file's path from the repository root, longest first.
 */
export const LAYERS = {
  'main/common': [],
  'main/engine': ['main/common'],
  'main/evaluation': ['main/common', 'main/engine'],
  'main/queue': ['main/common', 'main/engine', 'main/cli'],
  'main/host': ['main/common', 'main/engine', 'main/evaluation', 'main/queue'],
  'main/cli': ['main/common', 'main/engine', 'main/evaluation', 'main/queue'],
  'main/bridge': ['main/common', 'main/engine', 'main/host', 'main/cli'],
  'main/electron': ['main/common', 'main/engine', 'main/host', 'main/cli', 'preload'],
  preload: ['main/common'],
  renderer: ['main/common'],
  bench: ['main/common', 'main/engine', 'main/evaluation', 'main/queue', 'main/host', 'main/cli'],
  training: ['main/common', 'main/engine', 'main/evaluation', 'main/cli'],
};

/** Only these folders may load Electron (in any form: `electron`, `electron/main`, `import('electron')`). */
export const ELECTRON_FOLDERS = ['main/electron', 'preload'];

const layerNames = Object.keys(LAYERS).sort((a, b) => b.length - a.length);

/** @param {string} relative a path from the repository root, `/`-separated */
function layerOf(relative) {
  return layerNames.find((name) => relative === name || relative.startsWith(`${name}/`)) ?? null;
}

const isElectron = (source) => source === 'electron' || source.startsWith('electron/');

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each folder imports only the layers below it; Electron stays in main/electron.' },
    schema: [],
    messages: {
      layer: '{{from}} may not import {{to}} (it may import: {{allowed}}).',
      electron: 'Only main/electron and preload may load Electron ({{source}}).',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const from = layerOf(file);
    const electronAllowed = ELECTRON_FOLDERS.some((folder) => file.startsWith(`${folder}/`));

    /** @param {import('estree').Node & { source?: any }} node */
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (isElectron(spec)) {
        if (!electronAllowed) context.report({ node, messageId: 'electron', data: { source: spec } });
        return;
      }
      if (!from || !spec.startsWith('.')) return;
      const target = path
        .relative(root, path.resolve(path.dirname(context.filename), spec))
        .split(path.sep)
        .join('/');
      const to = layerOf(target);
      if (!to || to === from || LAYERS[from].includes(to)) return;
      const allowed = LAYERS[from].join(', ') || 'nothing outside itself';
      context.report({ node, messageId: 'layer', data: { from, to, allowed } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
      // `typeof import('electron')` in a type position.
      TSImportType: (node) => check({ ...node, source: node.argument?.literal }),
    };
  },
};

export default { rules: { layers: layersRule } };
