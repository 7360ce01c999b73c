/**
 * The dictation overlay (Electron's always-on-top strip, `#overlay`): while the user dictates into another
 * application it shows the input level, the words being heard and Stop. It only listens: the host types
 * the finals into the application that has focus.
 */
import { useEffect, useState } from 'react';
import type { StudioApi } from '../../../main/common/ipc-contract';
import { LevelMeter } from './LevelMeter';
import '../overlay.css';

/** The end of what was heard: the newest words matter in a one-line strip. */
const lastWords = (text: string, max = 64) =>
  text.length > max ? `…${text.slice(-max).replace(/^\S*\s/, '')}` : text;

export function Overlay({ client }: { client: StudioApi }) {
  const [active, setActive] = useState(false);
  const [level, setLevel] = useState(0);
  const [heard, setHeard] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(
    () =>
      client.onEvent((event) => {
        switch (event.type) {
          case 'dictation-started':
            setActive(true);
            setProblem(null);
            setHeard('');
            break;
          case 'mic-level':
            setLevel(event.level);
            break;
          case 'dictation-partial':
            setHeard(event.words.join(' '));
            break;
          case 'dictation-final':
            setHeard(event.text);
            break;
          case 'dictation-error':
            setProblem(event.error.message);
            break;
          case 'dictation-ended':
            setActive(false);
            setLevel(0);
            break;
        }
      }),
    [client],
  );

  return (
    <div className="overlay" aria-live="polite">
      <LevelMeter level={level} active={active} />
      <p className={problem ? 'overlay-text overlay-problem' : 'overlay-text'} title={problem ?? heard}>
        {problem ?? (lastWords(heard) || (active ? 'Listening…' : 'Not dictating'))}
      </p>
      <button type="button" onClick={() => void client.stopDictation().catch(() => {})} disabled={!active}>
        Stop
      </button>
    </div>
  );
}
