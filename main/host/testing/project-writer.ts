/**
 * A stand-in for the app's autosave, run as its own process by project-store.crash.test.ts so that the
 * test can kill it with SIGKILL at any moment: it opens one audio file, records a large transcript of it
 * (so that every write takes a while), then applies edits over and over through the real ProjectStore
 * and prints `saved N` once update N has resolved — what the app would have told the renderer. Usage: node --import tsx project-writer.ts PROJECT_FILE AUDIO_FILE
 */
import { wordAt } from '../../common/project-ops';
import type { Transcript } from '../../common/transcript';
import { FileRegistry } from '../file-registry';
import { ProjectStore } from '../project-store';

const [projectFile, audioFile] = process.argv.slice(2);
const registry = new FileRegistry((id) => `/media/${id}`);
const store = new ProjectStore(projectFile, registry);
const file = await registry.register(audioFile);

// About 2 MB of JSON: big enough that a kill often lands in the middle of writing it.
const words = Array.from({ length: 20_000 }, (_, i) => ({
  word: `word${i}`,
  start: i * 0.5,
  end: i * 0.5 + 0.4,
  confidence: 0.5,
}));
const transcript: Transcript = {
  text: words.map((w) => w.word).join(' '),
  words,
  durationSec: words.length * 0.5,
  backend: 'wasm',
  model: 'test',
  rtf: 0.1,
};

await store.apply([
  { type: 'add-files', files: [{ fileId: file.id }] },
  { type: 'select', fileId: file.id },
]);
await store.recordOutcome({ path: audioFile, name: file.name, size: file.size, id: file.id }, { transcript });

for (let n = 1; ; n++) {
  await store.apply([
    { type: 'edit-word', fileId: file.id, word: wordAt(transcript, 0), text: `edit-${n}` },
    { type: 'edit-word', fileId: file.id, word: wordAt(transcript, 1), text: `also-${n}` },
  ]);
  process.stdout.write(`saved ${n}\n`);
}
