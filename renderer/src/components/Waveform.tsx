/**
 * The waveform of the selected file (wavesurfer.js 8) with one region per word, a timeline, zoom and, for
 * long files, an overview (the minimap plugin: the whole file, with the stretch in view marked; a click
 * there seeks). Word labels are shown only where they fit at the current zoom (state/waveform-labels.ts).
 * wavesurfer owns its DOM; React only creates it (once per file), feeds it words and the active word,
 * and receives time updates. The parent drives playback through the `PlayerHandle` it is given.
 */
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import WaveSurfer from 'wavesurfer.js';
import MinimapPlugin from 'wavesurfer.js/dist/plugins/minimap.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.js';
import type { EditOp } from '../../../main/common/scoring';
import type { Word } from '../../../main/common/transcript';
import { emitAppEvent } from '../state/app-events';
import { LOW_CONFIDENCE } from '../state/transcript-edits';
import { fittingLabels } from '../state/waveform-labels';

/** Files at least this long get the overview under the waveform. */
export const OVERVIEW_MIN_SEC = 30;

export interface PlayerHandle {
  playPause(): void;
  seek(time: number): void;
  isReady(): boolean;
}

interface WaveformProps {
  fileId: string;
  url: string;
  /** Words as displayed (edits applied). */
  words: readonly Word[];
  activeIndex: number;
  /** Evaluation: per word, the alignment error on it (substitution or insertion), marked on its region. */
  errors?: readonly (EditOp | null)[];
  onTime: (time: number) => void;
  onPlayingChange: (playing: boolean) => void;
  onWordClick: (index: number) => void;
  ref?: Ref<PlayerHandle>;
}

interface Colors {
  wave: string;
  progress: string;
  cursor: string;
  region: string;
  regionLow: string;
  regionActive: string;
  regionError: string;
}

function themeColors(element: HTMLElement): Colors {
  const css = getComputedStyle(element);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    wave: v('--wave'),
    progress: v('--wave-progress'),
    cursor: v('--accent'),
    region: v('--region'),
    regionLow: v('--region-low'),
    regionActive: v('--region-active'),
    regionError: v('--region-error') || 'rgba(198, 40, 40, 0.28)',
  };
}

/** Tick and label spacing so labels sit at least ~70 px apart at the current zoom. */
export function timelineSpacing(pxPerSec: number): { notch: number; label: number } {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  const label = steps.find((s) => s * pxPerSec >= 70) ?? 3600;
  const notch = steps.filter((s) => s < label && label % s < 1e-9 && s * pxPerSec >= 8).at(0) ?? label;
  return { notch, label };
}

function timeLabel(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const m = Math.floor(seconds / 60);
  return `${m}:${String(Math.round(seconds - m * 60)).padStart(2, '0')}`;
}

function regionColor(colors: Colors, word: Word, active: boolean, error?: EditOp | null): string {
  if (active) return colors.regionActive;
  if (error === 'sub' || error === 'ins') return colors.regionError;
  return word.confidence < LOW_CONFIDENCE ? colors.regionLow : colors.region;
}

function regionLabel(text: string, error?: EditOp | null): HTMLElement {
  const label = document.createElement('span');
  label.className = error && error !== 'match' ? `region-label error error-${error}` : 'region-label';
  label.textContent = text;
  // Shown or hidden inline (see layoutLabels): the region content's part styles set no display.
  label.style.display = 'none';
  return label;
}

/** The overview of the whole file (wavesurfer's minimap) in `container`, in these colours. */
function overviewPlugin(container: HTMLElement, colors: Colors) {
  return MinimapPlugin.create({
    container,
    height: 32,
    waveColor: colors.wave,
    progressColor: colors.progress,
    overlayColor: colors.region,
    cursorWidth: 1,
    cursorColor: colors.cursor,
    dragToSeek: true,
  });
}

/** Padding on both sides of a label (the region-content part's style). */
const LABEL_PADDING_PX = 6;

/** Width of each label's text in the labels' font, measured once per set of words. */
function labelWidths(host: HTMLElement, texts: readonly string[]): number[] {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return texts.map((t) => t.length * 8 + LABEL_PADDING_PX);
  context.font = `550 11px ${getComputedStyle(host).fontFamily}`;
  return texts.map((t) => Math.ceil(context.measureText(t).width) + LABEL_PADDING_PX);
}

