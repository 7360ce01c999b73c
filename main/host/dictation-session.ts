/**
 * Dictation: audio from the chosen source (the native recorder, the page's microphone, or a file played
 * at real-time pace) is recorded, so the session can be replayed and nothing is lost, and streamed to the
 * engine process, which answers with partial and final results as the user speaks. One session at a time,
 * owned by the host, not by a window.
 *
 * Voice-profile enrollment records through the same session (the same sources, level meter, limits and
 * finite-sample rule) but only records: no live recogniser is started, and its audio is handed to the
 * profile (`takeEnrollment`) instead of being written to `recordings/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { frameMeterLevel } from '../common/audio-level';
import type {
  DictationEndReason,
  DictationResult,
  DictationSource,
  DictationStarted,
  DictationStartRequest,
  StudioEvent,
} from '../common/ipc-contract';
import type { Transcript, Word } from '../common/transcript';
import { playRealtime, type RealtimePlayback } from '../engine/audio/realtime-source';
import { concatSamples } from '../engine/audio/samples';
import { encodeWav } from '../engine/audio/wav-writer';
import type { EngineSupervisor } from './engine-supervisor';
import { fileError, HostError, toErrorInfo, type ErrorInfo } from './errors';
import type { FileRegistry } from './file-registry';
import type { MicCapture } from './native-mic';
import { ENROLLMENT_PROMPTS } from './profile';
import type { TextInsertion, TypingSession } from './text-insertion';
import { finiteAudio } from './validate';

export interface DictationDeps {
  engine: EngineSupervisor;
  files: FileRegistry;
  emit: (event: StudioEvent) => void;
  mic: MicCapture | null;
  micUnavailable: string | null;
  /** Where recordings are written. */
  recordingsDir: string;
  /** Decodes a file for the file source. */
  loadAudio: (file: string, sampleRate: number) => Promise<Float32Array>;
  /** Transcribes a recording as a file, ahead of queued ones (when the live results are incomplete). */
  transcribeNow: (fileId: string) => Promise<Transcript>;
  /** Typing finals into the focused application ("Type into"). */
  textInsertion: TextInsertion;
}

interface Dictation {
  /** What the start returned (what windows opened later are told). */
  started: DictationStarted;
  source: DictationSource;
  sampleRate: number;
  chunks: Float32Array[];
  samples: number;
  overflowed: boolean;
  /** Finished utterances from the live engine, in order. */
  finals: Word[][];
  /** Compute the engine spent on finals, for the transcript's real-time factor. */
  computeSec: number;
  /** The live engine failed mid-session: the recording is transcribed as a file when it stops. */
  liveFailed: boolean;
  /** The file source's playback, when a file stands in for the microphone. */
  playback: RealtimePlayback | null;
  /** Cancelled: late engine events are ignored. */
  ended: boolean;
  /** An enrollment recording (of this prompt): recorded only, with no live recogniser. */
  enrollPrompt: number | null;
}

/** A finished enrollment recording, as captured (mono, at the source's rate). */
export interface Recording {
  samples: Float32Array;
  sampleRate: number;
}

/** The sample rate a file source plays at (the model's, so nothing is resampled twice). */
const FILE_SOURCE_RATE = 16000;

/** Dictation recordings are capped so a forgotten session cannot exhaust memory. */
export const MAX_DICTATION_SEC = 300;

export class DictationSession {
  private dictation: Dictation | null = null;
  private levelAt = 0;

  constructor(private readonly deps: DictationDeps) {}

  /** Types a final into the other application; a failure is shown, and the studio's document keeps the text. */
  private typeFinal(
    typing: TypingSession,
    session: Dictation,
    final: { text: string; displayText?: string },
  ): void {
    typing.final(final).catch((error: unknown) => {
      if (session.ended) return;
      this.deps.emit({
        type: 'dictation-error',
        error: {
          code: 'TEXT_INSERTION_FAILED',
          message: `Could not type into the other application (the text is in the dictation document): ${(error as Error).message}`,
        },
      });
    });
  }

