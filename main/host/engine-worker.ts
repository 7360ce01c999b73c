/**
 * The engine worker: a plain Node process that owns one AsrEngine and transcribes one file at a time.
 * Electron starts it with `utilityProcess.fork` (messages over `process.parentPort`), the browser bridge
 * with `child_process.fork` (messages over `process.send`); the same code serves both.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toErrorInfo as toInfo, type ErrorInfo } from '../common/errors';
import { adaptModel, saveAdaptedModel } from '../engine/adapt/adapt';
import { loadAudioFile } from '../engine/audio/load';
import { AsrEngine, resolveModelDir } from '../engine/engine';
import { CancelledError } from '../engine/errors';
import { LiveRecognizer } from '../engine/stream/live-recognizer';
import {
  CRASH_TEST_ENV,
  type AdaptJobOptions,
  type FromWorker,
  type LearnRoundRequest,
  type ToWorker,
} from './engine-protocol';
import {
  lowerOwnPriority,
  PROGRESS_INTERVAL_MS,
  runLearningRound,
  throttledProgress,
} from './learning-round';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromWorker): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

/** A failure as the host hears of it: the engine's own codes kept, anything else an ENGINE_ERROR. */
const toErrorInfo = (error: unknown): ErrorInfo => toInfo(error, 'ENGINE_ERROR');

let engine: AsrEngine | null = null;
const running = new Map<string, AbortController>();
// Jobs run strictly one after another (the host queues too; this guards against a misbehaving host).
let chain: Promise<void> = Promise.resolve();
/** The live dictation session, if one is running. It does not wait behind file jobs. */
let live: { sessionId: string; recognizer: LiveRecognizer } | null = null;
/** The user's boosted words and phrases; kept so a model loaded later gets them too. */
let vocabulary: string[] = [];

function applyVocabulary(): void {
  engine?.setVocabulary(vocabulary.length > 0 ? { phrases: vocabulary } : undefined);
}

/** The model last asked for, so learned weights can be dropped by loading it again. */
let loaded: { model: string; modelsDir: string | null } | null = null;

async function load(model: string, modelsDir: string | null): Promise<void> {
  loaded = { model, modelsDir };
  try {
    const modelDir = modelsDir ? resolveModelDir(model, modelsDir) : resolveModelDir(model);
    // The punctuation model ships beside the acoustic models (in a packaged app: resources/models/punct)
    const punctuation = modelsDir ? path.join(modelsDir, 'punct') : true;
    engine = await AsrEngine.load({ model: modelDir, punctuation });
    applyVocabulary();
    const { name, kind, label } = engine.backend;
    send({ type: 'ready', modelName: engine.modelName, backend: { name, kind, label } });
  } catch (error) {
    send({ type: 'load-failed', error: toErrorInfo(error) });
  }
}

async function transcribe(jobId: string, file: string): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    if (!engine) throw new Error('the engine is not loaded');
    if (process.env[CRASH_TEST_ENV] && path.basename(file) === process.env[CRASH_TEST_ENV]) process.exit(70);
    let last = 0;
    const transcript = await engine.transcribeFile(file, {
      signal: controller.signal,
      onProgress: ({ fraction, processedSec }) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        send({ type: 'progress', jobId, fraction, processedSec });
      },
    });
    send({ type: 'done', jobId, transcript });
  } catch (error) {
    send({ type: 'failed', jobId, error: toErrorInfo(error) });
  } finally {
    running.delete(jobId);
  }
}

/**
 * V8 frees the large buffers of a decode (the audio, the gate projections read back from WebAssembly, each
 * layer's output: several MB a decode) only when a collection finds them, and it lets tens of MB pile up
 * first: over an hour's dictation the engine's RSS saw-toothed between 195 and 305 MB. After a final the
 * speaker has paused, so a major collection then (asynchronous where V8 offers it) costs the latency
 * nothing and keeps the teeth short. Needs --expose-gc (ENGINE_V8_FLAGS); without it, nothing happens.
 */
