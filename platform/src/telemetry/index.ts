export * from './metrics.ts';
export * from './instrumented-bus.ts';
export * from './request-telemetry.ts';
export * from './trace-context.ts';
