/**
 * The one IPC contract between the renderer and its host: Electron main (through the preload) or the
 * browser-mode bridge (HTTP + WebSocket). Type-only on purpose: main, preload, bridge and renderer all
 * `import type` it, so it carries no runtime code across the process boundary and cannot pull Node or
 * DOM code into the wrong side. The channel names come from the one channel table (channels.ts); main
 * validates every payload against this contract at runtime (main/host/validate.ts), and a mapped type
 * there makes a channel without a validator a compile error.
 */
import type { ChannelTable, InvokeMethod } from './channels';
import type { ErrorInfo } from './errors';
import type { ProjectOp } from './project-ops';
import type { DictationDocument } from './spoken-commands';
import type { ExportFormat, Transcript, Word } from './transcript';

export type { ErrorCode, ErrorInfo, InvokeReply } from './errors';
export type { AddedFile, ProjectOp, WordAt } from './project-ops';

export type HostMode = 'electron' | 'browser';

/** A file the host has registered. The renderer never sees a filesystem path, only this handle. */
export interface FileRef {
  id: string;
  /** Base name for display and for export file names. */
  name: string;
  size: number;
  /** A URL the renderer may fetch and play: `app://studio/media/<id>` or the bridge's `/media/<id>?token=…`. */
  mediaUrl: string;
}

export type BackendKind = 'gpu' | 'native-cpu' | 'wasm' | 'js';

export interface BackendSummary {
  /** tfjs backend name ("tensorflow", "wasm", "cpu"). */
  name: string;
  kind: BackendKind;
  /** Human-readable label for the status bar. */
  label: string;
}

/**
 * `starting`: the engine process is loading the model. `ready`: it accepts jobs. `crashed`: it died and is
 * being restarted. `failed`: it cannot run (model missing, or it keeps crashing); `message` says why.
 */
export type EngineState = 'starting' | 'ready' | 'crashed' | 'failed';

export interface EngineStatus {
  state: EngineState;
  modelName: string | null;
  backend: BackendSummary | null;
  /** For `crashed` and `failed`: what went wrong, worded for the user. */
  message: string | null;
  /** How many times the engine process has been restarted after a crash. */
  restarts: number;
}

/** `native`: captured by the host with pvrecorder. `stream`: the renderer's getUserMedia, streamed to the host. */
export type MicSource = 'native' | 'stream';

export interface MicDevice {
  index: number;
  name: string;
}

export interface MicStatus {
  /** The source dictation uses by default. */
  source: MicSource;
  /** Native capture devices (empty for `stream`). */
  devices: MicDevice[];
  /** Why native capture is not available, when it is not (shown in the status bar's tooltip). */
  nativeUnavailable: string | null;
}

export interface StudioInfo {
  mode: HostMode;
  version: string;
  engine: EngineStatus;
  mic: MicStatus;
  /** Where the batch runs: a queue's URL (password hidden), or null for this computer. */
  queueUrl?: string | null;
  /**
   * The dictation session the host is running, if any: it may have been started by another window or
   * before a reload, and Stop must be offered for it all the same.
   */
  dictation: DictationStarted | null;
}

export interface JobTicket {
  jobId: string;
  fileId: string;
}

export interface ProjectItem {
  file: FileRef;
  /** The engine's transcript, as produced; corrections live in `edits`. */
  transcript: Transcript | null;
  /** Word index (as a string key) → corrected text; an empty string deletes the word from exports. */
  edits: Record<string, string>;
  /** The last failure for this file, so it is still shown after a restart. */
  error: ErrorInfo | null;
  /** Evaluation: the reference transcript (from a `.txt` beside the audio or a manifest), if any. */
  reference?: string | null;
  /** Evaluation: the set (folder or manifest name) the file came from, and its path inside it. */
  set?: string | null;
  path?: string | null;
  /**
   * Subtitle cue times the user set in the cue view, by the index of the cue's first word (as a string
   * key); a cue the words no longer start there is left as the rules make it.
   */
  cueTimes?: Record<string, CueTime>;
}

/** A subtitle cue's times in seconds, as set in the cue view. */
export interface CueTime {
  start: number;
  end: number;
}

/**
 * The user's work: files, transcripts and edits. Owned by the host, which records the transcripts and
 * applies what the user does (`updateProject`); restored on the next start.
 */
export interface Project {
  version: 1;
  items: ProjectItem[];
  selectedId: string | null;
  /** The dictation view's document (with what each utterance added, for "scratch that"). */
  dictation?: DictationDocument;
}

