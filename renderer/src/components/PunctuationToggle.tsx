/** The "Punctuation and capitals" switch shown under transcripts and in the dictation view. */
import { usePunctuationSetting } from '../state/punctuation-setting';

export function PunctuationToggle() {
  const [on, setOn] = usePunctuationSetting();
  return (
    <label
      className="punctuation-toggle"
      title="Full stops, commas, question marks and capitals from the punctuation model (words and times are unchanged)"
    >
      <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} /> Punctuation and
      capitals
    </label>
  );
}
