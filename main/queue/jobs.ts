/**
 * The contract between the machines that submit transcription jobs and the workers that run them: the
 * queue's name, what a job carries, what it returns, and how its id is derived. Plain data, so a job
 * written by one version of the CLI can be read by a worker on another machine.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transcript } from '../common/transcript';
import type { VocabularyBoost } from '../engine/decoder/boost';
import type { DecoderChoice } from '../engine/engine';
import { DEFAULT_PUNCTUATION_DIR } from '../engine/model-location';
import { DECODER_FILE_KEYS } from '../engine/model/decoder-files';

export const QUEUE_NAME = 'speech-studio-transcribe';

/**
 * Files up to this size travel through Redis (under their own key, with a time to live), so workers
 * need no shared storage for them; larger files are referred to by path, which every worker must be
 * able to read (a network file system mounted at the same place).
 */
export const INLINE_AUDIO_LIMIT_BYTES = 16 * 2 ** 20;

/** Inline audio left behind by a job that never ran is dropped after this long. */
export const INLINE_AUDIO_TTL_SEC = 7 * 24 * 3600;

/** Finished results are kept this long, so resubmitting the same file reuses its result. */
export const RESULT_TTL_SEC = 30 * 24 * 3600;

/** Where a worker finds the audio. */
export type AudioReference =
  { kind: 'path'; path: string } | { kind: 'redis'; key: string; extension: string; bytes: number };

export interface TranscriptionJobData {
  /** The name the submitter knows the file by: used in messages and results, never opened by a worker. */
  file: string;
  audio: AudioReference;
  /** sha256 of the file's bytes. */
  contentSha256: string;
  /** Model name (a folder in the worker's models/) or a path every worker can read. */
  model: string;
  /** sha256 over the model's files as the submitter has them; a worker with another model refuses. */
  modelFingerprint?: string;
  decoder: DecoderChoice;
  vocabulary?: VocabularyBoost;
}

/** What a finished job returns: the engine's transcript, exactly as a local run produces it. */
export interface TranscriptionJobResult {
  transcript: Transcript;
  /** Seconds the worker spent transcribing (engine only, not queueing or fetching audio). */
  transcribeSec: number;
  /** The worker's name (host and pid). */
  worker: string;
  /** The decoder the worker ran ("greedy" or "beam") and its tfjs backend, as the CLI prints them. */
  decoder: string;
  backendLabel: string;
}

/** Redis key under which inline audio with this content waits for a worker. */
export function inlineAudioKey(contentSha256: string): string {
  return `${QUEUE_NAME}:audio:${contentSha256}`;
}

/**
 * The job id: the same audio with the same model and decoder settings always maps to the same job, so a
 * resubmitted file reuses its result instead of being transcribed again. The file's name is not part
 * of it (a copy under another name is the same work).
 */
export function jobIdFor(data: TranscriptionJobData): string {
  const settings = JSON.stringify({
    content: data.contentSha256,
    model: data.modelFingerprint ?? `name:${data.model}`,
    decoder: data.decoder,
    vocabulary: data.vocabulary
      ? { phrases: [...data.vocabulary.phrases], weight: data.vocabulary.weight ?? null }
      : null,
  });
  // BullMQ refuses ids with ':' and ids that look like integers; a prefixed hex digest is neither.
  return `t-${createHash('sha256').update(settings).digest('hex')}`;
}

/** sha256 of a file's bytes, read as a stream (archives hold files of hours). */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * sha256 over the files that decide a transcript: the model's manifest, the network and its weights, the
 * language model, word list and a phone model's dictionaries that the manifest names for the beam decoder, and the punctuation model that
 * writes each word's display form (engines load the default one). Two machines with the same fingerprint
 * transcribe alike; a retrained punctuation model gives new job ids, so old results are not reused.
 */
export async function modelFingerprint(
  modelDir: string,
  punctuationDir = DEFAULT_PUNCTUATION_DIR,
): Promise<string> {
  const hash = createHash('sha256');
  await hashModelFiles(hash, '', modelDir, (manifest) => {
    const beam = manifest.decoder?.type === 'beam' ? manifest.decoder : {};
    return DECODER_FILE_KEYS.map((key) => beam[key]);
  });
  await hashModelFiles(hash, 'punctuation/', punctuationDir, (manifest) => [
    manifest.vocabFile,
    manifest.caseLexiconFile,
  ]);
  return hash.digest('hex');
}

interface ModelFolderManifest {
  modelFile?: string;
  decoder?: { type?: string } & Partial<Record<(typeof DECODER_FILE_KEYS)[number], string>>;
  vocabFile?: string;
  caseLexiconFile?: string;
}

/** Hashes a model folder's manifest, its network and weights, and the further files `extraFiles` names. */
async function hashModelFiles(
  hash: Hash,
  prefix: string,
  dir: string,
  extraFiles: (manifest: ModelFolderManifest) => (string | undefined)[],
): Promise<void> {
  const manifestText = await readFile(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(manifestText.toString('utf8')) as ModelFolderManifest;
  const modelFile = manifest.modelFile ?? 'model.json';
  const modelJson = JSON.parse(await readFile(path.join(dir, modelFile), 'utf8')) as {
    weightsManifest?: { paths?: string[] }[];
  };
  const files = [
    modelFile,
    ...(modelJson.weightsManifest ?? []).flatMap((group) => group.paths ?? []),
    ...extraFiles(manifest).filter((name) => name !== undefined),
  ];
  hash.update(`${prefix}manifest.json\0`).update(manifestText);
  for (const name of files) {
    hash.update(`\0${prefix}${name}\0`).update(await sha256OfFile(path.join(dir, name)));
  }
}
