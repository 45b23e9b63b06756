import type { ServerlessOptions } from './aoss';
import type { CapacityOptions } from './capacity';

/**
 * Public option and record types of the OpenSearch Service emulator.
 * Kept apart from the implementation so that test code can import them without pulling in the server.
 */

export interface EmulatorPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** IAM role ARN the credentials belong to, e.g. arn:aws:iam::111122223333:role/provider */
  readonly roleArn: string;
  /**
   * Identity-based IAM policy statements (the shape of CloudFormation PolicyDocument.Statement).
   * If undefined, everything is allowed.
   */
  readonly policy?: ReadonlyArray<Record<string, unknown>>;
}

/** One roles-mapping entry as accepted by the options (a superset of what the security API stores). */
export interface EmulatorRoleMapping {
  readonly backend_roles?: string[];
  readonly users?: string[];
  readonly hosts?: string[];
  readonly and_backend_roles?: string[];
  /** Extension: mark the mapping reserved (the security API then refuses to change it). */
  readonly reserved?: boolean;
  /** Extension: mark the mapping hidden (the security API then pretends it is not there). */
  readonly hidden?: boolean;
  readonly description?: string;
}

export interface EmulatorOptions {
  readonly region?: string;
  readonly account?: string;
  readonly domainName?: string;
  /** The version.number reported by GET /; version-dependent behaviour follows it. Default '2.19.0'. */
  readonly engineVersion?: string;
  readonly principals: EmulatorPrincipal[];
  /** Trusted connector endpoint regexes; default = ml-commons' current default list. */
  readonly trustedEndpointsRegex?: string[];
  /**
   * Act as an Amazon OpenSearch Serverless collection instead of a domain: SigV4 for service `aoss`, IAM
   * `aoss:APIAccessAll` on the collection ARN, and data access policies for the ML APIs. Default: a domain.
   */
  readonly serverless?: ServerlessOptions;
  /**
   * How long a model deploy task takes, in ms: a fixed value or a [min, max] range. The task is CREATED when the
   * deploy call answers, RUNNING halfway through, and done at the end; 0 finishes it before the answer is sent.
   * Default [0, 50].
   */
  readonly deployLatencyMs?: number | readonly [number, number];
  /**
   * plugins.ml_commons.model_auto_deploy.enable: predict on a registered remote model deploys it first.
   * Default: true from 2.13 (the setting's default since it exists), false before.
   */
  readonly modelAutoDeploy?: boolean;
  /**
   * What the domain can take (capacity.ts): operation latencies, a request rate above which it answers 429, and
   * ml-commons' caps on register and deploy tasks per node. Default: instant and unlimited.
   */
  readonly capacity?: CapacityOptions;
  /** Fine-grained access control (security plugin). Default: disabled. */
  readonly fgac?: {
    readonly masterUserArn?: string;
    readonly masterUser?: { readonly username: string; readonly password: string };
    readonly rolesMapping?: Record<string, EmulatorRoleMapping>;
  };
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** As received (lower-case names). */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** 0 when the connection was dropped without an answer. */
  readonly status: number;
  readonly responseBody: string;
  /** Role ARN or 'basic:<username>' once authenticated. */
  readonly principal?: string;
  /** Description of an injected fault, if one was applied. */
  readonly fault?: string;
}

export interface FaultSpec {
  readonly method?: string;
  readonly path?: RegExp | string;
  /** Only requests whose body contains this text (e.g. a connector name), so that concurrent tests do not take each other's faults. */
  readonly bodyIncludes?: string;
  /** A label for clearFaults(tag): removes this test's faults and leaves others queued. */
  readonly tag?: string;
  readonly times?: number;
  readonly status?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
  readonly drop?: boolean;
  readonly phase?: 'before' | 'after';
}