function collectAfterFinal(): void {
  const gc = (globalThis as { gc?: (options?: { type: string; execution: string }) => unknown }).gc;
  if (gc) setImmediate(() => void gc({ type: 'major', execution: 'async' }));
}

function startLive(sessionId: string, sampleRate: number): void {
  live = null;
  if (!engine) {
    send({
      type: 'live-failed',
      sessionId,
      error: { code: 'ENGINE_ERROR', message: 'the engine is not loaded' },
    });
    return;
  }
  const recognizer = new LiveRecognizer(engine, { inputSampleRate: sampleRate }, (event) => {
    if (event.type !== 'level') send({ type: 'live-event', sessionId, event });
    if (event.type === 'final') collectAfterFinal();
  });
  live = { sessionId, recognizer };
}

function liveAudio(sessionId: string, samples: unknown): void {
  if (live?.sessionId !== sessionId || !(samples instanceof Float32Array)) return;
  try {
    live.recognizer.push(samples);
  } catch (error) {
    live = null;
    send({ type: 'live-failed', sessionId, error: toErrorInfo(error) });
  }
}

function stopLive(sessionId: string): void {
  if (live?.sessionId !== sessionId) {
    send({ type: 'live-stopped', sessionId });
    return;
  }
  const { recognizer } = live;
  live = null;
  recognizer.stop().then(
    () => {
      send({ type: 'live-stopped', sessionId });
      // Learned weights that arrived during the dictation: its recogniser is done with the old model.
      if (learned.waiting) scheduleLearnedWeights();
    },
    (error: unknown) => send({ type: 'live-failed', sessionId, error: toErrorInfo(error) }),
  );
}

/** Decodes a file for the host, which itself loads no codec libraries (Electron main must stay light). */
async function decode(requestId: string, file: string, sampleRate: number): Promise<void> {
  try {
    const samples = await loadAudioFile(file, sampleRate);
    send({ type: 'decoded', requestId, samples });
  } catch (error) {
    send({ type: 'decode-failed', requestId, error: toErrorInfo(error) });
  }
}

/** The running adaptation, if any. It waits behind file jobs like one, and blocks them while it runs. */
let adapting: { adaptId: string; controller: AbortController } | null = null;
/** Adaptations cancelled while still waiting behind other work. */
const cancelledAdapts = new Set<string>();

async function adapt(
  adaptId: string,
  items: { path: string; text: string }[],
  profileDir: string,
  name: string,
  options: AdaptJobOptions,
): Promise<void> {
  const controller = new AbortController();
  if (cancelledAdapts.delete(adaptId)) controller.abort();
  adapting = { adaptId, controller };
  try {
    if (controller.signal.aborted) throw new CancelledError('speaker adaptation');
    if (!engine) throw new Error('the engine is not loaded');
    const base = engine;
    const data = [];
    for (const item of items) {
      data.push({ samples: await loadAudioFile(item.path, base.sampleRate), text: item.text });
      if (controller.signal.aborted) break;
    }
    const result = await adaptModel(base.model, data, {
      epochs: options.epochs,
      layers: options.layers,
      forceAdapted: options.keepAnyway,
      speller: base.phoneSpeller,
      signal: controller.signal,
      onProgress: throttledProgress((progress) => send({ type: 'adapt-progress', adaptId, progress })),
    });
    const { weights, ...summary } = result;
    let modelDir: string | null = null;
    try {
      if (result.kept === 'adapted') {
        modelDir = await saveAdaptedModel(base.model, weights, profileDir, name, {
          result: summary,
          overwrite: options.overwrite,
        });
      }
    } finally {
      for (const w of weights) w.dispose();
    }
    send({
      type: 'adapt-done',
      adaptId,
      result: {
        kept: result.kept,
        beforeWer: result.before.wer,
        afterWer: result.after.wer,
        modelDir,
        modelName: modelDir ? name : null,
        utterances: result.trainUtterances + result.heldBackUtterances,
        seconds: result.seconds,
      },
    });
  } catch (error) {
    send({ type: 'adapt-failed', adaptId, error: toErrorInfo(error) });
  } finally {
    adapting = null;
  }
}

