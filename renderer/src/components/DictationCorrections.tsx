/**
 * After a dictation: its sentences (the finals, as recognised), each correctable. A corrected sentence
 * teaches the recogniser: the host keeps that stretch of the session's recording with the corrected
 * text in the voice profile ("Learn from my corrections"). The document above stays the user's own
 * text; this list is tied to the recording, so the audio of each sentence is known exactly.
 */
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import type { DictationResult, StudioApi } from '../../../main/common/ipc-contract';

interface Sentence {
  segment: number;
  text: string;
  startSec: number;
  endSec: number;
}

type SentenceState = 'kept' | 'off' | { error: string };

/** The latest session's sentences and what the user has done with them. */
export interface DictationSentences {
  sentences: Sentence[];
  drafts: Record<number, string>;
  setDrafts: Dispatch<SetStateAction<Record<number, string>>>;
  states: Record<number, SentenceState>;
  setStates: Dispatch<SetStateAction<Record<number, SentenceState>>>;
}

/**
 * Follows the sessions' finals (a new session starts a new list). Called by the App, which outlives the
 * views: switching to Files and back keeps the list and half-typed corrections.
 */
export function useDictationSentences(client: StudioApi): DictationSentences {
  const [sentences, setSentences] = useState<Sentence[]>([]);
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const [states, setStates] = useState<Record<number, SentenceState>>({});
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type === 'dictation-started') {
          setSentences([]);
          setDrafts({});
          setStates({});
        } else if (event.type === 'dictation-final' && event.text.trim() !== '') {
          const { segment, startSec, endSec } = event;
          setSentences((list) => [
            ...list,
            { segment, text: event.displayText ?? event.text, startSec, endSec },
          ]);
        }
      }),
    [client],
  );
  return { sentences, drafts, setDrafts, states, setStates };
}

export function DictationCorrections({
  client,
  result,
  list,
}: {
  client: StudioApi;
  result: DictationResult | null;
  list: DictationSentences;
}) {
  const { sentences, drafts, setDrafts, states, setStates } = list;

  if (!result || sentences.length === 0) return null;

  const correct = async (sentence: Sentence) => {
    const text = (drafts[sentence.segment] ?? sentence.text).trim();
    try {
      const status = await client.learnFromCorrection({
        fileId: result.file.id,
        startSec: sentence.startSec,
        endSec: sentence.endSec,
        text,
      });
      setStates((s) => ({ ...s, [sentence.segment]: status.enabled ? 'kept' : 'off' }));
    } catch (e) {
      setStates((s) => ({ ...s, [sentence.segment]: { error: (e as Error).message } }));
    }
  };

  return (
    <div className="dictation-corrections" data-testid="dictation-corrections">
      <p className="muted">
        Correct a sentence as it should have been recognised: the recogniser learns from your corrections
        (Voice profile → Learning from corrections).
      </p>
      <ol className="vp-list">
        {sentences.map((sentence) => {
          const draft = drafts[sentence.segment] ?? sentence.text;
          const state = states[sentence.segment];
          return (
            <li
              key={sentence.segment}
              data-testid="dictation-sentence"
              data-state={typeof state === 'string' ? state : state ? 'error' : 'open'}
            >
              <input
                aria-label={`Sentence ${sentence.segment + 1}`}
                value={draft}
                maxLength={2000}
                onChange={(e) => setDrafts((d) => ({ ...d, [sentence.segment]: e.target.value }))}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && draft.trim() !== sentence.text.trim()) void correct(sentence);
                }}
              />
              <button
                type="button"
                className="secondary"
                onClick={() => void correct(sentence)}
                disabled={draft.trim() === '' || draft.trim() === sentence.text.trim()}
              >
                Correct
              </button>
              {state === 'kept' && <span className="muted">Kept for learning</span>}
              {state === 'off' && <span className="muted">Learning from corrections is off</span>}
              {typeof state === 'object' && (
                <span className="notice error" role="alert">
                  {state.error}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
