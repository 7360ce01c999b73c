/**
 * Everything the contract's channels do, independent of transport, behind one facade: the file table and
 * the project store here; the transcription queue (transcription-queue.ts), dictation
 * (dictation-session.ts) and the voice profile (profile-service.ts) in their own modules. Electron main
 * (main/electron) and the browser bridge (main/bridge) each wrap one instance in their own transport, so
 * both behave the same and this logic is tested without either. Its method names are the StudioApi's: the
 * service channels are bound to them by name (service-handlers.ts).
 */
import path from 'node:path';
import type {
  AdaptRequest,
  BatchAdded,
  BatchFile,
  DictationEndReason,
  DictationResult,
  DictationStarted,
  DictationStartRequest,
  FileRef,
  HostMode,
  JobTicket,
  MicStatus,
  Project,
  ProjectOp,
  QueueState,
  RunTarget,
  StudioEvent,
  StudioInfo,
  TextInsertionInfo,
  VoiceProfile,
  LearningCorrection,
  LearningStatus,
} from '../common/ipc-contract';
import { loadManifest, scanFolder, type EvalSetInput } from '../evaluation/reference-files';
import { DictationSession } from './dictation-session';
import type { EngineSupervisor } from './engine-supervisor';
import { toErrorInfo } from './errors';
import { FileRegistry } from './file-registry';
import type { MicCapture } from './native-mic';
import { VoiceProfileStore } from './profile';
import { ProfileService } from './profile-service';
import { LearningService, roundSizeFromEnv } from './correction-learning';
import { LearningStore } from './learning-store';
import type { LearnAdaptSettings } from './engine-protocol';
import { ProjectStore } from './project-store';
import { RunTargetSwitch } from './run-target';
import { TextInsertion } from './text-insertion';
import { TranscriptionQueue } from './transcription-queue';

export { MAX_DICTATION_SEC } from './dictation-session';
export { MAX_VOCABULARY_PHRASES } from './profile-service';

export interface StudioServiceOptions {
  mode: HostMode;
  version: string;
  engine: EngineSupervisor;
  /** The JSON file the project is saved to. */
  projectFile: string;
  /** Where dictation recordings are written. */
  recordingsDir: string;
  mediaUrl: (fileId: string) => string;
  /** Delivers an event to the renderer(s). */
  emit: (event: StudioEvent) => void;
  /** Native microphone capture, when the host has it (Electron); null means stream-only. */
  mic?: MicCapture | null;
  /** Why native capture is unavailable, for the status bar. */
  micUnavailable?: string | null;
  /** The voice profile folder (enrollment, corrections, adapted models); default `<project dir>/profile`. */
  profileDir?: string;
  /** Typing dictation into other applications; default: this machine's tools, no clipboard fallback. */
  textInsertion?: TextInsertion;
  /** Learning from corrections: round size and adaptation settings (tests); default 20 (or the test env). */
  learning?: { roundSize?: number; adapt?: LearnAdaptSettings };
}

export class StudioService {
  readonly files: FileRegistry;
  readonly profile: VoiceProfileStore;
  private readonly project: ProjectStore;
  /** This computer, or the workers of a transcription queue ("Run on"). */
  private readonly runTarget = new RunTargetSwitch();
  private readonly transcription: TranscriptionQueue;
  private readonly dictation: DictationSession;
  private readonly voice: ProfileService;
  private readonly learning: LearningService;
  private disposed = false;
  private readonly textInsertion: TextInsertion;

