/**
 * Runtime validation of everything that crosses into the host from a renderer. The renderer is treated
 * as untrusted (a compromised page must not be able to crash main, read arbitrary files or smuggle
 * oversized data), so every invoke/send payload is checked against a schema derived from the contract
 * before a handler sees it. Hand-written combinators keep this dependency-free and legible.
 */
import type {
  AdaptRequest,
  DictationStartRequest,
  ExportBundle,
  ExportRequest,
  FileRef,
  InvokeArgs,
  InvokeChannel,
  LearningCorrection,
  Project,
  ProjectItem,
  ProjectOp,
  WordAt,
} from '../common/ipc-contract';
import { HostError, isErrorCode, type ErrorInfo } from '../common/errors';
import type { DictationDocument } from '../common/spoken-commands';
import type { Transcript, Word } from '../common/transcript';
import { ADAPTED_MODEL_NAME } from '../engine/adapt/adapted-models';
import { dictationHistoryChars, MAX_DICTATION_DOCUMENT_CHARS } from '../common/project-ops';

export { MAX_DICTATION_DOCUMENT_CHARS };

export class PayloadError extends HostError {
  constructor(path: string, detail: string) {
    super('INVALID_PAYLOAD', `invalid payload at ${path}: ${detail}`);
  }
}

/** Checks `value` and returns it typed, or throws a PayloadError naming the offending path. */
export type Validator<T> = (value: unknown, path: string) => T;

const describe = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : ArrayBuffer.isView(value)
        ? value.constructor.name
        : typeof value;

export const str =
  (options: { min?: number; max: number; pattern?: RegExp }): Validator<string> =>
  (value, path) => {
    if (typeof value !== 'string') throw new PayloadError(path, `expected a string, got ${describe(value)}`);
    if (value.length < (options.min ?? 0) || value.length > options.max) {
      throw new PayloadError(
        path,
        `string length ${value.length} outside ${options.min ?? 0}..${options.max}`,
      );
    }
    if (value.includes('\0')) throw new PayloadError(path, 'string contains a NUL character');
    if (options.pattern && !options.pattern.test(value))
      throw new PayloadError(path, `does not match ${options.pattern}`);
    return value;
  };

export const num =
  (options: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new PayloadError(path, `expected a finite number, got ${describe(value)}`);
    }
    if (options.integer && !Number.isInteger(value))
      throw new PayloadError(path, `expected an integer, got ${value}`);
    if (value < (options.min ?? -Infinity) || value > (options.max ?? Infinity)) {
      throw new PayloadError(path, `${value} outside ${options.min ?? '-∞'}..${options.max ?? '∞'}`);
    }
    return value;
  };

export const literal =
  <const T extends readonly (string | number | boolean)[]>(...values: T): Validator<T[number]> =>
  (value, path) => {
    if (!values.includes(value as T[number]))
      throw new PayloadError(path, `expected one of ${values.join(', ')}`);
    return value as T[number];
  };

export const nullable =
  <T>(inner: Validator<T>): Validator<T | null> =>
  (value, path) =>
    value === null ? null : inner(value, path);

export const optional =
  <T>(inner: Validator<T>): Validator<T | undefined> =>
  (value, path) =>
    value === undefined ? undefined : inner(value, path);

export const arr =
  <T>(item: Validator<T>, options: { max: number }): Validator<T[]> =>
  (value, path) => {
    if (!Array.isArray(value)) throw new PayloadError(path, `expected an array, got ${describe(value)}`);
    if (value.length > options.max)
      throw new PayloadError(path, `${value.length} items, at most ${options.max} allowed`);
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };

type Shape<T> = { [K in keyof T]-?: Validator<T[K]> };

/** A plain object with exactly these keys (unknown keys are rejected, not silently passed on). */
export const obj =
  <T extends object>(shape: Shape<T>): Validator<T> =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
      throw new PayloadError(path, `expected an object, got ${describe(value)}`);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new PayloadError(path, 'expected a plain object');
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) throw new PayloadError(path, `unexpected key "${key}"`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      const checked = shape[key]((value as Record<string, unknown>)[key], `${path}.${key}`);
      if (checked !== undefined) out[key] = checked;
    }
    return out as T;
  };

