/**
 * The HTTPS listener: reads each request, applies injected faults around the pipeline and records what happened.
 */
import { readFileSync } from 'fs';
import { IncomingMessage, ServerResponse } from 'http';
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';
import { operationOf, throttled } from './capacity';
import { EmulatorContext } from './context';
import { ActiveFault, FaultQueue, faultResponse } from './faults';
import { callerName, Caller, EmulatorResponse, ParsedRequest } from './http';
import { PrincipalDirectory, processRequest } from './pipeline';
import { RecordedRequest } from './types';

export const TLS_DIR = path.join(__dirname, 'tls');
export const CA_FILE = path.join(TLS_DIR, 'cert.pem');

export interface ServerDeps {
  readonly emulator: EmulatorContext;
  readonly principals: PrincipalDirectory;
  readonly faults: FaultQueue;
  readonly requests: RecordedRequest[];
  /** Counts the emulator's resets: a request still in flight across a reset is dropped, neither applied nor recorded. */
  readonly epoch?: { value: number };
}

/** Listen on 127.0.0.1 with an ephemeral port; resolves with the port. */
export async function startServer(deps: ServerDeps): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { cert: readFileSync(CA_FILE), key: readFileSync(path.join(TLS_DIR, 'key.pem')) },
    (req, res) => {
      handle(deps, req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await readRequest(req);
  const epoch = deps.epoch?.value;
  // A request of an earlier test (its answer delayed by a fault) must not change or log the state of the next one.
  const stale = (): boolean => {
    if (deps.epoch?.value === epoch) return false;
    res.destroy();
    return true;
  };
  const fault = deps.faults.take(request.method, request.path, request.bodyText);
  const phase = fault?.spec.phase ?? 'before';
  const record = (status: number, responseBody: string, caller?: Caller): void => {
    deps.requests.push(recordOf(request, status, responseBody, caller, fault));
  };

  if (fault && phase === 'before') {
    await sleep(fault.spec.delayMs);
    if (stale()) return;
    if (fault.spec.drop) {
      record(0, '');
      res.destroy();
      return;
    }
    if (fault.spec.status !== undefined) {
      const response = faultResponse(fault.spec.status, fault.spec.body);
      record(response.status, response.body);
      send(res, response);
      return;
    }
  }

  // What the domain can take (capacity.ts): load shed with 429, register tasks per node, and the time the operation takes.
  const { capacity } = deps.emulator;
  const operation = operationOf(request.method, request.path);
  if (!capacity.admit()) {
    const response = throttled();
    record(response.status, response.body);
    send(res, response);
    return;
  }
  res.once('close', () => capacity.done());
  const registering = operation === 'model.register';
  if (registering) capacity.startRegister(request);
  let outcome: ReturnType<typeof processRequest>;
  try {
    await sleep(capacity.latencyOf(operation));
    if (stale()) return;
    // Processing is synchronous, so a request is either fully applied or not at all when a fault cuts it off.
    outcome = processRequest(deps.emulator, deps.principals, request, new Date());
  } finally {
    if (registering) capacity.endRegister(request);
  }
  let response = outcome.response;
  if (fault && phase === 'after') {
    await sleep(fault.spec.delayMs);
    if (stale()) return;
    if (fault.spec.drop) {
      record(0, '', outcome.caller);
      res.destroy();
      return;
    }
    if (fault.spec.status !== undefined) response = faultResponse(fault.spec.status, fault.spec.body);
  }
  record(response.status, response.body, outcome.caller);
  send(res, response);
}

async function readRequest(req: IncomingMessage): Promise<ParsedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
  const headers: Record<string, string> = {};
  const signingHeaders: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    headers[name] = values.join(', ');
    signingHeaders[name] = values.join(',');
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path: queryAt < 0 ? url : url.slice(0, queryAt),
    query,
    params: new URLSearchParams(query),
    headers,
    signingHeaders,
    body,
    bodyText: body.toString('utf8'),
  };
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

function recordOf(
  request: ParsedRequest,
  status: number,
  responseBody: string,
  caller: Caller | undefined,
  fault: ActiveFault | undefined,
): RecordedRequest {
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    headers: { ...request.headers },
    body: request.bodyText,
    status,
    responseBody,
    ...(caller ? { principal: callerName(caller) } : {}),
    ...(fault ? { fault: fault.description } : {}),
  };
}

function sleep(ms: number | undefined): Promise<void> {
  return ms && ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
