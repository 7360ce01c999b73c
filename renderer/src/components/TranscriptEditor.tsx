/**
 * The word-timed transcript. Each word is a button (roving tabindex): click or Enter seeks to it;
 * double-click, F2 or typing starts an in-place correction (Enter/blur saves, Escape cancels). Words
 * the model was unsure of are underlined; corrected words are marked. Arrow keys (handled by the app)
 * move between words.
 */
import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Word } from '../../../main/common/transcript';
import { displayWord, formatClock, LOW_CONFIDENCE, type Edits } from '../state/transcript-edits';

interface TranscriptEditorProps {
  words: readonly Word[];
  edits: Edits;
  /** The word under the playhead. */
  activeIndex: number;
  /** The word with keyboard focus / last clicked. */
  selectedIndex: number;
  onSelect: (index: number) => void;
  onEdit: (index: number, text: string) => void;
}

/** Memoised: the app re-renders on every playback tick, the transcript only when its props change. */
export const TranscriptEditor = memo(function TranscriptEditor({
  words,
  edits,
  activeIndex,
  selectedIndex,
  onSelect,
  onEdit,
}: TranscriptEditorProps) {
  const [editing, setEditing] = useState<{ index: number; text: string } | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const container = useRef<HTMLDivElement>(null);

  // Keep the selected word focused when it moves by keyboard (and the focus is already in the editor).
  useEffect(() => {
    if (editing || selectedIndex < 0) return;
    const button = buttons.current[selectedIndex];
    if (button && container.current?.contains(document.activeElement) && document.activeElement !== button)
      button.focus();
    button?.scrollIntoView({ block: 'nearest' });
  }, [selectedIndex, editing]);

  const startEdit = (index: number, initial?: string) => {
    onSelect(index);
    setEditing({ index, text: initial ?? displayWord(words, edits, index) });
  };

  const commit = () => {
    if (!editing) return;
    onEdit(editing.index, editing.text.trim());
    const index = editing.index;
    setEditing(null);
    requestAnimationFrame(() => buttons.current[index]?.focus());
  };

  const cancel = () => {
    const index = editing?.index ?? -1;
    setEditing(null);
    requestAnimationFrame(() => buttons.current[index]?.focus());
  };

  const onWordKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    if (event.key === 'F2' || (event.key === 'Enter' && event.altKey)) {
      event.preventDefault();
      startEdit(index);
    } else if (
      event.key.length === 1 &&
      /\S/.test(event.key) &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.altKey
    ) {
      // Typing over a word replaces it, as in a text editor.
      event.preventDefault();
      startEdit(index, event.key);
    }
  };

  if (words.length === 0) {
    return (
      <div className="transcript empty-transcript" data-testid="transcript">
        <p className="muted">No words were recognised in this file.</p>
      </div>
    );
  }

  return (
    <div className="transcript" data-testid="transcript" ref={container} role="group" aria-label="Transcript">
      {words.map((word, i) => {
        const text = displayWord(words, edits, i);
        const edited = Object.hasOwn(edits, String(i));
        const low = word.confidence < LOW_CONFIDENCE;
        if (editing?.index === i) {
          return (
            <input
              key={i}
              className="word-input"
              aria-label={`Correct word ${i + 1}`}
              autoFocus
              value={editing.text}
              size={Math.max(2, editing.text.length + 1)}
              onChange={(e) => setEditing({ index: i, text: e.target.value })}
              onBlur={commit}
              onKeyDown={(e) => {
                e.stopPropagation();
                if (e.key === 'Enter') {
                  e.preventDefault();
                  commit();
                } else if (e.key === 'Escape') {
                  e.preventDefault();
                  cancel();
                }
              }}
            />
          );
        }
        const classes = [
          'word',
          low && 'low',
          edited && 'edited',
          i === activeIndex && 'active',
          i === selectedIndex && 'selected',
        ];
        return (
          <button
            key={i}
            type="button"
            ref={(el) => {
              buttons.current[i] = el;
            }}
            className={classes.filter(Boolean).join(' ')}
            tabIndex={i === (selectedIndex >= 0 ? selectedIndex : 0) ? 0 : -1}
            data-index={i}
            data-start={word.start.toFixed(3)}
            data-end={word.end.toFixed(3)}
            aria-current={i === activeIndex ? 'true' : undefined}
            title={`${formatClock(word.start)}–${formatClock(word.end)} · confidence ${Math.round(word.confidence * 100)}%${
              low ? ' (low: please check)' : ''
            }${edited ? ` · was "${word.word}"` : ''}`}
            onClick={() => onSelect(i)}
            onDoubleClick={() => startEdit(i)}
            onKeyDown={(e) => onWordKey(e, i)}
          >
            {text || <span className="deleted">{word.word}</span>}
          </button>
        );
      })}
    </div>
  );
});
