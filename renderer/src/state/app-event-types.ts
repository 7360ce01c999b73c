/**
 * Named app events: milestones the app announces on `window` as `studio:<name>` CustomEvents. They are
 * the app's observable contract for automation (the e2e page object waits on them instead of sleeping).
 * Types only, with no DOM reference, so Node-side test code can import them too.
 */
import type { Word } from '../../../main/common/transcript';

export interface AppEvents {
  /** The engine has loaded its model and accepts jobs. */
  'model-ready': { modelName: string | null; backend: string | null };
  /** A file's transcript is complete. */
  'transcript-final': { fileId: string; name: string; words: Word[] };
  /** A file could not be transcribed. */
  'transcript-failed': { fileId: string; name: string; code: string; message: string };
  /** The selected file's waveform is drawn and its word regions placed. */
  'waveform-ready': { fileId: string; duration: number; regions: number };
  /** The waveform's word labels were laid out for its zoom: how many fit (the others are hidden). */
  'waveform-labels': { fileId: string; pxPerSec: number; shown: number };
  /** The playback position was moved by the user (word click, arrow keys). */
  seeked: { time: number };
  /** The project was saved by the host. */
  'project-saved': { items: number };
  /**
   * What a previous page load did and the host never confirmed was replayed at load (`operations`, the
   * selection not counted), and the notice the user was shown (it dismisses itself, the event stays).
   */
  'edits-restored': { operations: number; message: string };
  /** Live dictation finished an utterance (after a pause); its text was added to the document. */
  'dictation-segment': { words: Word[]; text: string; displayText?: string };
  /** Dictation finished and its transcript is shown. */
  'dictation-final': { words: Word[]; text: string };
  /** An export was handed to the host (Electron) or the browser (download). */
  exported: { format: string; name: string };
  /** An enrollment prompt's recording was kept in the voice profile. */
  'enrollment-saved': { index: number; recordedSec: number };
  /** Speaker adaptation finished: held-back WER before/after, and whether a model was saved. */
  'adapt-done': {
    kept: 'adapted' | 'base';
    modelName: string | null;
    beforeWer: number;
    afterWer: number;
    utterances: number;
    seconds: number;
  };
  /** Speaker adaptation failed or was cancelled. */
  'adapt-failed': { code: string; message: string };
  /** A model was selected in the voice profile and the engine has loaded it (null: the base model). */
  'model-selected': { name: string | null };
}

export type AppEventName = keyof AppEvents;

/** Every event name, for recorders that must subscribe up front. */
export const APP_EVENT_NAMES = [
  'model-ready',
  'transcript-final',
  'transcript-failed',
  'waveform-ready',
  'waveform-labels',
  'seeked',
  'project-saved',
  'edits-restored',
  'dictation-segment',
  'dictation-final',
  'exported',
  'enrollment-saved',
  'adapt-done',
  'adapt-failed',
  'model-selected',
] as const satisfies readonly AppEventName[];
