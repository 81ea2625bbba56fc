import type { Agent, fetch as undiciFetch } from 'undici';

/**
 * A fetch for bank → log-service calls over HTTPS that trusts the given CA certificate(s) (PEM),
 * e.g. the self-signed pair of `make certs`. Verification stays on: only this CA is added.
 * undici (≈ 20 MiB of memory) is loaded on the first call, so a service without LOG_SERVICE_CA
 * never loads it.
 */
export function fetchTrustingCa(caPem: string | Buffer): (input: Request) => Promise<Response> {
  let client: Promise<{ dispatcher: Agent; fetch: typeof undiciFetch }> | undefined;
  return async (input: Request) => {
    client ??= import('undici').then(({ Agent: UndiciAgent, fetch }) => ({ dispatcher: new UndiciAgent({ connect: { ca: caPem } }), fetch }));
    const { dispatcher, fetch } = await client;
    const body = input.body === null ? undefined : Buffer.from(await input.arrayBuffer());
    const response = await fetch(input.url, {
      method: input.method,
      headers: [...input.headers.entries()],
      body,
      signal: input.signal,
      dispatcher,
    });
    // undici's Response implements the same WHATWG interface as the global one.
    return response as unknown as Response;
  };
}