/** A file added from a folder or a manifest, with its reference transcript when one was found. */
export interface BatchFile {
  file: FileRef;
  /** The path inside the folder (or as written in the manifest), `/`-separated. */
  path: string;
  reference: string | null;
}

/** What "Add folder…" or "Add manifest…" added: one evaluation set. */
export interface BatchAdded {
  /** The set's name: the folder's or the manifest's name. */
  set: string;
  files: BatchFile[];
  /**
   * Manifest references whose audio was not added: a browser cannot open the paths a manifest lists, so
   * there all of them come here and the renderer matches them to the project's files by path or name.
   */
  unmatched: { path: string; reference: string }[];
  /** Things worth telling the user (no audio found, listed files missing, stray `.txt` files). */
  warnings: string[];
}

/**
 * Where the batch runs: this computer (`queueUrl` null) or the workers of a transcription queue in Redis
 * (`npm run worker`), with how many are connected.
 */
export interface RunTarget {
  /** The queue's URL as the host shows it (password hidden); null: this computer. */
  queueUrl: string | null;
  workers: number | null;
}

/** The host's transcription queue: what is waiting or running, and whether it is paused. */
export interface QueueState {
  paused: boolean;
  jobs: {
    jobId: string;
    fileId: string;
    state: 'queued' | 'running';
    fraction: number;
    etaSec: number | null;
  }[];
}

/** Several exports at once ("Export all"): the host asks for a folder once and writes them all there. */
export interface ExportBundle {
  files: { name: string; content: string }[];
}

export interface ExportRequest {
  /** Suggested file name, e.g. `interview.srt`. */
  suggestedName: string;
  /** A transcript format, or `csv` for the evaluation summary. */
  format: ExportFormat | 'csv';
  /** The formatted export (produced by main/common/transcript.ts in the renderer). */
  content: string;
}

export interface ExportResult {
  saved: boolean;
  /** Where it went (a path in Electron, the download name in a browser); null when cancelled. */
  location: string | null;
}

/** Where dictation audio comes from: a microphone, or an opened file played at real-time pace (QA, demos). */
export type DictationSource = MicSource | 'file';

export interface DictationStartRequest {
  source: DictationSource;
  /** Native only: pvrecorder device index, -1 for the system default. */
  deviceIndex?: number;
  /** Stream only: the sample rate of the frames the renderer will send. */
  sampleRate?: number;
  /** File only: an opened file to play as the microphone. */
  fileId?: string;
  /**
   * Where finals go besides the studio's document: `focused-app` also types them into the application
   * that had focus when dictation started (see TextInsertionInfo). Default `studio`.
   */
  typeInto?: DictationTarget;
  /**
   * With `focused-app`: whether the typed text has the punctuation model's marks and capitals (the
   * user's punctuation setting; default true). Spoken commands apply either way.
   */
  punctuate?: boolean;
  /**
   * Records voice-profile prompt `enrollPrompt` (0-based) instead of dictating: the same capture, but no
   * live recognition; `saveEnrollment(enrollPrompt)` ends it and keeps the recording in the profile.
   */
  enrollPrompt?: number;
}

export type DictationTarget = 'studio' | 'focused-app';

export interface DictationStarted {
  source: DictationSource;
  deviceName: string;
  sampleRate: number;
  /** Where finals are typed: `focused-app` when the host types them into another application. */
  typeInto?: DictationTarget;
}

/**
 * How this host can type into other applications: the tool it uses (xdotool, wtype, ydotool, osascript,
 * sendinput), `clipboard` when it can only paste, or `none`; `hint` says what to install or allow.
 */
export interface TextInsertionInfo {
  method: 'xdotool' | 'wtype' | 'ydotool' | 'osascript' | 'sendinput' | 'clipboard' | 'none';
  hint: string | null;
}

/** Why a dictation session ended (see the `dictation-ended` event). */
export type DictationEndReason = 'stopped' | 'cancelled' | 'source-ended' | 'client-gone';

export interface DictationResult {
  /** The session's finals joined, with times from the start of the recording. */
  transcript: Transcript;
  /** The recording, registered like an opened file (it can be added to the project and replayed). */
  file: FileRef;
}

// ---- Voice profile (speaker adaptation) --------------------------------------------------------------

/** One enrollment prompt and whether the user has recorded it. */
export interface EnrollmentPrompt {
  /** 0-based position in the prompt list. */
  index: number;
  text: string;
  /** Seconds of the saved recording; null when not recorded yet. */
  recordedSec: number | null;
}

