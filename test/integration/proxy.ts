import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault to inject instead of forwarding: an AWS JSON error with its HTTP status. */
export interface Fault {
  status: number;
  type: string;
  message: string;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Requests seen, by X-Amz-Target operation (or the query Action). */
  readonly seen: Map<string, number>;
  fault: ((operation: string, body: string) => Fault | undefined) | undefined;
  /** Runs before a request is forwarded, e.g. to make another client's change land first. */
  before: ((operation: string, body: string) => Promise<void>) | undefined;
  /**
   * Operations forwarded one at a time, each waiting for the previous one's answer. moto does not
   * serialize conditional writes to one item as DynamoDB does, so a test that relies on DynamoDB's
   * guarantee (two workers racing for one counter item) serializes the writes here.
   */
  serial: ((operation: string) => boolean) | undefined;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of moto that can answer chosen requests with AWS errors
 * (throttling, AccessDenied…), so the real SDK's retry and error paths are exercised.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const state: FaultProxy = {
    endpoint: '',
    seen: new Map(),
    fault: undefined,
    before: undefined,
    serial: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  let tail: Promise<void> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation =
        target.split('.').pop() || (/Action=([A-Za-z]+)/.exec(body.toString())?.[1] ?? 'unknown');
      state.seen.set(operation, (state.seen.get(operation) ?? 0) + 1);
      if (state.before) await state.before(operation, body.toString()).catch(() => undefined);
      // Faults are written as AWS JSON errors, so only JSON-protocol calls (CloudTrail) get them.
      const fault = target ? state.fault?.(operation, body.toString()) : undefined;
      if (fault) {
        res.writeHead(fault.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': fault.type,
        });
        res.end(JSON.stringify({ __type: fault.type, message: fault.message }));
        return;
      }
      const send = () =>
        new Promise<void>((done) => {
          res.on('close', () => done());
          const forward = request(
            {
              hostname: upstream.hostname,
              port: upstream.port,
              path: req.url,
              method: req.method,
              headers: req.headers,
            },
            (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
            },
          );
          forward.on('error', () => {
            res.writeHead(502);
            res.end();
          });
          forward.end(body);
        });
      if (state.serial?.(operation)) {
        const run = tail.then(send);
        tail = run;
        await run;
      } else await send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(state, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return state;
}