  async startDictation(request: DictationStartRequest): Promise<DictationStarted> {
    if (this.dictation) throw new HostError('DICTATION_BUSY', 'Dictation is already running; stop it first.');
    const enrollPrompt = request.enrollPrompt ?? null;
    if (enrollPrompt !== null && request.typeInto === 'focused-app')
      throw new HostError('INVALID_REQUEST', 'an enrollment recording is not typed into other applications');
    if (enrollPrompt !== null && enrollPrompt >= ENROLLMENT_PROMPTS.length)
      throw new HostError('INVALID_REQUEST', `there is no enrollment prompt ${enrollPrompt + 1}`);
    // First, before any window of ours can take it: the application that has focus is where text goes.
    const typing =
      request.typeInto === 'focused-app'
        ? await this.deps.textInsertion.startSession(request.punctuate)
        : null;
    let started: DictationStarted;
    let playback: RealtimePlayback | null = null;
    if (request.source === 'stream') {
      if (!request.sampleRate)
        throw new HostError('INVALID_REQUEST', 'stream dictation needs the sample rate');
      started = { source: 'stream', deviceName: 'browser microphone', sampleRate: request.sampleRate };
    } else if (request.source === 'file') {
      const entry = request.fileId ? this.deps.files.get(request.fileId) : undefined;
      if (!entry) throw new HostError('UNKNOWN_FILE', 'file dictation needs an opened file');
      started = { source: 'file', deviceName: `file: ${entry.ref.name}`, sampleRate: FILE_SOURCE_RATE };
      // Loaded before the session starts so a bad file fails the start with a clear error, which names the
      // file as the user knows it (as transcription errors do), not by its path in the data folder.
      const audio = await this.deps.loadAudio(entry.path, FILE_SOURCE_RATE).catch((error: unknown) => {
        throw fileError(error, { path: entry.path, name: entry.ref.name });
      });
      // Played once: when the file ends the session ends by itself (see below), as a recording would.
      playback = playRealtime(audio, FILE_SOURCE_RATE, (frame) => this.pushDictationAudio(frame));
    } else {
      const mic = this.deps.mic;
      if (!mic)
        throw new HostError(
          'MIC_UNAVAILABLE',
          `Native microphone capture is not available (${this.deps.micUnavailable ?? 'not offered'}).`,
        );
      const opened = mic.start(request.deviceIndex ?? -1, {
        onFrame: (samples) => this.pushDictationAudio(samples),
        onError: (error) => this.captureLost(toErrorInfo(error)),
      });
      started = { source: 'native', ...opened };
    }
    if (typing) started = { ...started, typeInto: 'focused-app' };
    const session: Dictation = {
      started,
      source: started.source,
      sampleRate: started.sampleRate,
      chunks: [],
      samples: 0,
      overflowed: false,
      finals: [],
      computeSec: 0,
      liveFailed: false,
      playback,
      ended: false,
      enrollPrompt,
    };
    this.dictation = session;
    try {
      if (enrollPrompt === null) await this.startRecogniser(session, typing);
    } catch (error) {
      this.cancelDictation();
      throw error;
    }
    this.deps.emit({ type: 'dictation-started', started });
    // A file that has played to its end finishes a dictation: its last utterance is finalised and the
    // result goes to every window (a Stop meanwhile has already ended it: then nothing happens here). An
    // enrollment recording waits for its save.
    if (enrollPrompt === null)
      void playback?.done.then(() => {
        if (this.dictation === session) this.stopDictation('source-ended').catch(() => {});
      });
    return started;
  }

  /** The engine's live recogniser for a dictation: its partials and finals go to every window. */
  private async startRecogniser(session: Dictation, typing: TypingSession | null): Promise<void> {
    await this.deps.engine.startLive(
      session.sampleRate,
      (event) => {
        if (session.ended) return;
        if (event.type === 'partial') {
          const { segment, words, stableWords } = event;
          this.deps.emit({ type: 'dictation-partial', segment, words, stableWords });
        } else if (event.type === 'final') {
          const { segment, text, displayText, words, startSec, endSec } = event;
          session.finals.push(words);
          session.computeSec += event.timing.computeMs / 1000;
          const shown = displayText === undefined ? {} : { displayText };
          this.deps.emit({ type: 'dictation-final', segment, text, ...shown, words, startSec, endSec });
          // Punctuated and capitalised where the model is on, as the studio's document shows it.
          if (typing) this.typeFinal(typing, session, { text, displayText });
        }
      },
      (error) => {
        if (session.ended) return;
        // Keep recording: the recording is transcribed as a file when the user stops.
        session.liveFailed = true;
        this.deps.emit({ type: 'dictation-error', error: toErrorInfo(error) });
      },
    );
  }

  /** Audio for the running dictation (stream frames from the renderer, native or file frames). */
  pushDictationAudio(samples: Float32Array): void {
    const d = this.dictation;
    if (!d || d.overflowed) return;
    if (d.samples + samples.length > MAX_DICTATION_SEC * d.sampleRate) {
      d.overflowed = true;
      this.deps.emit({
        type: 'dictation-error',
        error: {
          code: 'DICTATION_TOO_LONG',
          message: `Dictation is limited to ${MAX_DICTATION_SEC / 60} minutes; stop to keep what was recorded.`,
        },
      });
      return;
    }
    // Frames from the renderer were made finite by the transport's validator; a file's or a device's
    // frames are made so here (Float32Array.from first: a frame must be a copy the caller cannot change).
    const copy = finiteAudio(Float32Array.from(samples));
    d.chunks.push(copy);
    d.samples += copy.length;
    if (!d.liveFailed && d.enrollPrompt === null) this.deps.engine.liveAudio(copy);
    if (d.source !== 'stream') {
      const now = performance.now();
      if (now - this.levelAt >= 50) {
        this.levelAt = now;
        this.deps.emit({ type: 'mic-level', level: frameMeterLevel(samples) });
      }
    }
  }