export const record =
  <T>(item: Validator<T>, options: { maxKeys: number; key: RegExp }): Validator<Record<string, T>> =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new PayloadError(path, `expected an object, got ${describe(value)}`);
    }
    const keys = Object.keys(value);
    if (keys.length > options.maxKeys)
      throw new PayloadError(path, `${keys.length} keys, at most ${options.maxKeys}`);
    const out: Record<string, T> = Object.create(null);
    for (const key of keys) {
      if (!options.key.test(key)) throw new PayloadError(path, `invalid key "${key}"`);
      out[key] = item((value as Record<string, unknown>)[key], `${path}.${key}`);
    }
    return { ...out };
  };

export const tuple =
  <T extends unknown[]>(...items: { [K in keyof T]: Validator<T[K]> }): Validator<T> =>
  (value, path) => {
    if (!Array.isArray(value)) throw new PayloadError(path, 'expected an argument list');
    if (value.length !== items.length)
      throw new PayloadError(path, `expected ${items.length} arguments, got ${value.length}`);
    return items.map((item, i) => item(value[i], `${path}[${i}]`)) as T;
  };

export const float32Array =
  (options: { maxLength: number }): Validator<Float32Array> =>
  (value, path) => {
    if (!(value instanceof Float32Array))
      throw new PayloadError(path, `expected a Float32Array, got ${describe(value)}`);
    if (value.length > options.maxLength)
      throw new PayloadError(path, `${value.length} samples, at most ${options.maxLength}`);
    return value;
  };

// ---- The contract's payloads ------------------------------------------------------------------------

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const id = str({ min: 1, max: 64, pattern: ID_PATTERN });

const word: Validator<Word> = obj<Word>({
  word: str({ max: 200 }),
  start: num({ min: 0 }),
  end: num({ min: 0 }),
  confidence: num({ min: 0, max: 1 }),
  // The beam decoder's other candidates for the word (the editor's correction menu).
  alternatives: optional(
    arr(obj({ word: str({ max: 400 }), confidence: num({ min: 0, max: 1 }) }), { max: 16 }),
  ),
  // The word as written by the punctuation model ("Paris,"), shown and exported beside it.
  display: optional(str({ max: 210 })),
});

export const transcript: Validator<Transcript> = obj<Transcript>({
  text: str({ max: 2_000_000 }),
  words: arr(word, { max: 200_000 }),
  durationSec: num({ min: 0 }),
  backend: str({ max: 100 }),
  model: str({ max: 200 }),
  rtf: num({ min: 0 }),
  warnings: optional(arr(str({ max: 1000 }), { max: 16 })),
});

export const fileRef: Validator<FileRef> = obj<FileRef>({
  id,
  name: str({ min: 1, max: 1024 }),
  size: num({ min: 0, integer: true }),
  mediaUrl: str({ max: 4096 }),
});

/**
 * A failure saved with a project item. Projects written before the codes were a closed list may hold
 * others (a system error's ENOENT): those read as INTERNAL, the message kept.
 */
const errorInfo: Validator<ErrorInfo> = (value, path) => {
  const { code, message } = obj({ code: str({ max: 64 }), message: str({ max: 4096 }) })(value, path);
  return { code: isErrorCode(code) ? code : 'INTERNAL', message };
};

const cueTime = obj({ start: num({ min: 0 }), end: num({ min: 0 }) });

const projectItem: Validator<ProjectItem> = obj<ProjectItem>({
  file: fileRef,
  transcript: nullable(transcript),
  edits: record(str({ max: 200 }), { maxKeys: 200_000, key: /^\d{1,7}$/ }),
  error: nullable(errorInfo),
  reference: optional(nullable(str({ max: 100_000 }))),
  set: optional(nullable(str({ max: 1024 }))),
  path: optional(nullable(str({ max: 4096 }))),
  cueTimes: optional(record(cueTime, { maxKeys: 200_000, key: /^\d{1,7}$/ })),
});

/** Every dictation document a saved project may hold (projects of earlier versions included). */
const storedDictationDocument = obj<DictationDocument>({
  text: str({ max: 2_000_000 }),
  additions: arr(obj({ added: str({ max: 2_000_000 }), removed: str({ max: 2_000_000 }) }), {
    max: 100_000,
  }),
});

/** The project as loaded from disk (the file is as untrusted as a renderer payload). */
export const project: Validator<Project> = obj<Project>({
  version: literal(1),
  items: arr(projectItem, { max: 10_000 }),
  selectedId: nullable(id),
  dictation: optional(storedDictationDocument),
});

