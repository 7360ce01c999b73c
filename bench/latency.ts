/** What this command does and how to run it: USAGE below (printed by `--help`). */
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import path from 'node:path';
import { frameDbfs } from '../main/common/audio-level';
import { errorRate, scoreTranscript, sumCounts, type ErrorCounts } from '../main/common/scoring';
import { loadAudioFile } from '../main/engine/audio/load';
import { playRealtime } from '../main/engine/audio/realtime-source';
import type { EngineStats, ForwardedLiveEvent } from '../main/host/engine-protocol';
import { EngineSupervisor } from '../main/host/engine-supervisor';
import { ENGINE_WORKER_SOURCE, spawnNodeWorker } from '../main/host/node-worker';
import type { CorpusEntry } from '../main/common/corpus-manifest';
import { startBackgroundLearning, type BackgroundLearning } from './background-learning';
import { loadEvalSet } from './eval-sets';
import { numberOption, parseCommandLine, UsageError } from '../main/cli/command-line';

/** What `--help` prints: this file's own description. */
const USAGE = `\`npm run bench:latency\` — how fast live dictation answers, through the same path as the app: a real
engine worker process (supervised, as in the browser bridge) fed by the file source at real-time pace.

For each utterance (2–8 s, held-out voices) it plays [0.8 s silence][utterance][1.5 s silence] and
measures, on the wall clock:
- final latency: from the moment the last speech sample was "spoken" (acoustic end of speech: last
  10 ms frame within 40 dB of the loudest) to the arrival of the final, split into the VAD part (end
  of speech → the VAD's decision, i.e. the hangover plus detection lag) and the compute part (decision
  → final, i.e. model, decoder and IPC);
- the partial update interval while speaking;
- CPU used by the engine process per second of wall time;
- the WER of the finals against the references, beside the WER of the same files transcribed offline
  (the live results are real, and this shows what segmenting on the fly costs).

\`--while-learning\` runs learning from corrections beside the dictation, through the app's own learning
service (main/host/correction-learning.ts): sentences of the first set not dictated here are corrected 20
at a time, a round (20 new + 12 replayed, the app's settings) runs in a low-priority helper engine
process whenever 20 are waiting, and the service is told when each utterance's dictation starts and
ends, as the studio tells it, so it stops a running round while dictating. \`--gap S\` leaves S seconds
between utterances (the user reading and correcting), in which a round goes on. \`--no-pause\` does not
tell the service about dictation: what a low priority alone leaves of the latency.

\`--soak-minutes N\` then streams N minutes of synthetic speech and silence (utterances separated by
silences; \`--soak-speed\` times real time) and prints the engine's RSS and tensor count at start and end.

  npm run bench:latency -- [--backends wasm,cpu] [--count 30] [--sets eval-slt-clean,eval-awb-clean]
                           [--soak-minutes 60] [--soak-speed 4] [--worker bundled|source] [--json FILE]
                           [--while-learning [--gap 3] [--no-pause]]

The engine worker runs bundled by esbuild, as the app ships it (\`--worker source\`: the TypeScript
sources through tsx's loader, as \`npm run web\` runs it; its compiler adds about 60 MB of RSS).

Sets that are missing are built first (bench/eval-sets.ts).
`;

const RATE = 16000;
const LEAD_SEC = 0.8;
const TRAIL_SEC = 1.5;

const { values } = parseCommandLine(
  {
    command: 'npm run bench:latency --',
    usage: USAGE,
    options: {
      backends: { type: 'string', default: 'wasm' },
      count: { type: 'string', default: '30' },
      sets: { type: 'string', default: 'eval-slt-clean,eval-awb-clean' },
      model: { type: 'string', default: 'default' },
      'soak-minutes': { type: 'string', default: '0' },
      'soak-speed': { type: 'string', default: '4' },
      worker: { type: 'string', default: 'bundled' },
      json: { type: 'string' },
      'while-learning': { type: 'boolean', default: false },
      gap: { type: 'string', default: '0' },
      'no-pause': { type: 'boolean', default: false },
    },
  },
  undefined,
  (parsed) => {
    if (parsed.values.worker !== 'bundled' && parsed.values.worker !== 'source')
      throw new UsageError(`--worker must be bundled or source, got ${parsed.values.worker}`);
    numberOption('gap', parsed.values.gap, { min: 0, max: 600 });
    return parsed;
  },
);

interface Utterance {
  entry: CorpusEntry;
  audio: Float32Array;
  /** Sample index (in `audio`, silence included) just after the last speech frame. */
  speechEnd: number;
}