  constructor(private readonly options: StudioServiceOptions) {
    const { engine, emit } = options;
    this.textInsertion = options.textInsertion ?? new TextInsertion();
    const files = (this.files = new FileRegistry(options.mediaUrl));
    this.project = new ProjectStore(options.projectFile, files);
    this.profile = new VoiceProfileStore(
      options.profileDir ?? path.join(path.dirname(options.projectFile), 'profile'),
    );
    // Files are decoded in the engine process, in every host: every format the engine reads, and no codec
    // libraries (nor a long decode) in Electron's main process or the bridge's.
    const loadAudio = (file: string, sampleRate: number) => engine.decodeAudio(file, sampleRate);
    const runTarget = this.runTarget;
    this.transcription = new TranscriptionQueue({
      engine,
      emit,
      files,
      project: this.project,
      runTarget,
      vocabulary: () => this.profile.vocabulary(),
    });
    this.dictation = new DictationSession({
      engine,
      emit: (event) => {
        // A dictation's transcript stays in the host: the page may add its recording to the project.
        if (event.type === 'dictation-ended' && event.result)
          this.project.offerTranscript(event.result.file.id, event.result.transcript);
        // Learning rounds pause while anyone dictates.
        this.learning.observe(event);
        emit(event);
      },
      files,
      mic: options.mic ?? null,
      micUnavailable: options.micUnavailable ?? null,
      recordingsDir: options.recordingsDir,
      loadAudio,
      transcribeNow: (fileId) => this.transcription.transcribeNow(fileId),
      textInsertion: this.textInsertion,
    });
    this.voice = new ProfileService(this.profile, {
      engine,
      emit,
      files,
      runTarget,
      loadAudio,
      busy: () => this.dictation.dictationSession !== null || this.transcription.busy,
      disposed: () => this.disposed,
    });
    this.learning = new LearningService(new LearningStore(this.profile.dir), {
      engine,
      emit,
      audioOf: (fileId) => this.voice.profileAudio(fileId),
      roundSize: options.learning?.roundSize ?? roundSizeFromEnv(),
      adapt: options.learning?.adapt,
    });
  }

  getInfo(): StudioInfo {
    return {
      mode: this.options.mode,
      version: this.options.version,
      engine: this.options.engine.status,
      mic: this.micStatus(),
      queueUrl: this.runTarget.url,
      dictation: this.dictation.dictationSession,
    };
  }

  private micStatus(): MicStatus {
    const mic = this.options.mic;
    if (!mic)
      return {
        source: 'stream',
        devices: [],
        nativeUnavailable: this.options.micUnavailable ?? 'not offered',
      };
    try {
      return { source: 'native', devices: mic.listDevices(), nativeUnavailable: null };
    } catch (error) {
      return { source: 'stream', devices: [], nativeUnavailable: toErrorInfo(error).message };
    }
  }

  async addPaths(paths: readonly string[]): Promise<FileRef[]> {
    const refs: FileRef[] = [];
    for (const file of paths) refs.push(await this.files.register(file));
    return refs;
  }

  /**
   * A folder the user chose (Electron's dialog): searched recursively for audio, each file paired with the
   * `.txt` beside it as its reference (the rules of `npm run eval`, main/evaluation/reference-files.ts).
   */
  async addFolder(dir: string): Promise<BatchAdded> {
    const [set] = await scanFolder(dir);
    return this.addSet(set);
  }

  /** A reference manifest the user chose: the audio files it lists (that exist) with their references. */
  async addManifest(file: string): Promise<BatchAdded> {
    return this.addSet(await loadManifest(file));
  }

  private async addSet(set: EvalSetInput): Promise<BatchAdded> {
    const files: BatchFile[] = [];
    const warnings = [...set.warnings];
    for (const item of set.items) {
      try {
        const file = await this.files.register(item.audio);
        files.push({ file, path: item.file, reference: item.reference });
      } catch {
        // loadManifest has already listed the missing files in its warnings.
        if (set.kind !== 'manifest') warnings.push(`${item.file}: not readable`);
      }
    }
    return { set: set.name, files, unmatched: [], warnings };
  }

  // ---- The transcription queue ----------------------------------------------------------------------

  transcribe(fileId: string): JobTicket {
    return this.transcription.transcribe(fileId);
  }

  cancel(jobId: string): void {
    this.transcription.cancel(jobId);
  }