/** An adapted model in the user's profile. */
export interface AdaptedModelInfo {
  name: string;
  /** Held-back greedy WER before/after adaptation (0..1), when recorded. */
  beforeWer: number | null;
  afterWer: number | null;
  createdAt: string | null;
}

export interface VoiceProfile {
  prompts: EnrollmentPrompt[];
  /** Corrected transcripts added as further adaptation data. */
  corrections: { id: string; text: string; durationSec: number }[];
  /** The base model's name (what "Base model" selects). */
  baseModel: string | null;
  models: AdaptedModelInfo[];
  /** The adapted model in use; null for the base model. */
  selected: string | null;
  /** An adaptation is running. */
  adapting: boolean;
  /** Words and phrases the decoder favours (one per entry); applied to every transcription and dictation. */
  vocabulary: string[];
}

export interface AdaptRequest {
  /** Name for the adapted model (letters, digits, ".", "_", "-"). */
  name: string;
  /** Passes over the enrollment data (default 8; 1 is enough to try the flow). */
  epochs?: number;
  layers?: 'all' | 'top' | 'dense';
  /**
   * Keep and save the adapted weights even when the held-back check says they are not better (for
   * experiments and tests; by default the base model is kept then and nothing is saved).
   */
  keepAnyway?: boolean;
}

/** Progress of a speaker adaptation: feature extraction, then training steps. */
export interface AdaptProgress {
  phase: 'features' | 'train';
  step: number;
  total: number;
  /** Training loss (CTC per label) of the last step; null while features are computed. */
  loss: number | null;
  etaSec: number | null;
  epoch: number;
}

export interface AdaptSummary {
  /** Held-back greedy WER, 0..1. */
  beforeWer: number;
  afterWer: number;
  kept: 'adapted' | 'base';
  /** The saved model's name; null when the base model was kept (nothing saved). */
  modelName: string | null;
  utterances: number;
  seconds: number;
}

// ---- Learning from corrections ------------------------------------------------------------------------

/** A corrected utterance to learn from: a span of an opened file (or a dictation's recording) and its text. */
export interface LearningCorrection {
  fileId: string;
  /** Seconds from the start of the file; at most LearningLimits.maxSec long. */
  startSec: number;
  endSec: number;
  /** What was said there, as the user corrected it. */
  text: string;
}

/** One learning round: the model in use before it and the new weights, measured on corrections never trained on. */
export interface LearningRoundInfo {
  round: number;
  /** ISO time the round finished. */
  at: string;
  newUtterances: number;
  replayed: number;
  /** 'adapted': the new weights were better on the check (corrections kept back from training) and are in use. */
  kept: 'adapted' | 'base';
  /** WER (0..1) on the check, as dictation decodes it, of the model in use before the round and of the new weights. */
  heldBackWerBefore: number;
  heldBackWerAfter: number;
  seconds: number;
}

export interface LearningLimits {
  /** Corrected utterances kept at most (the oldest already learned from go first). */
  utterances: number;
  /** Bytes of kept audio at most. */
  bytes: number;
  /** Longest utterance kept, in seconds. */
  maxSec: number;
}

export interface LearningStatus {
  /** "Learn from my corrections": corrections are kept and learned from (on by default). */
  enabled: boolean;
  /** Corrected utterances kept, and how many of them have not been learned from yet. */
  kept: number;
  waiting: number;
  bytes: number;
  /** New corrected utterances that start a round. */
  roundSize: number;
  limits: LearningLimits;
  /** The round running now (in a low-priority engine process), or null. */
  running: AdaptProgress | { phase: 'starting' } | null;
  /** The running round waits while a dictation runs (its process is stopped; it continues after). */
  paused: boolean;
  /** Rounds so far, oldest first. */
  rounds: LearningRoundInfo[];
  /** Weights learned from corrections are kept (and used with the model they were learned for). */
  learnedWeights: boolean;
  /** Why the last round failed (null when it did not). Its corrections wait for the next. */
  error: string | null;
}

