/*
 * JSON calls to one OpenSearch domain or collection, over the one transport: SigV4-signed
 * ('es' or 'aoss') with the execution role's credentials, or with HTTP basic auth when created
 * with a user (the security API on a domain whose master user is in the internal user database).
 */
import type { DomainTarget } from '../../contract';
import { Deadline } from '../deadline';
import { isAnonymousDenial, isDeterministicFailure, isFailedIndexSearch, isGone, isIamDenial, isMasterKeyNotReady, isNoRoom, isVersionConflict } from '../errors';
import { log } from '../log';
import { registerSecret } from '../redact';
import { Verdict, verdictOf, withRetries } from '../retry';
import { HttpResponse, TransportError, send, sign } from '../transport';

/** Longest wait for one answer; a create that takes longer is looked up rather than repeated. */
export const ATTEMPT_TIMEOUT_MS = 30_000;

/**
 * How long an IAM denial is taken for IAM still propagating a grant made in the same
 * deployment (seconds usually, about a minute at worst) and retried.
 */
export const IAM_PROPAGATION_MS = 90_000;

/**
 * How long a refusal of an unsigned (basic auth) request is taken for the domain's access policy
 * still being applied, and retried: the access policy that lets such requests in is set by a
 * custom resource of the same deployment (useUnsignedBasicAuth), and the domain applies it a while
 * after that resource has answered. The delay is not documented; this covers the usual seconds to a
 * minute and bounds how late a domain that refuses them for good is reported.
 */
export const ACCESS_POLICY_PROPAGATION_MS = 90_000;

/** A user of the domain's internal user database, for HTTP basic auth. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export interface OpenSearchRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  /** when to stop retrying, if sooner than the client's deadline */
  readonly deadline?: Deadline;
}

/** One hit of a search: the document's ID and its fields. */
export interface SearchHit {
  readonly _id: string;
  readonly _source?: Record<string, any>;
}

export class OpenSearchClient {
  /** HTTP requests sent, for the log line of each invocation and for the benchmark. */
  public requestCount = 0;
  private readonly base: URL;
  private readonly basicAuth?: string;
  /** Until when an IAM denial (or, with basic auth, an access policy refusal) is retried. */
  private readonly propagationEndsAt: number;
  private readonly accessPolicyEndsAt: number;

  constructor(private readonly target: DomainTarget, private readonly deadline: Deadline, private readonly user?: BasicCredentials) {
    this.propagationEndsAt = Date.now() + IAM_PROPAGATION_MS;
    this.accessPolicyEndsAt = Date.now() + ACCESS_POLICY_PROPAGATION_MS;
    if (user) {
      this.basicAuth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      registerSecret(this.basicAuth.slice('Basic '.length));
    }
    this.base = new URL(`https://${target.endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`);
  }

  /**
   * One attempt; throws TransportError when no answer came. `timeoutMs` bounds the wait
   * (never beyond the deadline).
   */
  public async once(method: string, path: string, body?: unknown, timeoutMs = ATTEMPT_TIMEOUT_MS): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json' };
    const signed = this.basicAuth
      ? { ...headers, host: url.host, authorization: this.basicAuth }
      : await sign({ url, method, headers, body: payload }, { service: this.target.signingService, region: this.target.region });
    this.requestCount++;
    const wait = Math.max(1, Math.min(timeoutMs, this.deadline.remaining()));
    return send({ url, method, headers: signed, body: payload, timeoutMs: wait, logAs: 'opensearch' });
  }

  /**
   * A request that may be repeated (reads, PUT and DELETE of a known ID, searches), with the
   * retry policy. Returns the last answer, or throws the last TransportError.
   */
  public request(request: OpenSearchRequest): Promise<HttpResponse> {
    const deadline = request.deadline ?? this.deadline;
    return withRetries(() => this.once(request.method, request.path, request.body, Math.min(ATTEMPT_TIMEOUT_MS, deadline.remaining())),
      { deadline, idempotent: true, verdict: (outcome) => this.verdictOf(outcome) });
  }

  /** The hits of a search, or undefined when it failed (no answer, or not a 200). */
  public async search(path: string, body: unknown, deadline?: Deadline): Promise<SearchHit[] | undefined> {
    let response: HttpResponse;
    try {
      response = await this.request({ method: 'POST', path, body, deadline });
    } catch (e) {
      if (e instanceof TransportError) return undefined;
      throw e;
    }
    if (response.status !== 200) {
      log('search failed', { path, status: response.status });
      return undefined;
    }
    return ((response.json as { hits?: { hits?: SearchHit[] } } | undefined)?.hits?.hits ?? []);
  }

  /**
   * The retry policy's verdict, as OpenSearch's answers mean it: an error type that says the
   * request itself is wrong is final whatever the status; an IAM denial early enough in the
   * invocation to be a grant still propagating means nothing was done; so does, for requests with
   * basic auth, an anonymous refusal early enough to be the domain's access policy still being applied;
   * and so does an ML node that had no room for the task (a 500 that is not a failure of the request), or
   * that has no encryption master key yet (a fresh domain's first requests); a search of ml-commons' own
   * index that failed is a server error, whatever its type; a write that lost a race with another (409
   * version conflict) wrote nothing.
   */
  public verdictOf(outcome: HttpResponse | TransportError): Verdict {
    if (outcome instanceof TransportError) return verdictOf(outcome);
    if (isIamDenial(outcome) && Date.now() < this.propagationEndsAt) return 'transient';
    if (this.basicAuth && isAnonymousDenial(outcome) && Date.now() < this.accessPolicyEndsAt) return 'transient';
    if (isNoRoom(outcome) || isMasterKeyNotReady(outcome) || isVersionConflict(outcome)) return 'transient';
    if (isFailedIndexSearch(outcome)) return verdictOf(outcome);
    return isDeterministicFailure(outcome) || isGone(outcome) ? 'final' : verdictOf(outcome);
  }

  /** A client of another domain with the same credentials: an update that moves a resource cleans up the old domain with it. */
  public to(target: DomainTarget): OpenSearchClient {
    return new OpenSearchClient(target, this.deadline, this.user);
  }

  /** Where requests go, for messages. */
  public get endpoint(): string {
    return this.target.endpoint;
  }

  /** The user of basic auth, if the client signs in as one, for messages. */
  public get username(): string | undefined {
    return this.user?.username;
  }
}