  /** Restores the saved queue once, at startup (see TranscriptionQueue.restore). */
  restore(): Promise<void> {
    return this.transcription.restore();
  }

  getQueue(): QueueState {
    return this.transcription.getQueue();
  }

  pauseQueue(paused: boolean): Promise<void> {
    return this.transcription.pauseQueue(paused);
  }

  setRunTarget(queueUrl: string | null): Promise<RunTarget> {
    return this.transcription.setRunTarget(queueUrl);
  }

  getTextInsertion(): Promise<TextInsertionInfo> {
    return this.textInsertion.describe();
  }

  // ---- The project ----------------------------------------------------------------------------------

  /**
   * The files the saved project refers to (absolute paths): what a cleanup of the data folder must keep;
   * null when the project file is unreadable (then nothing may be cleaned up).
   */
  projectPaths(): Promise<string[] | null> {
    return this.project.paths();
  }

  async loadProject(): Promise<Project> {
    await this.transcription.restore();
    return this.project.load();
  }

  /** What the user did, applied to the project the host owns (see ProjectStore.apply). */
  updateProject(ops: ProjectOp[]): Promise<void> {
    return this.project.apply(ops);
  }

  // ---- Dictation ------------------------------------------------------------------------------------

  startDictation(request: DictationStartRequest): Promise<DictationStarted> {
    return this.dictation.startDictation(request);
  }

  pushDictationAudio(samples: Float32Array): void {
    this.dictation.pushDictationAudio(samples);
  }

  stopDictation(reason?: DictationEndReason): Promise<DictationResult> {
    return this.dictation.stopDictation(reason);
  }

  cancelDictation(): void {
    this.dictation.cancelDictation();
  }

  /** The session running now, as its start reported it; null when there is none. */
  get dictationSession(): DictationStarted | null {
    return this.dictation.dictationSession;
  }

  // ---- The voice profile ----------------------------------------------------------------------------

  async startEngine(): Promise<void> {
    await this.voice.startEngine();
    await this.learning.start();
  }

  setVocabulary(phrases: readonly string[]): Promise<VoiceProfile> {
    return this.voice.setVocabulary(phrases);
  }

  getVoiceProfile(): Promise<VoiceProfile> {
    return this.voice.getVoiceProfile();
  }

  async saveEnrollment(index: number): Promise<VoiceProfile> {
    return this.voice.saveEnrollment(index, this.dictation.takeEnrollment(index));
  }

  addCorrection(fileId: string, text: string): Promise<VoiceProfile> {
    return this.voice.addCorrection(fileId, text);
  }

  startAdaptation(request: AdaptRequest): Promise<void> {
    return this.voice.startAdaptation(request);
  }

  cancelAdaptation(): void {
    this.voice.cancelAdaptation();
  }

  selectModel(name: string | null): Promise<VoiceProfile> {
    return this.voice.selectModel(name);
  }

  deleteModel(name: string): Promise<VoiceProfile> {
    return this.voice.deleteModel(name);
  }

  // ---- Learning from corrections ------------------------------------------------------------------

  getLearning(): Promise<LearningStatus> {
    return this.learning.status();
  }

  setLearning(enabled: boolean): Promise<LearningStatus> {
    return this.learning.setEnabled(enabled);
  }

  learnFromCorrection(correction: LearningCorrection): Promise<LearningStatus> {
    return this.learning.add(correction);
  }

  forgetLearning(): Promise<LearningStatus> {
    return this.learning.forget();
  }

  /**
   * Resolves when the project and queue writes made so far are on disk: after dispose(), a write that
   * had already started still finishes (for example before removing the data folder).
   */
  whenSaved(): Promise<void> {
    return this.project.settled();
  }

  dispose(): void {
    this.disposed = true;
    this.learning.dispose();
    this.cancelDictation();
    this.transcription.dispose();
    void this.runTarget.dispose();
    this.options.engine.dispose();
  }
}