/** Everything the host pushes to the renderer, on one channel. */
export type StudioEvent =
  | { type: 'engine'; status: EngineStatus }
  | { type: 'job-queued'; jobId: string; fileId: string }
  | {
      type: 'job-progress';
      jobId: string;
      fileId: string;
      /** 0..1 */
      fraction: number;
      processedSec: number;
      elapsedSec: number;
      /** Estimated seconds left; null until there is enough progress to estimate. */
      etaSec: number | null;
    }
  /** `seq`: the outcome's number in the project; absent for a dictation's recording (not in the project). */
  | { type: 'job-done'; jobId: string; fileId: string; transcript: Transcript; seq?: number }
  | { type: 'job-failed'; jobId: string; fileId: string; error: ErrorInfo; seq?: number }
  /** The queue was paused (no new job starts; the running one finishes) or resumed. */
  | { type: 'queue-paused'; paused: boolean }
  /** Native microphone level, 0..1, about 20 times a second while dictating. */
  | { type: 'mic-level'; level: number }
  /**
   * Live dictation: the current utterance so far. The first `stableWords` words agreed with the previous
   * partial; the rest is the unstable tail (shown differently; it may still change).
   */
  | { type: 'dictation-partial'; segment: number; words: string[]; stableWords: number }
  /** An utterance is finished: its words (times from the start of the recording) will not change. */
  | {
      type: 'dictation-final';
      segment: number;
      text: string;
      /** `text` with punctuation and capitals, spoken commands left as words (absent: switched off). */
      displayText?: string;
      words: Word[];
      startSec: number;
      endSec: number;
    }
  /** Dictation failed (device lost, engine crashed); the recording so far is kept. */
  | { type: 'dictation-error'; error: ErrorInfo }
  /** A dictation session started (in any window): every window offers Stop until it ends. */
  | { type: 'dictation-started'; started: DictationStarted }
  /**
   * The session ended: `result` is what Stop returns (null when cancelled or nothing was recorded).
   * `reason`: `stopped` (Stop), `cancelled`, `source-ended` (the file standing in for the microphone
   * ended), `client-gone` (the page whose microphone fed it closed or reloaded; the recording is kept).
   */
  | {
      type: 'dictation-ended';
      reason: DictationEndReason;
      result: DictationResult | null;
      error: ErrorInfo | null;
    }
  /** Speaker adaptation running in the engine process. */
  | ({ type: 'adapt-progress' } & AdaptProgress)
  | { type: 'adapt-done'; summary: AdaptSummary }
  | { type: 'adapt-failed'; error: ErrorInfo }
  /** Learning from corrections: a correction kept, a round's progress or outcome, data forgotten. */
  | { type: 'learning'; status: LearningStatus }
  /** A global keyboard shortcut was pressed (Electron registers it system-wide). */
  | { type: 'shortcut'; action: 'toggle-dictation' }
  /**
   * Browser mode only, raised by the page's own client (never sent by a host): the connection to the
   * studio server. `lost`: unreachable (stopped, or restarting), retried; `unauthorized`: it answers but
   * refuses this page's token (it was restarted, with a new one): the page must be opened again with the
   * new link; `ok`: connected again.
   */
  | { type: 'connection'; state: ConnectionState };

export type ConnectionState = 'ok' | 'lost' | 'unauthorized';

export type StudioEventType = StudioEvent['type'];

/**
 * What travels on a channel where it differs from the StudioApi method: the preload resolves dropped
 * files to their paths, so `studio:add-paths` carries paths.
 */
interface WireSignatures {
  addFiles(paths: string[]): Promise<FileRef[]>;
}

type WireSignature<M extends InvokeMethod> = M extends keyof WireSignatures
  ? WireSignatures[M]
  : StudioApi[M];

/**
 * Request/response channels: name → argument tuple and result, derived from the channel table
 * (channels.ts) and StudioApi, so the two cannot disagree.
 */
export type InvokeChannels = {
  [M in InvokeMethod as ChannelTable[M]['channel']]: {
    args: Parameters<WireSignature<M>>;
    result: Awaited<ReturnType<WireSignature<M>>>;
  };
};

export type InvokeChannel = keyof InvokeChannels;

export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

/** What answers an invoke channel in a host (the transport validates the arguments first). */
export type InvokeHandler<C extends InvokeChannel> = (
  ...args: InvokeArgs<C>
) => InvokeResult<C> | Promise<InvokeResult<C>>;

/** A handler for each of the channels `C` (all of them by default): one missing is a compile error. */
export type InvokeHandlers<C extends InvokeChannel = InvokeChannel> = { [K in C]: InvokeHandler<K> };

/** Fire-and-forget renderer → host channels. */
export type SendChannels = {
  [C in ChannelTable['sendDictationAudio']['channel']]: { args: Parameters<StudioApi['sendDictationAudio']> };
};

export type SendChannel = keyof SendChannels;

