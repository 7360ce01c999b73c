/**
 * The beam decoder's settings that name a file beside the manifest. Its own module, importing nothing, so
 * that the job fingerprint in the Electron main process can list them without bundling the engine.
 */
export const DECODER_FILE_KEYS = [
  'lmFile',
  'lexiconFile',
  'pronunciationsFile',
  'letterToSoundFile',
] as const;
