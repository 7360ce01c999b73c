/**
 * The word-timed transcript, in paragraphs of segments (sentences, or the words between pauses); each
 * segment starts with its time, which seeks there when clicked. The words are text (spans between real
 * spaces), so the transcript can be drag-selected and copied like any text; a copy of several words gives
 * them as the TXT export writes them (emptied words left out, paragraphs apart).
 * Each word is a button (roving tabindex): click or Enter seeks to it;
 * double-click, F2 or typing starts an in-place correction (Enter/blur saves, Escape cancels). Words
 * the model was unsure of are underlined; corrected words are marked. Arrow keys (handled by the app)
 * move between words. Right-click, Alt+↓, Shift+F10 or the context-menu key opens a correction menu
 * with the decoder's alternatives for the word (one click applies one), the original word when it was
 * corrected, and "Edit…"; ↑/↓ move in the menu, Escape closes it.
 */
import {
  Fragment,
  memo,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ClipboardEvent,
  type KeyboardEvent,
} from 'react';
import { paragraphsOf, paragraphText } from '../../../main/common/segments';
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
  /** The word whose correction menu is open, and where the menu sits (inside the transcript box). */
  const [menu, setMenu] = useState<{ index: number; left: number; top: number } | null>(null);
  const buttons = useRef<(HTMLSpanElement | null)[]>([]);
  const container = useRef<HTMLDivElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  // Another transcript (another file) closes the menu. Keyed by content, not identity: the app may hand
  // over an equal copy of the same words at any time (a project reload, a save round trip).
  const wordsKey = `${words.length}:${words[0]?.start}:${words.at(-1)?.end}`;
  useEffect(() => setMenu(null), [wordsKey]);

  // Segments and paragraphs of the words as shown: a full stop typed in a correction ends a sentence.
  const shown = useMemo(
    () => words.map((w, i) => ({ ...w, word: displayWord(words, edits, i) })),
    [words, edits],
  );
  const paragraphs = useMemo(() => paragraphsOf(shown), [shown]);

  // Focus the first item when the menu opens, so the keyboard is in it at once.
  useEffect(() => {
    if (menu) menuRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [menu]);

  // Keep the selected word focused when it moves by keyboard (and the focus is already in the editor).
  useEffect(() => {
    if (editing || selectedIndex < 0) return;
    const button = buttons.current[selectedIndex];
    const focus = document.activeElement;
    // (Not while the correction menu has the focus: opening it selects its word.)
    if (button && container.current?.contains(focus) && focus !== button && !menuRef.current?.contains(focus))
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

  const openMenu = (index: number) => {
    const button = buttons.current[index];
    const box = container.current;
    if (!button || !box) return;
    onSelect(index);
    const b = button.getBoundingClientRect();
    const c = box.getBoundingClientRect();
    setMenu({ index, left: b.left - c.left + box.scrollLeft, top: b.bottom - c.top + box.scrollTop + 2 });
  };

  const closeMenu = (refocus: boolean) => {
    const index = menu?.index ?? -1;
    setMenu(null);
    if (refocus) requestAnimationFrame(() => buttons.current[index]?.focus());
  };

  const pick = (index: number, text: string) => {
    onEdit(index, text);
    closeMenu(true);
  };

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    // The menu owns the keyboard while open: the app's Space / ←/→ shortcuts must not fire.
    event.stopPropagation();
    const items = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(items.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      closeMenu(true);
    } else if (event.key === 'Tab') {
      event.preventDefault();
      closeMenu(true);
    }
  };

  // A copy of several words: the words as the TXT export writes them, not the struck-out originals of
  // emptied words. (A part of one word is copied as the browser has it.)
  const onCopy = (event: ClipboardEvent<HTMLDivElement>) => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const picked = new Set<number>();
    buttons.current.forEach((el, i) => {
      if (el && selection.containsNode(el, true)) picked.add(i);
    });
    if (picked.size < 2) return;
    const kept = shown.map((w, i) => (picked.has(i) ? w : { ...w, word: '' }));
    event.clipboardData.setData('text/plain', paragraphText(kept, paragraphs));
    event.preventDefault();
  };

  const onWordKey = (event: KeyboardEvent<HTMLSpanElement>, index: number) => {
    if (event.key === 'Enter' && !event.altKey) {
      // A span, not a <button>: Enter does not click it by itself.
      event.preventDefault();
      onSelect(index);
    } else if (
      (event.key === 'ArrowDown' && event.altKey) ||
      (event.key === 'F10' && event.shiftKey) ||
      event.key === 'ContextMenu'
    ) {
      event.preventDefault();
      event.stopPropagation();
      openMenu(index);
    } else if (event.key === 'F2' || (event.key === 'Enter' && event.altKey)) {
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

  const menuWord = menu && menu.index < words.length ? words[menu.index] : null;
  const menuShown = menuWord ? displayWord(words, edits, menu!.index) : '';
  const menuItems = menuWord
    ? [
        ...(menuShown !== menuWord.word ? [{ text: menuWord.word, note: 'original' }] : []),
        ...(menuWord.alternatives ?? [])
          .filter((a) => a.word !== menuShown)
          .map((a) => ({ text: a.word, note: `${Math.round(a.confidence * 100)}%` })),
      ]
    : [];

  const renderWord = (i: number) => {
    const word = words[i];
    const text = shown[i].word;
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
    const alternatives = word.alternatives?.length ?? 0;
    const classes = [
      'word',
      low && 'low',
      edited && 'edited',
      i === activeIndex && 'active',
      i === selectedIndex && 'selected',
    ];
    return (
      <span
        key={i}
        role="button"
        ref={(el) => {
          buttons.current[i] = el;
        }}
        className={classes.filter(Boolean).join(' ')}
        tabIndex={i === (selectedIndex >= 0 ? selectedIndex : 0) ? 0 : -1}
        data-index={i}
        data-start={word.start.toFixed(3)}
        data-end={word.end.toFixed(3)}
        aria-current={i === activeIndex ? 'true' : undefined}
        aria-haspopup="menu"
        aria-expanded={menu?.index === i}
        title={`${formatClock(word.start)}–${formatClock(word.end)} · confidence ${Math.round(word.confidence * 100)}%${
          low ? ' (low: please check)' : ''
        }${edited ? ` · was "${word.word}"` : ''}${
          alternatives
            ? ` · ${alternatives} alternative${alternatives > 1 ? 's' : ''} (right-click or Alt+↓)`
            : ''
        }`}
        onClick={() => {
          // The end of a drag-selection over the word is not a click on it.
          if (window.getSelection()?.isCollapsed !== false) onSelect(i);
        }}
        onContextMenu={(e) => {
          e.preventDefault();
          openMenu(i);
        }}
        onDoubleClick={() => startEdit(i)}
        onKeyDown={(e) => onWordKey(e, i)}
      >
        {text || <span className="deleted">{word.word}</span>}
      </span>
    );
  };

  return (
    <div
      className="transcript"
      data-testid="transcript"
      ref={container}
      role="group"
      aria-label="Transcript"
      onCopy={onCopy}
    >
      {menu && menuWord && (
        <div
          ref={menuRef}
          className="word-menu"
          role="menu"
          aria-label={`Corrections for "${menuShown}"`}
          data-testid="word-menu"
          style={{ left: menu.left, top: menu.top }}
          onKeyDown={onMenuKey}
          onBlur={(e) => {
            // Focus left the menu (a click elsewhere): close it without pulling the focus back.
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) closeMenu(false);
          }}
        >
          {menuItems.length === 0 && (
            <p className="word-menu-empty muted" role="none">
              No alternatives for this word
            </p>
          )}
          {menuItems.map((item) => (
            <button
              key={item.text}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="word-menu-item"
              onClick={() => pick(menu.index, item.text)}
            >
              <span>{item.text}</span>
              <span className="word-menu-note">{item.note}</span>
            </button>
          ))}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="word-menu-item word-menu-edit"
            onClick={() => {
              const index = menu.index;
              setMenu(null);
              startEdit(index);
            }}
          >
            <span>Edit…</span>
            <span className="word-menu-note">F2</span>
          </button>
        </div>
      )}
      {paragraphs.map((paragraph) => (
        <p className="paragraph" key={paragraph.segments[0].firstWord}>
          {paragraph.segments.map((segment) => (
            <span className="segment" key={segment.firstWord}>
              {/* The time is drawn by CSS from data-time, so selecting and copying the text leaves it out. */}
              <button
                type="button"
                className="segment-time"
                tabIndex={-1}
                data-time={formatClock(segment.start)}
                data-start={segment.start.toFixed(3)}
                aria-label={`Play from ${formatClock(segment.start)}`}
                title={`Play from ${formatClock(segment.start)}`}
                onClick={() => onSelect(segment.firstWord)}
              />
              {Array.from({ length: segment.wordCount }, (_, k) => (
                <Fragment key={segment.firstWord + k}>
                  {k > 0 && ' '}
                  {renderWord(segment.firstWord + k)}
                </Fragment>
              ))}{' '}
            </span>
          ))}
        </p>
      ))}
    </div>
  );
});