/** The host → renderer channel that carries every StudioEvent. */
export type EventChannel = ChannelTable['onEvent']['channel'];

/** The minimum the Electron client needs from a dropped DOM File (structural, so Node code can name it). */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

/**
 * The API the renderer sees: named functions only (no generic invoke), exposed by the preload as
 * `window.studio` in Electron and implemented by the bridge client in a browser.
 */
export interface StudioApi {
  readonly mode: HostMode;
  getInfo(): Promise<StudioInfo>;
  /** Electron: the native open dialog. (The browser client uses a file input and uploads instead.) */
  openFiles(): Promise<FileRef[]>;
  /** Electron drag and drop: the preload resolves dropped File objects to paths. (A browser uploads them.) */
  addFiles(files: readonly DroppedFile[]): Promise<FileRef[]>;
  /** A folder (recursively, audio with `.txt` references); null when the user cancelled. */
  openFolder(): Promise<BatchAdded | null>;
  /**
   * A reference manifest (TSV). Electron adds the files it lists; a browser cannot open paths, so there
   * the manifest's references are returned with no files and are matched to the project's files by path.
   */
  openManifest(): Promise<BatchAdded | null>;
  transcribe(fileId: string): Promise<JobTicket>;
  getQueue(): Promise<QueueState>;
  pauseQueue(paused: boolean): Promise<void>;
  cancel(jobId: string): Promise<void>;
  loadProject(): Promise<Project>;
  /**
   * Applies what the user did (edits, cue times, references, selection, files added or removed, the
   * dictation document) to the project the host owns, in order, and saves it. All or nothing: an
   * operation naming a file that is not in the project refuses the whole call.
   */
  updateProject(ops: ProjectOp[]): Promise<void>;
  /** Electron: the native save dialog. (The browser client downloads a Blob instead.) */
  saveExport(request: ExportRequest): Promise<ExportResult>;
  /** Electron: a folder dialog, then every file written there. (The browser client downloads each.) */
  saveExports(bundle: ExportBundle): Promise<ExportResult>;
  startDictation(request: DictationStartRequest): Promise<DictationStarted>;
  /** Mono float PCM frames for a `stream` dictation, at the sample rate given when it started. */
  sendDictationAudio(samples: Float32Array): void;
  stopDictation(): Promise<DictationResult>;
  cancelDictation(): Promise<void>;
  /** Opens an https: link in the system browser (anything else is refused). */
  openExternal(url: string): Promise<void>;
  /** The voice profile: enrollment prompts and recordings, corrections, adapted models. */
  getVoiceProfile(): Promise<VoiceProfile>;
  /**
   * Ends the enrollment recording of prompt `index` (started with `enrollPrompt: index`) and keeps it in
   * the profile as that prompt's recording, replacing any.
   */
  saveEnrollment(index: number): Promise<VoiceProfile>;
  /** Adds an opened file with its corrected transcript as further adaptation data. */
  addCorrection(fileId: string, text: string): Promise<VoiceProfile>;
  /** Starts speaker adaptation in the engine process; progress and the outcome come as events. */
  startAdaptation(request: AdaptRequest): Promise<void>;
  cancelAdaptation(): Promise<void>;
  /** Selects an adapted model by name (null: the base model); the engine reloads with it. */
  selectModel(name: string | null): Promise<VoiceProfile>;
  deleteModel(name: string): Promise<VoiceProfile>;
  /** Replaces the vocabulary to boost (empty: none); it is saved in the profile and applied at once. */
  setVocabulary(phrases: string[]): Promise<VoiceProfile>;
  /** Learning from corrections: what is kept, the round running, the accuracy history. */
  getLearning(): Promise<LearningStatus>;
  /** Switches "Learn from my corrections" on or off (off: nothing new is kept; a running round stops). */
  setLearning(enabled: boolean): Promise<LearningStatus>;
  /** Keeps a corrected utterance for learning (ignored while learning is off); a round starts when enough gathered. */
  learnFromCorrection(correction: LearningCorrection): Promise<LearningStatus>;
  /** Deletes every kept utterance, the history and the learned weights (the model's own are used again). */
  forgetLearning(): Promise<LearningStatus>;
  /** Files queued from now on run on the queue at `queueUrl` (a redis:// URL), or on this computer (null). */
  setRunTarget(queueUrl: string | null): Promise<RunTarget>;
  /** How (and whether) finals can be typed into other applications here. */
  getTextInsertion(): Promise<TextInsertionInfo>;
  /** Subscribes to host events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
}
