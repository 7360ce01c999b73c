/**
 * The handlers of the `service` channels, built from the channel table: each calls the StudioService
 * method of the same name as the StudioApi method (VS Code's ProxyChannel idea). Electron main and the
 * bridge both serve these; a service channel whose method StudioService lacks (or types differently)
 * fails to compile where they are built.
 */
import { channelRows, type ServiceChannel, type ServiceMethod } from '../common/channels';
import type { InvokeHandlers, StudioApi } from '../common/ipc-contract';

/** What a host must offer for the service channels: the StudioApi methods, answered sync or async. */
export type ServiceMethods = {
  [M in ServiceMethod]: (
    ...args: Parameters<StudioApi[M]>
  ) => Awaited<ReturnType<StudioApi[M]>> | ReturnType<StudioApi[M]>;
};

export function serviceHandlers(service: ServiceMethods): InvokeHandlers<ServiceChannel> {
  return Object.fromEntries(
    channelRows('service').map(({ method, channel }) => [
      channel,
      (...args: unknown[]) => (service[method] as (...a: unknown[]) => unknown).apply(service, args),
    ]),
  ) as InvokeHandlers<ServiceChannel>;
}
