/**
 * The user's vocabulary: names and jargon the decoder should favour. One word or phrase per line, typed or
 * loaded from a text file; saved in the voice profile and applied to every transcription and dictation.
 * Words outside the vocabulary stay possible — boosting only tips close calls.
 */
import { useState, type Dispatch, type SetStateAction } from 'react';
import type { StudioApi, VoiceProfile } from '../../../main/common/ipc-contract';
import { parseBoostList as parseVocabulary } from '../../../main/common/boost-list';

interface VocabularyEditorProps {
  client: StudioApi;
  profile: VoiceProfile | null;
  onSaved: (profile: VoiceProfile) => void;
  /**
   * The user's unsaved text; null shows the saved vocabulary (and follows it when the profile loads). Kept
   * by the app, so that switching views does not lose it.
   */
  draft: string | null;
  setDraft: Dispatch<SetStateAction<string | null>>;
}

export function VocabularyEditor({ client, profile, onSaved, draft, setDraft }: VocabularyEditorProps) {
  const saved = profile?.vocabulary ?? [];
  const savedText = saved.join('\n');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const text = draft ?? savedText;

  const save = async () => {
    setError(null);
    try {
      const next = await client.setVocabulary(parseVocabulary(text));
      onSaved(next);
      setDraft(null);
      setStatus(`Saved: ${next.vocabulary.length} ${next.vocabulary.length === 1 ? 'entry' : 'entries'}.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const load = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 1_000_000) {
      setError(`${file.name} is larger than 1 MB; a vocabulary is a list of words and phrases.`);
      return;
    }
    const loaded = parseVocabulary(await file.text());
    setDraft([...parseVocabulary(text), ...loaded].join('\n'));
    setStatus(`Added ${loaded.length} entries from ${file.name} — press Save to use them.`);
  };

  const changed = parseVocabulary(text).join('\n') !== savedText;
  return (
    <div className="vp-section" data-testid="vocabulary">
      <h2>Vocabulary</h2>
      <p className="muted">
        Names, jargon and phrases to favour, one per line. Other words stay possible. Applies to files and
        dictation with the language-model decoder.
      </p>
      <textarea
        className="vocabulary-text"
        aria-label="Vocabulary"
        rows={6}
        value={text}
        onChange={(e) => {
          setDraft(e.target.value);
          setStatus(null);
        }}
        placeholder={'Kowalski\nEEG\ntensor processing unit'}
      />
      <div className="dictation-actions">
        <button type="button" className="secondary" onClick={() => void save()} disabled={!changed}>
          Save vocabulary
        </button>
        <label className="secondary file-button">
          Load from file…
          <input
            type="file"
            accept=".txt,text/plain"
            hidden
            onChange={(e) => {
              void load(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </label>
        <span className="muted" role="status" data-testid="vocabulary-status">
          {status ?? `${saved.length} saved`}
        </span>
      </div>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
