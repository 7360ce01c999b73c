/**
 * The voice profile: enrollment recordings, corrections, speaker adaptation, model selection and the
 * boosted vocabulary.
 *
 * Enrollment recordings come from the host's capture (dictation-session.ts, recording only) and
 * corrections from files the host registered, decoded by the engine worker; both are stored in the
 * profile folder as 16 kHz WAV; the engine worker adapts the model in use
 * to them and saves the result under `<profile>/models/<name>/`, which can then be selected.
 */
import path from 'node:path';
import { boostPhrases } from '../common/boost-list';
import type { AdaptRequest, StudioEvent, VoiceProfile } from '../common/ipc-contract';
import { Resampler } from '../engine/audio/resample';
import { concatSamples } from '../engine/audio/samples';
import type { Recording } from './dictation-session';
import type { EngineSupervisor } from './engine-supervisor';
import { fileError, HostError, toErrorInfo } from './errors';
import type { FileRegistry } from './file-registry';
import { adaptedModelDir, PROFILE_SAMPLE_RATE, type VoiceProfileStore } from './profile';
import type { RunTargetSwitch } from './run-target';

export interface ProfileDeps {
  engine: EngineSupervisor;
  files: FileRegistry;
  runTarget: RunTargetSwitch;
  emit: (event: StudioEvent) => void;
  /** Decodes a recording. */
  loadAudio: (file: string, sampleRate: number) => Promise<Float32Array>;
  /** The engine is in use (dictating, or transcribing a file): models cannot be switched. */
  busy: () => boolean;
  /** The host is shutting down. */
  disposed: () => boolean;
}

/** Vocabulary entries the decoder takes (the beam decoder's own cap, MAX_BOOST_PHRASES, is the same). */
export const MAX_VOCABULARY_PHRASES = 5000;

export class ProfileService {
  constructor(
    readonly store: VoiceProfileStore,
    private readonly deps: ProfileDeps,
  ) {}

  /** Starts the engine with the adapted model the profile selected last (the base if it is gone or broken). */
  async startEngine(): Promise<void> {
    const engine = this.deps.engine;
    engine.setVocabulary(await this.store.vocabulary().catch(() => []));
    const selected = await this.store.selected().catch(() => null);
    const models = selected ? await this.store.models().catch(() => []) : [];
    if (!selected || !models.some((m) => m.name === selected) || this.deps.disposed()) {
      engine.start();
      return;
    }
    try {
      await engine.useModel(adaptedModelDir(this.store.dir, selected));
    } catch {
      if (this.deps.disposed()) return;
      await this.store.setSelected(null).catch(() => {});
      await engine.useModel(null).catch(() => {});
    }
  }

  /**
   * Replaces the boosted vocabulary, cleaned as a boost list is (boost-list.ts), at most
   * MAX_VOCABULARY_PHRASES; saved in the profile and sent to the engine at once.
   */
  async setVocabulary(phrases: readonly string[]): Promise<VoiceProfile> {
    const cleaned = boostPhrases(phrases);
    if (cleaned.length > MAX_VOCABULARY_PHRASES)
      throw new HostError(
        'VOCABULARY_TOO_LONG',
        `The vocabulary has ${cleaned.length} entries; at most ${MAX_VOCABULARY_PHRASES} are used.`,
      );
    await this.store.setVocabulary(cleaned);
    this.deps.engine.setVocabulary(cleaned);
    this.deps.runTarget.queue?.setVocabulary(cleaned);
    return this.getVoiceProfile();
  }

  async getVoiceProfile(): Promise<VoiceProfile> {
    const [prompts, corrections, models, vocabulary] = await Promise.all([
      this.store.enrollment(),
      this.store.corrections(),
      this.store.models(),
      this.store.vocabulary(),
    ]);
    const engine = this.deps.engine;
    const inUse = engine.model === engine.baseModel ? null : path.basename(engine.model);
    return {
      prompts,
      corrections,
      baseModel: path.basename(engine.baseModel),
      models,
      selected: inUse && models.some((m) => m.name === inUse) ? inUse : null,
      adapting: engine.adapting,
      vocabulary,
    };
  }