  /**
   * The capture device failed (unplugged): capture stops, the user is told, and the session stays open so
   * that Stop keeps what was recorded (as a file with its transcript) — nothing is lost.
   */
  private captureLost(error: ErrorInfo): void {
    if (!this.dictation) return;
    this.deps.emit({
      type: 'dictation-error',
      error: {
        ...error,
        message: `${error.message} What was recorded so far is kept: press Stop to finish.`,
      },
    });
  }

  /**
   * Ends the session and returns its recording and transcript; every window hears of it (`dictation-ended`
   * with the `reason`), so a window that did not stop it stops offering Stop.
   */
  async stopDictation(reason: DictationEndReason = 'stopped'): Promise<DictationResult> {
    const d = this.dictation;
    if (!d) throw new HostError('DICTATION_IDLE', 'Dictation is not running.');
    if (d.enrollPrompt !== null) {
      // Stop from elsewhere (another window, the status bar, the recording page gone): the take was not saved
      // as its prompt's recording, and says so where it was being recorded.
      const error = new HostError(
        'CANCELLED',
        `The recording of prompt ${d.enrollPrompt + 1} was stopped before it was saved; record it again.`,
      );
      this.end(d, reason, error);
      throw error;
    }
    this.dictation = null;
    this.stopCapture(d);
    try {
      const result = await this.dictationResult(d);
      this.deps.emit({ type: 'dictation-ended', reason, result, error: null });
      return result;
    } catch (error) {
      this.deps.emit({ type: 'dictation-ended', reason, result: null, error: toErrorInfo(error) });
      throw error;
    } finally {
      d.ended = true;
    }
  }

  /**
   * Ends the enrollment recording of prompt `index` and hands over its audio (nothing is written here:
   * the profile keeps it, once). Every window hears that the session ended.
   */
  takeEnrollment(index: number): Recording {
    const d = this.dictation;
    if (!d || d.enrollPrompt === null)
      throw new HostError('DICTATION_IDLE', 'No enrollment recording is running.');
    if (d.enrollPrompt !== index)
      throw new HostError(
        'INVALID_REQUEST',
        `the recording running is of prompt ${d.enrollPrompt + 1}, not prompt ${index + 1}`,
      );
    if (d.samples === 0) {
      const error = emptyRecording();
      this.end(d, 'stopped', error);
      throw error;
    }
    this.end(d, 'stopped', null);
    return { samples: recordedAudio(d), sampleRate: d.sampleRate };
  }

  /** Ends a session that has no dictation result (an enrollment recording). */
  private end(d: Dictation, reason: DictationEndReason, error: HostError | null): void {
    this.dictation = null;
    this.stopCapture(d);
    d.ended = true;
    this.deps.emit({ type: 'dictation-ended', reason, result: null, error: error && toErrorInfo(error) });
  }

  /** The recording of an ended session, saved and registered, with its transcript. */
  private async dictationResult(d: Dictation): Promise<DictationResult> {
    if (d.samples === 0) {
      this.deps.engine.abandonLive();
      throw emptyRecording();
    }
    // Wait for the engine to finish the last utterance (its final arrives before this resolves).
    if (!d.liveFailed) await this.deps.engine.stopLive().catch(() => (d.liveFailed = true));
    const audio = recordedAudio(d);
    await mkdir(this.deps.recordingsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.deps.recordingsDir, `dictation-${stamp}.wav`);
    await writeFile(
      file,
      encodeWav([audio], { sampleRate: d.sampleRate, bitsPerSample: 16, encoding: 'int' }),
    );
    const ref = await this.deps.files.register(file);
    if (d.liveFailed) {
      // The live results are incomplete: transcribe the whole recording, ahead of queued files.
      const transcript = await this.deps.transcribeNow(ref.id);
      return { transcript, file: ref };
    }
    const words = d.finals.flat();
    const durationSec = d.samples / d.sampleRate;
    const status = this.deps.engine.status;
    const transcript: Transcript = {
      text: words.map((w) => w.word).join(' '),
      words,
      durationSec,
      backend: status.backend?.name ?? 'unknown',
      model: status.modelName ?? 'unknown',
      rtf: d.computeSec / durationSec,
    };
    return { transcript, file: ref };
  }

  cancelDictation(): void {
    const d = this.dictation;
    if (!d) return;
    if (d.enrollPrompt === null) this.deps.engine.abandonLive();
    this.end(d, 'cancelled', null);
  }

  /** The session running now, as its start reported it; null when there is none. */
  get dictationSession(): DictationStarted | null {
    return this.dictation?.started ?? null;
  }

  private stopCapture(d: Dictation): void {
    if (d.source === 'native') this.deps.mic?.stop();
    d.playback?.stop();
  }
}

function emptyRecording(): HostError {
  return new HostError('DICTATION_EMPTY', 'No audio was recorded: is the microphone connected and allowed?');
}

/** The session's audio as one array. */
function recordedAudio(d: Dictation): Float32Array {
  return concatSamples(d.chunks);
}