export function Waveform({
  fileId,
  url,
  words,
  activeIndex,
  errors,
  onTime,
  onPlayingChange,
  onWordClick,
  ref,
}: WaveformProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const timelineRef = useRef<HTMLDivElement>(null);
  const overviewRef = useRef<HTMLDivElement>(null);
  const waveRef = useRef<WaveSurfer | null>(null);
  const regionsRef = useRef<ReturnType<typeof RegionsPlugin.create> | null>(null);
  const regionList = useRef<Region[]>([]);
  /** The word labels (one per region) and their widths, for `layoutLabels`. */
  const labels = useRef<{ elements: HTMLElement[]; widths: number[] }>({ elements: [], widths: [] });
  const colorsRef = useRef<Colors | null>(null);
  const [ready, setReady] = useState(false);
  const [zoom, setZoom] = useState(0);
  const [duration, setDuration] = useState(0);
  /** Why the audio cannot be played (the browser's words), shown here rather than "Loading audio…". */
  const [failure, setFailure] = useState<string | null>(null);
  // Callbacks change every render; wavesurfer's listeners read them through refs instead of re-subscribing.
  const callbacks = useRef({ onTime, onPlayingChange, onWordClick });
  useEffect(() => {
    callbacks.current = { onTime, onPlayingChange, onWordClick };
  });

  useImperativeHandle(
    ref,
    () => ({
      playPause: () => void waveRef.current?.playPause().catch(() => {}),
      seek: (time: number) => {
        const ws = waveRef.current;
        if (!ws) return;
        ws.setTime(time);
        hostRef.current?.setAttribute('data-current-time', time.toFixed(3));
        emitAppEvent('seeked', { time });
      },
      isReady: () => ready,
    }),
    [ready],
  );

  /** Shows the labels that fit at the current zoom and hides the rest (see state/waveform-labels.ts). */
  const layoutLabels = useRef(() => {});
  useEffect(() => {
    layoutLabels.current = () => {
      const ws = waveRef.current;
      const host = hostRef.current;
      const { elements, widths } = labels.current;
      if (!ws || !host || elements.length === 0) return;
      const seconds = ws.getDuration();
      const totalPx = ws.getWrapper().clientWidth;
      const pxPerSec = seconds > 0 ? totalPx / seconds : 0;
      const shown = fittingLabels(
        words.map((w) => w.start),
        widths,
        pxPerSec,
        totalPx,
      );
      let count = 0;
      shown.forEach((show, i) => {
        if (show) count++;
        const display = show ? 'inline-block' : 'none';
        if (elements[i] && elements[i].style.display !== display) elements[i].style.display = display;
      });
      host.setAttribute('data-labels', String(count));
      emitAppEvent('waveform-labels', { fileId, pxPerSec, shown: count });
    };
  });

  // One wavesurfer per file: created on mount, destroyed on unmount (the parent keys us by file id).
  useEffect(() => {
    const host = hostRef.current!;
    const colors = themeColors(host);
    colorsRef.current = colors;
    const regions = RegionsPlugin.create();
    // Created with the player and drawn from its decoded audio; shown for long files only.
    let overview = overviewPlugin(overviewRef.current!, colors);
    const ws = WaveSurfer.create({
      container: host,
      url,
      height: 128,
      waveColor: colors.wave,
      progressColor: colors.progress,
      cursorColor: colors.cursor,
      cursorWidth: 2,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      normalize: true,
      dragToSeek: true,
      plugins: [regions, overview],
    });
    waveRef.current = ws;
    regionsRef.current = regions;
    const unsubscribe = [
      ws.on('ready', (d) => {
        setDuration(d);
        setReady(true);
      }),
      ws.on('timeupdate', (time) => {
        host.setAttribute('data-current-time', time.toFixed(3));
        callbacks.current.onTime(time);
      }),
      ws.on('play', () => callbacks.current.onPlayingChange(true)),
      ws.on('pause', () => callbacks.current.onPlayingChange(false)),
      ws.on('error', (error) => setFailure(error.message)),
      // A new zoom or width gives the labels more or less room.
      ws.on('zoom', () => layoutLabels.current()),
      ws.on('resize', () => layoutLabels.current()),
      regions.on('region-clicked', (region, event) => {
        event.stopPropagation();
        const index = regionList.current.indexOf(region);
        if (index >= 0) callbacks.current.onWordClick(index);
      }),
    ];
    // Follow the system theme without recreating the player.
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onScheme = () => {
      const next = themeColors(host);
      colorsRef.current = next;
      ws.setOptions({ waveColor: next.wave, progressColor: next.progress, cursorColor: next.cursor });
      // The minimap takes its colours only when it is created: a new one, drawn from the same audio.
      ws.unregisterPlugin(overview);
      overview = ws.registerPlugin(overviewPlugin(overviewRef.current!, next));
    };
    media.addEventListener('change', onScheme);
    return () => {
      media.removeEventListener('change', onScheme);
      unsubscribe.forEach((off) => off());
      ws.destroy();
      waveRef.current = null;
      regionsRef.current = null;
      regionList.current = [];
    };
  }, [url]);

  // Word regions: rebuilt when the words change (new transcript or an edit), after the audio is ready.
  useEffect(() => {
    const regions = regionsRef.current;
    const colors = colorsRef.current;
    if (!ready || !regions || !colors) return;
    regions.clearRegions();
    const elements = words.map((word, i) => regionLabel(word.word, errors?.[i]));
    labels.current = {
      elements,
      widths: labelWidths(
        hostRef.current!,
        words.map((w) => w.word),
      ),
    };
    // Before the regions exist: the plugin stacks labels that overlap, and hidden ones take no room.
    layoutLabels.current();
    regionList.current = words.map((word, i) =>
      regions.addRegion({
        id: `word-${i}`,
        start: word.start,
        end: Math.max(word.end, word.start + 0.02),
        color: regionColor(colors, word, false, errors?.[i]),
        content: elements[i],
        drag: false,
        resize: false,
      }),
    );
    emitAppEvent('waveform-ready', { fileId, duration, regions: words.length });
  }, [words, errors, ready, fileId, duration]);

  // Highlight the active word's region (only the two that change, not all of them).
  const previousActive = useRef(-1);
  useEffect(() => {
    const colors = colorsRef.current;
    if (!colors) return;
    const list = regionList.current;
    const prev = previousActive.current;
    if (prev >= 0 && prev < list.length && words[prev])
      list[prev].setOptions({ color: regionColor(colors, words[prev], false, errors?.[prev]) });
    if (activeIndex >= 0 && activeIndex < list.length)
      list[activeIndex].setOptions({ color: regionColor(colors, words[activeIndex], true) });
    previousActive.current = activeIndex;
  }, [activeIndex, words, errors, ready]);

  // Zoom, and a timeline whose labels suit it (wavesurfer's defaults label only every 10 s).
  useEffect(() => {
    const ws = waveRef.current;
    if (!ready || !ws || duration <= 0) return;
    ws.zoom(zoom);
    const pxPerSec = Math.max(zoom, ws.getWidth() / duration);
    const { notch, label } = timelineSpacing(pxPerSec);
    const timeline = ws.registerPlugin(
      TimelinePlugin.create({
        container: timelineRef.current!,
        height: 18,
        timeInterval: notch,
        primaryLabelInterval: label,
        secondaryLabelInterval: label,
        formatTimeCallback: timeLabel,
      }),
    );
    return () => ws.unregisterPlugin(timeline);
  }, [zoom, ready, duration]);

  return (
    <section className="waveform-panel" aria-label="Waveform">
      <div
        ref={hostRef}
        className="waveform"
        data-testid="waveform"
        data-ready={ready ? 'true' : 'false'}
        data-current-time="0"
      />
      <div ref={timelineRef} className="timeline" />
      <div
        ref={overviewRef}
        className="overview"
        data-testid="waveform-overview"
        aria-label="Overview of the whole file (click to seek)"
        hidden={!ready || duration < OVERVIEW_MIN_SEC}
      />
      <div className="waveform-tools">
        <label className="zoom">
          <span>Zoom</span>
          <input
            type="range"
            min={0}
            max={500}
            step={10}
            value={zoom}
            disabled={!ready}
            onChange={(e) => setZoom(Number(e.target.value))}
            aria-label="Zoom (pixels per second)"
          />
        </label>
        {failure ? (
          <span className="waveform-error" role="alert" data-testid="waveform-error" title={failure}>
            The audio could not be loaded for playback.
          </span>
        ) : (
          !ready && <span className="muted">Loading audio…</span>
        )}
      </div>
    </section>
  );
}
