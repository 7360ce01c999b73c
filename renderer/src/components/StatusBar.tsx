/** Bottom bar: engine state, model, backend (GPU / native CPU / WebAssembly / JavaScript), microphone, host. */
import type { ConnectionState, EngineStatus, StudioInfo } from '../../../main/common/ipc-contract';

const KIND_LABEL = { gpu: 'GPU', 'native-cpu': 'Native CPU', wasm: 'WebAssembly', js: 'JavaScript' } as const;

const STATE_LABEL = {
  starting: 'Loading model…',
  ready: 'Ready',
  crashed: 'Restarting engine…',
  failed: 'Engine unavailable',
} as const;

const CONNECTION_LABEL = {
  lost: 'Server unreachable: reconnecting…',
  unauthorized: 'Server restarted: open its new link',
} as const;

interface StatusBarProps {
  info: StudioInfo | null;
  engine: EngineStatus | null;
  queueText: string | null;
  /** Browser mode: the server is unreachable, or restarted (this page's token is refused). */
  connection: ConnectionState;
  /** The host is dictating (started here, elsewhere, or before a reload): Stop is offered here too. */
  dictating: boolean;
  onStopDictation: () => void;
}

export function StatusBar({
  info,
  engine,
  queueText,
  connection,
  dictating,
  onStopDictation,
}: StatusBarProps) {
  const mic = info?.mic;
  const micText = !mic
    ? '—'
    : mic.source === 'native'
      ? `Native (${mic.devices.length} device${mic.devices.length === 1 ? '' : 's'})`
      : info?.mode === 'browser'
        ? 'Browser microphone'
        : 'System microphone (fallback)';
  return (
    <footer className="statusbar" role="status" aria-label="Status" data-testid="statusbar">
      {connection === 'ok' ? (
        <span className={`engine-state ${engine?.state ?? 'starting'}`} title={engine?.message ?? undefined}>
          <span className="status-dot" aria-hidden="true" />
          {STATE_LABEL[engine?.state ?? 'starting']}
        </span>
      ) : (
        // Not "Ready": nothing this page does reaches the server now.
        <span className="engine-state failed" data-testid="connection-state">
          <span className="status-dot" aria-hidden="true" />
          {CONNECTION_LABEL[connection]}
        </span>
      )}
      {dictating && (
        <span className="dictating">
          Dictating{' '}
          <button type="button" className="link-button" onClick={onStopDictation}>
            Stop dictation
          </button>
        </span>
      )}
      <span title="Acoustic model">
        <span className="muted">Model</span> {engine?.modelName ?? '—'}
      </span>
      <span title={engine?.backend?.label ?? undefined} data-testid="backend">
        <span className="muted">Backend</span> {engine?.backend ? KIND_LABEL[engine.backend.kind] : '—'}
      </span>
      <span title={mic?.nativeUnavailable ?? mic?.devices.map((d) => d.name).join(', ') ?? undefined}>
        <span className="muted">Microphone</span> {micText}
      </span>
      <span className="spacer" />
      {queueText && <span>{queueText}</span>}
      <span className="muted">
        {info ? `${info.mode === 'electron' ? 'Desktop' : 'Browser mode'} · v${info.version}` : ''}
      </span>
    </footer>
  );
}
