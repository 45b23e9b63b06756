/**
 * The state an emulator instance holds and the per-request context handlers receive.
 */
import type { ServerlessCollectionState } from './aoss';
import type { Capacity } from './capacity';
import type { ClusterState } from './cluster-state';
import { Caller, EmulatorResponse, ParsedRequest } from './http';
import { MlRuntime } from './ml-runtime';
import { SecurityPlugin } from './security';
import { DocIndex } from './store';
import { EngineVersion } from './version';

export interface EmulatorContext {
  readonly region: string;
  readonly account: string;
  readonly domainName: string;
  readonly domainArn: string;
  readonly version: EngineVersion;
  readonly trustedEndpoints: readonly RegExp[];
  readonly connectors: DocIndex;
  readonly models: DocIndex;
  readonly modelGroups: DocIndex;
  readonly tasks: DocIndex;
  /** User indexes, ingest and search pipelines, conversation memories. */
  readonly cluster: ClusterState;
  readonly security: SecurityPlugin;
  /** Set when the emulator is a serverless collection rather than a domain. */
  readonly serverless?: ServerlessCollectionState;
  /** Deploy latency/failures, auto-deploy and predict behaviour, and the timers of deploy tasks in flight. */
  readonly ml: MlRuntime;
  /** Operation latencies, the request rate and the register task cap (capacity.ts). */
  readonly capacity: Capacity;
  /** Stable per-instance node id, reported by undeploy and tasks. */
  readonly nodeId: string;
  /** A second ML node, named by deploys that complete with an error on one of two nodes. */
  readonly peerNodeId: string;
  readonly clusterUuid: string;
}

export interface RequestContext {
  readonly emulator: EmulatorContext;
  readonly request: ParsedRequest;
  readonly caller: Caller;
  /** Decoded path parameters captured by the route pattern. */
  readonly params: readonly string[];
}

/** What runs once the security plugin has let the transport action through. */
export type TransportPhase = () => EmulatorResponse;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** Transport action the security plugin checks (cluster:admin/opensearch/ml/...), if any. */
  readonly action?: string;
  /** The route only exists from this engine version on (RestController answers 405 before). */
  readonly since?: readonly [number, number];
  /** Amazon OpenSearch Service checks iam:PassRole on credential.roleArn in the body before forwarding. */
  readonly passRole?: boolean;
  /** REST layer: parses the request (errors here come before the permission check) and returns the transport phase. */
  readonly handle: (ctx: RequestContext) => TransportPhase;
}
