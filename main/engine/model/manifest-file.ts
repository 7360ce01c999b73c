/** The manifest's file name in a model folder (its own module so that callers need not load the front end). */
export const MANIFEST_FILE = 'manifest.json';