/**
 * Learned weights (learning from corrections): the file the host named, or null for the model's own.
 * They are applied between jobs, never under a running dictation (they replace the model's weights in
 * place, and a dictation's utterances are all decoded with one set); `inUse` says whether the loaded
 * model carries them.
 */
const learned = { path: null as string | null, waiting: false, inUse: false };

function scheduleLearnedWeights(): void {
  learned.waiting = true;
  if (!live) chain = chain.then(applyLearnedWeights);
}

async function applyLearnedWeights(): Promise<void> {
  if (!learned.waiting || live || !engine) return;
  learned.waiting = false;
  try {
    if (learned.path === null) {
      if (!learned.inUse || !loaded) return;
      // Back to the model's own weights: load it again (the previous ones are gone).
      engine.dispose();
      engine = null;
      learned.inUse = false;
      await load(loaded.model, loaded.modelsDir);
      return;
    }
    // Weights learned for another model (the user switched models since) are not applied.
    if (await engine.useWeightsFile(learned.path)) learned.inUse = true;
  } catch (error) {
    // A missing or damaged file leaves the model as it is; the host learns again from the corrections.
    console.error(`engine-worker: learned weights not applied: ${(error as Error).message}`);
  }
}

/** A helper process's learning round (the only thing such a process does). */
let learning: { roundId: string; controller: AbortController } | null = null;

async function learnRound(request: LearnRoundRequest): Promise<void> {
  lowerOwnPriority();
  const controller = new AbortController();
  learning = { roundId: request.roundId, controller };
  const { roundId } = request;
  try {
    const result = await runLearningRound(request, {
      signal: controller.signal,
      onProgress: (progress) => send({ type: 'learn-progress', roundId, progress }),
    });
    send({ type: 'learn-done', roundId, result });
  } catch (error) {
    send({ type: 'learn-failed', roundId, error: toErrorInfo(error) });
  } finally {
    learning = null;
  }
}

function handle(raw: unknown): void {
  const message = raw as ToWorker;
  switch (message?.type) {
    case 'load':
      chain = chain.then(() => load(message.model, message.modelsDir));
      break;
    case 'transcribe':
      chain = chain.then(() => transcribe(message.jobId, message.path));
      break;
    case 'cancel':
      running.get(message.jobId)?.abort();
      break;
    case 'live-start':
      startLive(message.sessionId, message.sampleRate);
      break;
    case 'live-audio':
      liveAudio(message.sessionId, message.samples);
      break;
    case 'live-stop':
      stopLive(message.sessionId);
      break;
    case 'adapt-start': {
      const { adaptId, items, profileDir, name, options } = message;
      chain = chain.then(() => adapt(adaptId, items, profileDir, name, options));
      break;
    }
    case 'adapt-cancel':
      if (adapting?.adaptId === message.adaptId) adapting.controller.abort();
      else cancelledAdapts.add(message.adaptId);
      break;
    case 'use-weights':
      learned.path = message.path;
      scheduleLearnedWeights();
      break;
    case 'learn-round':
      chain = chain.then(() => learnRound(message.request));
      break;
    case 'learn-cancel':
      if (learning?.roundId === message.roundId) learning.controller.abort();
      break;
    case 'decode':
      void decode(message.requestId, message.path, message.sampleRate);
      break;
    case 'set-vocabulary':
      vocabulary = message.phrases;
      applyVocabulary();
      break;
    case 'stats': {
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      const stats = {
        rssBytes: rss,
        heapUsedBytes: heapUsed,
        tensors: tf.memory().numTensors,
        cpuSec: (user + system) / 1e6,
      };
      send({ type: 'stats', requestId: message.requestId, stats });
      break;
    }
  }
}

if (parentPort) parentPort.on('message', (event) => handle(event.data));
else if (process.send) process.on('message', handle);
else
  throw new Error('engine-worker must be started as a child process (utilityProcess or child_process.fork)');

// The host going away must not leave an orphan holding the model in memory.
process.on('disconnect', () => process.exit(0));
