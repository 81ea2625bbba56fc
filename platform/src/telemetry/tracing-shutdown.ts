/** Where register.ts leaves the SDK's shutdown, for runAsProcess to flush the buffered spans before exiting. */
const SHUTDOWN = Symbol.for('@bank/platform/telemetry/shutdown');

type Holder = { [SHUTDOWN]?: () => Promise<void> };

export function onTracingShutdown(shutdown: () => Promise<void>): void {
  (globalThis as Holder)[SHUTDOWN] = shutdown;
}

/** Export what the tracing SDK still buffers (no-op when tracing is off); never throws. */
export async function flushTracing(): Promise<void> {
  await (globalThis as Holder)[SHUTDOWN]?.().catch(() => undefined);
}
