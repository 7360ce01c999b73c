/**
 * The fuzz harness's child process: loads one engine and transcribes the inputs it is sent, one at a
 * time, reporting for each a transcript summary or the error (typed or not) and its memory. It runs in
 * its own process so the harness can see a crash (the process dies), a hang (no answer in time) and
 * runaway memory (its RSS), and carry on with a fresh one.
 */
import { AsrEngine, type DecoderChoice } from '../../engine';
import { isEngineError } from '../../errors';
import type { BackendPreference } from '../../model/backend';
import type { FromFuzzWorker, ToFuzzWorker } from './protocol';
import { SELF_TEST_ENV, transcriptProblem } from './protocol';

let engine: AsrEngine | null = null;

function send(message: FromFuzzWorker): void {
  process.send?.(message);
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function handle(message: ToFuzzWorker): Promise<void> {
  if (message.type === 'load') {
    engine = await AsrEngine.load({
      model: message.model,
      decoder: message.decoder as DecoderChoice | undefined,
      backend: message.backend as BackendPreference | undefined,
    });
    send({ type: 'ready', backend: engine.backend.name, model: engine.modelName, rssMb: rssMb() });
    return;
  }
  const started = performance.now();
  const base = { type: 'result' as const, id: message.id };
  try {
    if (!engine) throw new Error('fuzz worker: engine not loaded');
    if (process.env[SELF_TEST_ENV] === '1') await misbehave(message.file);
    const transcript = await engine.transcribeFile(message.file);
    const problem = transcriptProblem(transcript);
    send({
      ...base,
      outcome: problem ? 'bad-transcript' : 'transcript',
      detail: problem ?? JSON.stringify(transcript.text.slice(0, 80)),
      words: transcript.words.length,
      durationSec: transcript.durationSec,
      ms: performance.now() - started,
      rssMb: rssMb(),
      maxRssMb: maxRssMb(),
    });
  } catch (error) {
    const typed = isEngineError(error);
    send({
      ...base,
      outcome: typed ? 'typed-error' : 'untyped-error',
      code: typed ? error.code : undefined,
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      ms: performance.now() - started,
      rssMb: rssMb(),
      maxRssMb: maxRssMb(),
    });
  }
}

/**
 * The harness's own test (fuzz.test.ts) must see that a crash, a hang, an untyped error and runaway
 * memory are caught, so the worker misbehaves on purpose for these extensions when the variable is set.
 */
async function misbehave(file: string): Promise<void> {
  if (file.endsWith('.selftest-crash')) process.abort();
  if (file.endsWith('.selftest-hang')) for (;;);
  if (file.endsWith('.selftest-untyped')) throw new TypeError('self-test: an untyped error');
  if (file.endsWith('.selftest-memory')) {
    const hoard: Buffer[] = [];
    for (;;) {
      hoard.push(Buffer.alloc(32 * 2 ** 20).fill(1));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

// One message at a time, in order; a failure to load is fatal (the harness reports it).
let chain = Promise.resolve();
process.on('message', (message: ToFuzzWorker) => {
  chain = chain.then(() => handle(message));
  chain.catch((error: unknown) => {
    console.error('fuzz worker:', error);
    process.exit(3);
  });
});
process.on('disconnect', () => process.exit(0));
