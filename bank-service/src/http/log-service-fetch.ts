import { Agent, fetch as undiciFetch } from 'undici';

/**
 * A fetch for bank → log-service calls over HTTPS that trusts the given CA certificate(s) (PEM),
 * e.g. the self-signed pair of `make certs`. Verification stays on: only this CA is added.
 */
export function fetchTrustingCa(caPem: string | Buffer): (input: Request) => Promise<Response> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  return async (input: Request) => {
    const body = input.body === null ? undefined : Buffer.from(await input.arrayBuffer());
    const response = await undiciFetch(input.url, {
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