/** The dictation document the page sends (see MAX_DICTATION_DOCUMENT_CHARS). */
const dictationDocument: Validator<DictationDocument> = (value, path) => {
  const document = obj<DictationDocument>({
    text: str({ max: MAX_DICTATION_DOCUMENT_CHARS }),
    additions: arr(
      obj({
        added: str({ max: MAX_DICTATION_DOCUMENT_CHARS }),
        removed: str({ max: MAX_DICTATION_DOCUMENT_CHARS }),
      }),
      { max: MAX_DICTATION_DOCUMENT_CHARS },
    ),
  })(value, path);
  const history = dictationHistoryChars(document);
  if (history > MAX_DICTATION_DOCUMENT_CHARS) {
    throw new PayloadError(
      `${path}.additions`,
      `${history} characters of dictation history, at most ${MAX_DICTATION_DOCUMENT_CHARS}`,
    );
  }
  return document;
};

const wordAt = obj<WordAt>({
  index: num({ min: 0, max: 199_999, integer: true }),
  start: num({ min: 0 }),
  end: num({ min: 0 }),
});

/** One validator per operation type; the mapped type makes a type without one a compile error. */
const projectOpShapes: { [T in ProjectOp['type']]: Validator<Extract<ProjectOp, { type: T }>> } = {
  'add-files': obj({
    type: literal('add-files'),
    files: arr(
      obj({
        fileId: id,
        reference: optional(nullable(str({ max: 100_000 }))),
        set: optional(nullable(str({ max: 1024 }))),
        path: optional(nullable(str({ max: 4096 }))),
      }),
      { max: 10_000 },
    ),
  }),
  'remove-file': obj({ type: literal('remove-file'), fileId: id }),
  select: obj({ type: literal('select'), fileId: nullable(id) }),
  'edit-word': obj({ type: literal('edit-word'), fileId: id, word: wordAt, text: str({ max: 200 }) }),
  'cue-time': obj({ type: literal('cue-time'), fileId: id, word: wordAt, time: nullable(cueTime) }),
  dictation: obj({ type: literal('dictation'), document: dictationDocument }),
};

export const projectOp: Validator<ProjectOp> = (value, path) => {
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(projectOpShapes, type)) {
    throw new PayloadError(`${path}.type`, `expected one of ${Object.keys(projectOpShapes).join(', ')}`);
  }
  return projectOpShapes[type as ProjectOp['type']](value, path);
};

/** At most this many operations in one call (the page sends fewer: see renderer/src/state/autosave.ts). */
export const MAX_PROJECT_OPS = 1000;

const exportRequest: Validator<ExportRequest> = obj<ExportRequest>({
  // A bare file name: the host picks the folder (through a dialog), never the renderer.
  suggestedName: str({ min: 1, max: 255, pattern: /^[^/\\]+$/ }),
  format: literal('txt', 'json', 'srt', 'vtt', 'csv'),
  content: str({ max: 50_000_000 }),
});