/** End of the last 10 ms frame within 40 dB of the loudest frame: where the speaker stopped. */
function acousticSpeechEnd(samples: Float32Array): number {
  const frame = RATE / 100;
  const levels: number[] = [];
  for (let f = 0; (f + 1) * frame <= samples.length; f++) levels.push(frameDbfs(samples, f * frame, frame));
  const peak = Math.max(...levels);
  let last = levels.length - 1;
  while (last > 0 && levels[last] < peak - 40) last--;
  return (last + 1) * frame;
}

async function loadUtterances(): Promise<Utterance[]> {
  const count = Number(values.count);
  const entries: CorpusEntry[] = [];
  for (const set of values.sets.split(',')) {
    // Built first when missing (bench/eval-sets.ts).
    entries.push(...(await loadEvalSet(set)).filter((e) => e.durationSec >= 2 && e.durationSec <= 8));
  }
  // Interleave the sets, then take the first `count`: the same utterances on every run.
  const picked = entries
    .map((e, i) => ({ e, key: (i * 7919) % entries.length }))
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map((x) => x.e);
  const lead = new Float32Array(Math.round(LEAD_SEC * RATE));
  const trail = new Float32Array(Math.round(TRAIL_SEC * RATE));
  const utterances: Utterance[] = [];
  for (const entry of picked) {
    const speech = await loadAudioFile(entry.path, RATE);
    const audio = new Float32Array(lead.length + speech.length + trail.length);
    audio.set(speech, lead.length);
    utterances.push({ entry, audio, speechEnd: lead.length + acousticSpeechEnd(speech) });
  }
  return utterances;
}

interface Measured {
  latencyMs: number[];
  vadMs: number[];
  computeMs: number[];
  partialIntervalsMs: number[];
  speculative: number;
  recognizerEnds: number;
  finals: number;
  missed: number;
  counts: ErrorCounts[];
  cpuPerWallSec: number;
  /** Utterances dictated while a learning round's process existed (stopped, or running at low priority). */
  duringRound: number;
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '—');
const summary = (xs: number[]) => ({ median: quantile(xs, 0.5), p95: quantile(xs, 0.95) });
const line = (s: { median: number; p95: number }) => `median ${ms(s.median)}   p95 ${ms(s.p95)}`;

/**
 * The worker as the app runs it: bundled with esbuild (dependencies from node_modules), into dist/ so
 * they resolve, two folders deep like dist/electron/ so the models folder is found the same way.
 */
async function workerPath(): Promise<string> {
  if (values.worker === 'source') return ENGINE_WORKER_SOURCE;
  const outdir = path.join(import.meta.dirname, '..', 'dist', 'bench-worker');
  await build({
    entryPoints: { 'engine-worker': ENGINE_WORKER_SOURCE },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    outdir,
    logLevel: 'warning',
  });
  return path.join(outdir, 'engine-worker.mjs');
}

async function startEngine(backend: string): Promise<EngineSupervisor> {
  process.env.SPEECH_STUDIO_BACKEND = backend;
  const engine = new EngineSupervisor({
    spawn: spawnNodeWorker(await workerPath()),
    model: values.model,
    modelsDir: null,
  });
  engine.start();
  // Warm up: one short live session so model loading and JIT are not measured.
  await engine.startLive(
    RATE,
    () => {},
    () => {},
  );
  engine.liveAudio(new Float32Array(RATE));
  await engine.stopLive();
  return engine;
}