  /** An opened file's audio at the profile's rate (learning from corrections cuts spans from it too). */
  async profileAudio(fileId: string): Promise<Float32Array> {
    const entry = this.deps.files.get(fileId);
    if (!entry) throw new HostError('UNKNOWN_FILE', `no file with id ${fileId} was opened`);
    try {
      return await this.deps.loadAudio(entry.path, PROFILE_SAMPLE_RATE);
    } catch (error) {
      throw fileError(error, { path: entry.path, name: entry.ref.name });
    }
  }

  /** Keeps an enrollment recording (as captured) for prompt `index`, at the profile's sample rate. */
  async saveEnrollment(index: number, recording: Recording): Promise<VoiceProfile> {
    const resampler = new Resampler(recording.sampleRate, PROFILE_SAMPLE_RATE);
    const samples = concatSamples([resampler.process(recording.samples), resampler.flush()]);
    await this.store.saveRecording(index, samples);
    return this.getVoiceProfile();
  }

  /** Adds an opened file with its corrected transcript as further adaptation data. */
  async addCorrection(fileId: string, text: string): Promise<VoiceProfile> {
    await this.store.addCorrection(await this.profileAudio(fileId), text);
    return this.getVoiceProfile();
  }

  /**
   * Adapts the model in use to the profile's recordings in the engine process. Returns once started;
   * progress, the outcome (before/after WER, kept, the saved model) and failures come as events.
   */
  async startAdaptation(request: AdaptRequest): Promise<void> {
    const engine = this.deps.engine;
    if (engine.adapting) throw new HostError('ADAPT_BUSY', 'An adaptation is already running.');
    // Throws for names that could leave the profile folder.
    adaptedModelDir(this.store.dir, request.name);
    if ((await this.store.models()).some((m) => m.name === request.name))
      throw new HostError('MODEL_EXISTS', `An adapted model named "${request.name}" already exists.`);
    const items = await this.store.adaptationItems();
    if (items.length < 2)
      throw new HostError(
        'NOT_ENOUGH_DATA',
        `Record at least 2 prompts first (${items.length} recorded); more recordings adapt better.`,
      );
    const emit = this.deps.emit;
    const run = engine.adapt(
      items,
      this.store.dir,
      request.name,
      { epochs: request.epochs, layers: request.layers, keepAnyway: request.keepAnyway },
      (p) => emit({ type: 'adapt-progress', ...p }),
    );
    run.then(
      (r) =>
        emit({
          type: 'adapt-done',
          summary: {
            beforeWer: r.beforeWer,
            afterWer: r.afterWer,
            kept: r.kept,
            modelName: r.modelName,
            utterances: r.utterances,
            seconds: r.seconds,
          },
        }),
      (error: unknown) => emit({ type: 'adapt-failed', error: toErrorInfo(error) }),
    );
  }

  cancelAdaptation(): void {
    this.deps.engine.cancelAdapt();
  }

  /** Reloads the engine with an adapted model (null: the base model) and remembers the choice. */
  async selectModel(name: string | null): Promise<VoiceProfile> {
    if (this.deps.busy())
      throw new HostError(
        'ENGINE_BUSY',
        'Stop dictation and wait for transcriptions before switching models.',
      );
    if (name !== null && !(await this.store.models()).some((m) => m.name === name))
      throw new HostError('UNKNOWN_MODEL', `There is no adapted model named "${name}".`);
    const engine = this.deps.engine;
    try {
      await engine.useModel(name === null ? null : adaptedModelDir(this.store.dir, name));
    } catch (error) {
      // A model that does not load leaves the engine failed: go back to the base, and say why.
      if (name !== null && engine.status.state === 'failed') {
        await engine.useModel(null).catch(() => {});
        await this.store.setSelected(null);
      }
      throw error;
    }
    await this.store.setSelected(name);
    return this.getVoiceProfile();
  }

  /** Removes an adapted model (the base model is loaded again first if it was in use). */
  async deleteModel(name: string): Promise<VoiceProfile> {
    const current = await this.getVoiceProfile();
    if (current.selected === name) await this.selectModel(null);
    if (!(await this.store.deleteModel(name)))
      throw new HostError('UNKNOWN_MODEL', `There is no adapted model named "${name}".`);
    return this.getVoiceProfile();
  }
}
