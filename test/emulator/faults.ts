/**
 * Injected faults: a FIFO list of specs, each consumed by the requests it matches until its count runs out.
 */
import { openSearchError } from './errors';
import { EmulatorResponse, json, text } from './http';
import { FaultSpec } from './types';

export interface ActiveFault {
  readonly spec: FaultSpec;
  readonly description: string;
}

interface QueuedFault {
  readonly spec: FaultSpec;
  remaining: number;
}

export class FaultQueue {
  private faults: QueuedFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  /** Removes every fault, or those with `tag`. */
  clear(tag?: string): void {
    this.faults = tag === undefined ? [] : this.faults.filter((fault) => fault.spec.tag !== tag);
  }

  /** The first (oldest) fault that matches takes the request; it is removed once used up. */
  take(method: string, path: string, body = ''): ActiveFault | undefined {
    const index = this.faults.findIndex((fault) => matches(fault.spec, method, path, body));
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { spec: fault.spec, description: describeFault(fault.spec) };
  }
}

function matches(spec: FaultSpec, method: string, path: string, body: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  if (spec.bodyIncludes !== undefined && !body.includes(spec.bodyIncludes)) return false;
  if (spec.path === undefined) return true;
  if (typeof spec.path === 'string') return path.startsWith(spec.path);
  spec.path.lastIndex = 0; // a /g regex would otherwise remember where it stopped
  return spec.path.test(path);
}

export function describeFault(spec: FaultSpec): string {
  const parts = [`phase=${spec.phase ?? 'before'}`];
  if (spec.delayMs) parts.push(`delay=${spec.delayMs}ms`);
  if (spec.drop) parts.push('drop');
  if (spec.status !== undefined) parts.push(`status=${spec.status}`);
  return parts.join(' ');
}

/** The answer a fault gives: the caller's body if any, else what the real service sends for that status. */
export function faultResponse(status: number, body: unknown): EmulatorResponse {
  if (body === undefined) return defaultFaultResponse(status);
  return typeof body === 'string' ? text(status, body) : json(status, body);
}

function defaultFaultResponse(status: number): EmulatorResponse {
  switch (status) {
    case 429:
      return openSearchError(429, 'es_rejected_execution_exception',
        'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, '
        + 'coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]');
    case 503:
      return openSearchError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no cluster-manager];');
    case 502:
    case 504:
      return gatewayPage(status);
    default:
      return openSearchError(status, 'exception', `HTTP ${status}`);
  }
}

/** The load balancer in front of a domain answers 502/504 with an HTML page, not JSON. */
function gatewayPage(status: number): EmulatorResponse {
  const title = status === 504 ? '504 Gateway Time-out' : '502 Bad Gateway';
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { status, body, headers: { 'content-type': 'text/html' } };
}
