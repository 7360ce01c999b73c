/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL } from '../engine/engine';
import { startBridge } from './server';
import { parseCommandLine } from '../cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run web -- [--port N] [--model NAME|PATH] [--data DIR] [--json]\`
(without --port: the port the last run on this data folder used, if it is free, else any free one)

Runs the studio in browser mode: serves the built renderer (dist/renderer) and the bridge on
127.0.0.1, and prints the URL (with its one-time token) to open. \`--json\` prints one JSON line
\`{"url": …}\` instead, for scripts and the e2e setup. Stops on Ctrl+C / SIGTERM.
`;

const root = fileURLToPath(new URL('../../', import.meta.url));

function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'speech-studio', 'browser');
}

const { values } = parseCommandLine({
  command: 'npm run web --',
  usage: USAGE,
  options: {
    // Default: the port of the last run on this data folder (if free), else any free port.
    port: { type: 'string' },
    model: { type: 'string', default: process.env.SPEECH_STUDIO_MODEL ?? DEFAULT_MODEL },
    data: { type: 'string', default: defaultDataDir() },
    static: { type: 'string', default: path.join(root, 'dist', 'renderer') },
    json: { type: 'boolean', default: false },
  },
});

const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const bridge = await startBridge({
  staticDir: values.static!,
  model: values.model!,
  dataDir: values.data!,
  port: values.port === undefined ? undefined : Number(values.port),
  version,
}).catch((error: unknown) => {
  // One line that says what is wrong (another studio on this data folder, a port in use, no build).
  process.stderr.write(`speech-studio: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

if (values.json) {
  process.stdout.write(JSON.stringify({ url: bridge.url, port: bridge.port }) + '\n');
} else {
  process.stdout.write(
    `Speech Studio (browser mode) is running. Open:\n\n  ${bridge.url}\n\nPress Ctrl+C to stop.\n`,
  );
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void bridge.close().then(() => process.exit(0));
  });
}