async function measureLatency(
  engine: EngineSupervisor,
  utterances: Utterance[],
  learning: BackgroundLearning | null,
): Promise<Measured> {
  const m: Measured = {
    latencyMs: [],
    vadMs: [],
    computeMs: [],
    partialIntervalsMs: [],
    speculative: 0,
    recognizerEnds: 0,
    finals: 0,
    missed: 0,
    counts: [],
    cpuPerWallSec: NaN,
    duringRound: 0,
  };
  const pause = learning !== null && !values['no-pause'];
  const gapMs = Number(values.gap) * 1000;
  const before = await engine.stats();
  const wallStart = performance.now();
  for (const [i, u] of utterances.entries()) {
    const events: { at: number; event: ForwardedLiveEvent }[] = [];
    let failure: Error | null = null;
    if (i > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    if (learning?.roundRunning) m.duringRound++;
    if (pause) learning!.dictationStarted();
    await engine.startLive(
      RATE,
      (event) => events.push({ at: performance.now(), event }),
      (error) => (failure = error),
    );
    const playback = playRealtime(u.audio, RATE, (frame) => engine.liveAudio(frame));
    await playback.done;
    await engine.stopLive();
    if (pause) learning!.dictationEnded();
    if (failure) throw failure;
    const spokenAt = (sample: number) => playback.startedAt + (sample / RATE) * 1000;
    const finals = events.filter((e) => e.event.type === 'final');
    const text = finals.map((f) => (f.event.type === 'final' ? f.event.text : '')).join(' ');
    m.counts.push(scoreTranscript(u.entry.transcript, text).wer);
    // The utterance's final is the one that ended on a pause after the end of speech.
    const last = finals.at(-1);
    if (!last || last.event.type !== 'final' || last.event.reason !== 'pause') {
      m.missed++;
    } else {
      const { timing } = last.event;
      const endAt = spokenAt(u.speechEnd);
      const decidedAt = spokenAt((timing.speechEndSec + timing.hangoverSec) * RATE);
      m.latencyMs.push(last.at - endAt);
      m.vadMs.push(decidedAt - endAt);
      m.computeMs.push(last.at - decidedAt);
      if (timing.speculative) m.speculative++;
      if (timing.recognizerEnd) m.recognizerEnds++;
      m.finals += finals.length;
    }
    // Partial intervals while speaking: from the first speech-start to the end of speech.
    const partials = events.filter((e) => e.event.type === 'partial' && e.at <= spokenAt(u.speechEnd));
    const startAt = events.find((e) => e.event.type === 'speech-start')?.at;
    if (startAt !== undefined) {
      let previous = startAt;
      for (const p of partials) {
        m.partialIntervalsMs.push(p.at - previous);
        previous = p.at;
      }
    }
    process.stderr.write(`\r  ${i + 1}/${utterances.length} utterances`);
  }
  process.stderr.write('\n');
  const after = await engine.stats();
  if (before && after)
    m.cpuPerWallSec = (after.cpuSec - before.cpuSec) / ((performance.now() - wallStart) / 1000);
  return m;
}

/** The same utterances transcribed as files by the same engine: what the live path is compared with. */
async function offlineWer(engine: EngineSupervisor, utterances: Utterance[]): Promise<number> {
  const counts: ErrorCounts[] = [];
  for (const [i, u] of utterances.entries()) {
    const transcript = await engine.run(`offline-${i}`, u.entry.path, path.basename(u.entry.path), () => {});
    counts.push(scoreTranscript(u.entry.transcript, transcript.text).wer);
  }
  return errorRate(sumCounts(counts));
}

async function soak(engine: EngineSupervisor, utterances: Utterance[], minutes: number, speed: number) {
  const samples: Float32Array[] = [];
  let total = 0;
  for (let i = 0; total < minutes * 60 * RATE; i++) {
    const u = utterances[i % utterances.length];
    samples.push(u.audio);
    total += u.audio.length;
  }
  const stream = new Float32Array(total);
  let offset = 0;
  for (const s of samples) {
    stream.set(s, offset);
    offset += s.length;
  }
  const start = await engine.stats();
  let finals = 0;
  const readings: { minute: number; stats: EngineStats | null }[] = [{ minute: 0, stats: start }];
  await engine.startLive(
    RATE,
    (event) => {
      if (event.type === 'final') finals++;
    },
    (error) => {
      throw error;
    },
  );
  // 100 ms frames: faster than real time, 20 ms frames would be hundreds of IPC messages a second.
  const playback = playRealtime(stream, RATE, (frame) => engine.liveAudio(frame), { speed, frameMs: 100 });
  const timer = setInterval(
    () => {
      const minute = ((performance.now() - playback.startedAt) / 60000) * speed;
      // A generous timeout: faster than real time, the engine's message queue can be seconds behind.
      void engine.stats(30_000).then((stats) => {
        readings.push({ minute, stats });
        process.stderr.write(
          `\r  soak: ${minute.toFixed(1)}/${minutes} audio minutes, RSS ${mb(stats?.rssBytes)}, tensors ${stats?.tensors}   `,
        );
      });
    },
    Math.max(2000, 60000 / speed),
  );
  await playback.done;
  await engine.stopLive();
  clearInterval(timer);
  process.stderr.write('\n');
  const end = await engine.stats(30_000);
  readings.push({ minute: minutes, stats: end });
  return { start, end, finals, readings, audioMinutes: total / RATE / 60 };
}

/** Sentences of the first set that are not among the dictated ones, for the simulated user to correct. */
async function startLearning(engine: EngineSupervisor, dictated: Utterance[]): Promise<BackgroundLearning> {
  const used = new Set(dictated.map((u) => u.entry.path));
  const entries = (await loadEvalSet(values.sets.split(',')[0]))
    .filter((e) => !used.has(e.path))
    .slice(0, 100);
  const sentences = [];
  for (const e of entries)
    sentences.push({ id: e.path, samples: await loadAudioFile(e.path, RATE), text: e.transcript });
  return startBackgroundLearning(engine, sentences);
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 2 ** 20).toFixed(0)} MB`);

async function main(): Promise<void> {
  const utterances = await loadUtterances();
  const speechSec = utterances.reduce((s, u) => s + u.entry.durationSec, 0);
  console.log(
    `Live dictation latency: ${utterances.length} utterances of 2–8 s (${values.sets}), ${speechSec.toFixed(0)} s of speech, played in real time`,
  );
  const report: Record<string, unknown> = {};
  for (const backend of values.backends.split(',')) {
    const engine = await startEngine(backend);
    let learning: BackgroundLearning | null = null;
    try {
      const status = engine.status;
      if (values['while-learning']) learning = await startLearning(engine, utterances);
      const m = await measureLatency(engine, utterances, learning);
      const learned = await learning?.stop();
      learning = null;
      if (learned) {
        const how = values['no-pause'] ? 'at low priority, never stopped' : 'stopped while dictating';
        console.log(
          `\nwhile learning from corrections (${how}; ${values.gap} s between utterances): ` +
            `${m.duringRound}/${utterances.length} utterances dictated while a round was under way; ` +
            `${learned.rounds.length} round(s) finished` +
            `${learned.rounds.length ? ` (${learned.rounds.map((r) => `${r.seconds.toFixed(0)} s, ${r.kept}`).join('; ')})` : ''}` +
            `${learned.failures.length ? `; failed: ${learned.failures.join('; ')}` : ''}`,
        );
      }
      const wer = errorRate(sumCounts(m.counts));
      console.log(`\nbackend ${status.backend?.label ?? backend} (model ${status.modelName})`);
      const latency = summary(m.latencyMs);
      const vad = summary(m.vadMs);
      const compute = summary(m.computeMs);
      const partial = { ...summary(m.partialIntervalsMs), max: Math.max(...m.partialIntervalsMs) };
      console.log(`  final after end of speech   ${line(latency)}   (target: median ≤ 250 ms, p95 ≤ 500 ms)`);
      console.log(`    of which VAD (quiet heard) ${line(vad)}`);
      console.log(`    of which compute + IPC    ${line(compute)}`);
      console.log(`  partial interval (speaking)  ${line(partial)}   max ${ms(partial.max)}`);
      console.log(
        `  finals from the speculative decode: ${m.speculative}/${m.latencyMs.length}; ended by the recogniser before the hangover: ${m.recognizerEnds}/${m.latencyMs.length}; utterances without a pause-final: ${m.missed}`,
      );
      console.log(`  engine CPU: ${(m.cpuPerWallSec * 100).toFixed(0)}% of one core while dictating`);
      const dictated = await engine.stats();
      console.log(
        `  engine RSS after dictating them: ${mb(dictated?.rssBytes)} (${values.worker} worker; target ≤ 250 MB)`,
      );
      const offline = await offlineWer(engine, utterances);
      console.log(
        `  WER of the live finals: ${(wer * 100).toFixed(1)}%   (the same files transcribed offline: ${(offline * 100).toFixed(1)}%)`,
      );
      const result: Record<string, unknown> = {
        backend: status.backend,
        latencyMs: latency,
        vadMs: vad,
        computeMs: compute,
        partialIntervalMs: partial,
        cpuPerWallSec: m.cpuPerWallSec,
        rssBytes: dictated?.rssBytes,
        worker: values.worker,
        wer,
        offlineWer: offline,
        utterances: utterances.length,
      };
      const soakMinutes = Number(values['soak-minutes']);
      if (soakMinutes > 0) {
        const s = await soak(engine, utterances, soakMinutes, Number(values['soak-speed']));
        console.log(
          `  soak: ${s.audioMinutes.toFixed(1)} min of speech and silence at ${values['soak-speed']}× real time, ${s.finals} finals`,
        );
        const rss = s.readings.flatMap((r) => (r.stats ? [r.stats.rssBytes] : []));
        console.log(
          `    RSS     start ${mb(s.start?.rssBytes)}   end ${mb(s.end?.rssBytes)}   (min ${mb(Math.min(...rss))}, max ${mb(Math.max(...rss))} over ${rss.length} readings)`,
        );
        console.log(`    tensors start ${s.start?.tensors}   end ${s.end?.tensors}`);
        result.soak = s;
      }
      report[backend] = result;
    } finally {
      await learning?.stop();
      engine.dispose();
    }
  }
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