/** "Export all": bare names (the host picks the folder), and at most 200 MB of text in all. */
const exportBundle: Validator<ExportBundle> = (value, path) => {
  const bundle = obj<ExportBundle>({
    files: arr(
      obj({
        // No leading dot: nothing hidden, and neither `.` nor `..`.
        name: str({ min: 1, max: 255, pattern: /^(?!\.)[^/\\:*?"<>|]+$/ }),
        content: str({ max: 50_000_000 }),
      }),
      { max: 20_000 },
    ),
  })(value, path);
  const total = bundle.files.reduce((n, f) => n + f.content.length, 0);
  if (total > 200_000_000) throw new PayloadError(`${path}.files`, `${total} characters in all, at most 2e8`);
  return bundle;
};

/** An enrollment prompt's index (the profile refuses one past its list). */
const enrollmentPrompt = num({ min: 0, max: 999, integer: true });

const dictationStart: Validator<DictationStartRequest> = obj<DictationStartRequest>({
  source: literal('native', 'stream', 'file'),
  deviceIndex: optional(num({ min: -1, max: 255, integer: true })),
  sampleRate: optional(num({ min: 8000, max: 192_000, integer: true })),
  fileId: optional(id),
  typeInto: optional(literal('studio', 'focused-app')),
  punctuate: optional(literal(true, false)),
  enrollPrompt: optional(enrollmentPrompt),
});

/** An absolute path from a drag and drop (POSIX or Windows), bounded in length. */
const absolutePath = str({ min: 1, max: 4096, pattern: /^(\/|[A-Za-z]:[\\/]|\\\\)/ });

/** An adapted model's name: a folder name that cannot leave the profile (adaptedModelDir's rule). */
const modelName = str({ min: 1, max: 64, pattern: ADAPTED_MODEL_NAME });

const adaptRequest: Validator<AdaptRequest> = obj<AdaptRequest>({
  name: modelName,
  epochs: optional(num({ min: 1, max: 50, integer: true })),
  layers: optional(literal('all', 'top', 'dense')),
  keepAnyway: optional(literal(true, false)),
});

/** A span of an opened file and its corrected text; the host checks the span against the file and the limits. */
const learningCorrection: Validator<LearningCorrection> = obj<LearningCorrection>({
  fileId: id,
  startSec: num({ min: 0, max: 86_400 }),
  endSec: num({ min: 0, max: 86_400 }),
  text: str({ min: 1, max: 2000 }),
});

/** One validator per invoke channel; the mapped type makes a missing channel a compile error. */
export const invokeValidators: { [C in InvokeChannel]: Validator<InvokeArgs<C>> } = {
  'studio:get-info': tuple(),
  'studio:get-text-insertion': tuple(),
  'studio:open-files': tuple(),
  'studio:add-paths': tuple(arr(absolutePath, { max: 1000 })),
  'studio:open-folder': tuple(),
  'studio:open-manifest': tuple(),
  'studio:transcribe': tuple(id),
  'studio:get-queue': tuple(),
  'studio:pause-queue': tuple(literal(true, false)),
  'studio:cancel': tuple(id),
  'studio:load-project': tuple(),
  'studio:update-project': tuple(arr(projectOp, { max: MAX_PROJECT_OPS })),
  'studio:save-export': tuple(exportRequest),
  'studio:save-exports': tuple(exportBundle),
  'studio:dictation-start': tuple(dictationStart),
  'studio:dictation-stop': tuple(),
  'studio:dictation-cancel': tuple(),
  'studio:open-external': tuple(str({ min: 1, max: 2048 })),
  'studio:get-voice-profile': tuple(),
  'studio:enroll-save': tuple(enrollmentPrompt),
  'studio:profile-add-correction': tuple(id, str({ min: 1, max: 10_000 })),
  'studio:adapt-start': tuple(adaptRequest),
  'studio:adapt-cancel': tuple(),
  'studio:select-model': tuple(nullable(modelName)),
  'studio:delete-model': tuple(modelName),
  // One word or phrase per entry; the host trims, de-duplicates and caps the count again.
  'studio:set-vocabulary': tuple(arr(str({ max: 100 }), { max: 5000 })),
  'studio:learning-get': tuple(),
  'studio:learning-set': tuple(literal(true, false)),
  'studio:learning-add': tuple(learningCorrection),
  'studio:learning-forget': tuple(),
  // Parsed as a redis:// URL by the host; anything else is refused there with the reason.
  'studio:set-run-target': tuple(nullable(str({ min: 1, max: 2048 }))),
};

/**
 * Audio samples as a microphone can deliver them: finite and within full scale. One NaN, infinity or
 * 1e30 in a frame would poison the engine's features and silently empty the rest of the transcript, so
 * NaN becomes silence and anything beyond ±1 is clipped to it (as the 16-bit recording clips it anyway).
 * Returns `samples` itself when it needs no change, else a corrected copy.
 */
export function finiteAudio(samples: Float32Array): Float32Array {
  let copy: Float32Array | null = null;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (x >= -1 && x <= 1) continue; // false for NaN too
    copy ??= Float32Array.from(samples);
    copy[i] = Number.isNaN(x) ? 0 : x > 0 ? 1 : -1;
  }
  return copy ?? samples;
}

const audioFrame = float32Array({ maxLength: 192_000 });

/** At most ~1 s of 192 kHz audio per frame (the worklet sends far smaller frames), made finite. */
export const dictationAudio: Validator<Float32Array> = (value, path) => finiteAudio(audioFrame(value, path));

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(invokeValidators, channel);
}

/** Validates the arguments of an invoke call; throws PayloadError. */
export function validateInvoke<C extends InvokeChannel>(channel: C, args: unknown): InvokeArgs<C> {
  return invokeValidators[channel](args, channel);
}
