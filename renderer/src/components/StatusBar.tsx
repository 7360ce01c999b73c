/** Bottom bar: engine state, model, backend (GPU / native CPU / WebAssembly / JavaScript), microphone, host. */
import type { EngineStatus, StudioInfo } from '../../../main/common/ipc-contract';

const KIND_LABEL = { gpu: 'GPU', 'native-cpu': 'Native CPU', wasm: 'WebAssembly', js: 'JavaScript' } as const;

const STATE_LABEL = {
  starting: 'Loading model…',
  ready: 'Ready',
  crashed: 'Restarting engine…',
  failed: 'Engine unavailable',
} as const;

interface StatusBarProps {
  info: StudioInfo | null;
  engine: EngineStatus | null;
  queueText: string | null;
}

export function StatusBar({ info, engine, queueText }: StatusBarProps) {
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
      <span className={`engine-state ${engine?.state ?? 'starting'}`} title={engine?.message ?? undefined}>
        <span className="status-dot" aria-hidden="true" />
        {STATE_LABEL[engine?.state ?? 'starting']}
      </span>
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
