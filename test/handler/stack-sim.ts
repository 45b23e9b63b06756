/*
 * A stand-in for CloudFormation deploying a synthesized template: create, update and delete,
 * with the parallelism CloudFormation uses, sending the custom resources' events to the handler.
 *
 * Parallelism: CloudFormation documents no limit on how many resources of one stack it works on
 * at once; it starts a resource as soon as the resources it depends on (DependsOn, Ref, Fn::GetAtt)
 * are done, and deletes in the reverse order. The only first-hand report of a limit is a
 * maintainer's observation that CloudFormation "batches" many custom resources of one stack with
 * slight delays (aws/aws-cdk#26858), which would lower the load on the domain. This stand-in
 * assumes the upper bound, every ready resource at once (`maxConcurrent` bounds it), which is the
 * most a domain can get from one stack. CloudFormation's own resources (IAM, Lambda, logs) take no
 * time here, so that timings are the custom resources' alone.
 */
import { randomUUID } from 'node:crypto';
import { stringifyScalars } from './events';
import type { Invocation } from './harness';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[] }>;

export type RequestType = 'Create' | 'Update' | 'Delete';

/** What one event did. */
export interface ResourceRun {
  readonly logicalId: string;
  readonly type: string;
  readonly requestType: RequestType;
  /** by the stack's clock (`now`) */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId: string;
  readonly reason?: string;
  /** the size of the answer CloudFormation got */
  readonly answerBytes: number;
  /** what the handler logged */
  readonly logs: string;
  /** how long the handler took to answer, by its own clock (which does not count time a busy machine kept it waiting) */
  readonly handlerMs: number;
}

export interface PhaseResult {
  readonly requestType: RequestType;
  readonly runs: ResourceRun[];
  /** the custom resources that never started because something they depend on failed */
  readonly notStarted: string[];
  readonly startedAt: number;
  readonly endedAt: number;
  /**
   * The phase's duration as the handlers measured it: each resource started when what it waits
   * for was done, and took what its handler took by its own clock. The stack's clock (endedAt -
   * startedAt) also counts what a busy machine adds, k times over.
   */
  readonly handlerMs: number;
}

export interface StackListing {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
}

export interface StackSimulationOptions {
  readonly stackName: string;
  readonly stackId: string;
  /** sends one custom-resource event to the provider (one Lambda execution environment per invocation in flight) */
  readonly invoke: (event: Record<string, unknown>) => Promise<Invocation>;
  /** the stack's clock, in the handler's time */
  readonly now: () => number;
  /** the stack's resources changed: what ListStackResources answers */
  readonly onListing?: (resources: StackListing[]) => void;
  /** at most this many resources in progress at once; default: no limit (see the module comment) */
  readonly maxConcurrent?: number;
}

/** The logical IDs `value` refers to (Ref, Fn::GetAtt), among `resources`. */
function references(value: unknown, resources: Resources, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {value.forEach((v) => references(v, resources, into));} else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string' && o.Ref in resources) into.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt']) && (o['Fn::GetAtt'] as string[])[0] in resources) into.add((o['Fn::GetAtt'] as string[])[0]);
    Object.values(o).forEach((v) => references(v, resources, into));
  }
  return into;
}

/** What each resource depends on: DependsOn, and the resources its properties refer to. */
export function dependenciesOf(resources: Resources): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(resources)) {
    const set = references(r.Properties ?? {}, resources);
    for (const d of [r.DependsOn ?? []].flat()) set.add(d);
    deps.set(id, set);
  }
  return deps;
}

export const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

interface Applied {
  physicalId: string;
  data: Record<string, unknown>;
  properties?: Record<string, unknown>;
}

export class StackSimulation {
  private resources: Resources;
  private readonly applied = new Map<string, Applied>();

  constructor(resources: Resources, private readonly options: StackSimulationOptions) {
    this.resources = resources;
  }

  /** The physical ID of each resource that exists. */
  public get physicalIds(): Map<string, string> {
    return new Map([...this.applied].map(([id, a]) => [id, a.physicalId]));
  }

  /** Creates every resource, each after what it depends on. */
  public create(): Promise<PhaseResult> {
    return this.run('Create', this.resources, async (id, r) => {
      if (!isCustom(r.Type)) {
        this.applied.set(id, { physicalId: this.generatedName(id, r), data: {} });
        return undefined;
      }
      const properties = this.resolve(r.Properties ?? {}) as Record<string, unknown>;
      const run = await this.send(id, r.Type, 'Create', properties);
      if (run.status === 'SUCCESS') this.applied.set(id, { physicalId: run.physicalId, data: run.data, properties });
      return run;
    });
  }

  /**
   * Updates what changed in `next` (the same logical IDs), each after what it depends on, then
   * deletes the physical resources that replacements left (CloudFormation's cleanup).
   */
  public async update(next: Resources): Promise<PhaseResult> {
    const replaced: Array<{ id: string; type: string; applied: Applied }> = [];
    const phase = await this.run('Update', next, async (id, r) => {
      const before = this.applied.get(id);
      if (!isCustom(r.Type) || !before) return undefined;
      const properties = this.resolve(r.Properties ?? {}) as Record<string, unknown>;
      if (JSON.stringify(properties) === JSON.stringify(before.properties)) return undefined;
      const run = await this.send(id, r.Type, 'Update', properties, before.physicalId, before.properties);
      if (run.status === 'SUCCESS') {
        if (run.physicalId !== before.physicalId) replaced.push({ id, type: r.Type, applied: before });
        this.applied.set(id, { physicalId: run.physicalId, data: run.data, properties });
      }
      return run;
    });
    this.resources = next;
    const cleanup = await Promise.all(replaced.map(({ id, type, applied }) => this.send(id, type, 'Delete', applied.properties!, applied.physicalId)));
    const cleanupMs = Math.max(0, ...cleanup.map((r) => r.handlerMs));
    return { ...phase, runs: [...phase.runs, ...cleanup], endedAt: this.options.now(), handlerMs: phase.handlerMs + cleanupMs };
  }

  /** Deletes every resource, each after the resources that depend on it. */
  public delete(): Promise<PhaseResult> {
    const deps = dependenciesOf(this.resources);
    const reversed = new Map<string, Set<string>>([...deps.keys()].map((id) => [id, new Set<string>()]));
    for (const [id, set] of deps) for (const d of set) reversed.get(d)?.add(id);
    return this.run('Delete', this.resources, async (id, r) => {
      const applied = this.applied.get(id);
      if (!applied) return undefined;
      if (!isCustom(r.Type)) {
        this.applied.delete(id);
        return undefined;
      }
      const run = await this.send(id, r.Type, 'Delete', applied.properties!, applied.physicalId);
      if (run.status === 'SUCCESS') this.applied.delete(id);
      return run;
    }, reversed);
  }

  /** Runs `act` on every resource once its dependencies (or, for a delete, its dependents) are done. */
  private async run(
    requestType: RequestType,
    resources: Resources,
    act: (id: string, r: Resources[string]) => Promise<(ResourceRun & { data?: unknown }) | undefined>,
    order = dependenciesOf(resources),
  ): Promise<PhaseResult> {
    const startedAt = this.options.now();
    const runs: ResourceRun[] = [];
    /** when each resource was done, replayed by its handler's own time */
    const replayed = new Map<string, number>();
    const done = new Set<string>();
    const failed = new Set<string>();
    const started = new Set<string>();
    let running = 0;
    await new Promise<void>((resolve) => {
      const launch = () => {
        for (const id of Object.keys(resources)) {
          if (started.has(id) || running >= (this.options.maxConcurrent ?? Infinity)) continue;
          if (![...order.get(id)!].every((d) => done.has(d) || !(d in resources))) continue;
          started.add(id);
          running++;
          void act(id, resources[id]).then((result) => {
            running--;
            const after = Math.max(0, ...[...order.get(id)!].map((d) => replayed.get(d) ?? 0));
            replayed.set(id, after + (result?.handlerMs ?? 0));
            if (result) runs.push(result);
            if (result && result.status !== 'SUCCESS') failed.add(id);
            else done.add(id);
            this.list();
            launch();
          });
        }
        if (running === 0) resolve();
      };
      launch();
    });
    const notStarted = Object.keys(resources).filter((id) => !started.has(id) && isCustom(resources[id].Type));
    return { requestType, runs, notStarted, startedAt, endedAt: this.options.now(), handlerMs: Math.max(0, ...replayed.values()) };
  }

  private async send(
    logicalId: string, type: string, requestType: RequestType, properties: Record<string, unknown>,
    physicalId?: string, oldProperties?: Record<string, unknown>,
  ): Promise<ResourceRun & { data: Record<string, unknown> }> {
    const startedAt = this.options.now();
    const invocation = await this.options.invoke({
      RequestType: requestType,
      ServiceToken: properties.ServiceToken,
      StackId: this.options.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceProperties: stringifyScalars(properties),
      ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
      ...(oldProperties ? { OldResourceProperties: stringifyScalars(oldProperties) } : {}),
    });
    const response = invocation.response;
    return {
      logicalId,
      type,
      requestType,
      startedAt,
      endedAt: this.options.now(),
      status: response?.Status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
      physicalId: String(response?.PhysicalResourceId ?? ''),
      reason: response?.Reason ?? (response ? undefined : `no answer: ${invocation.logs.slice(-500)}`),
      answerBytes: Buffer.byteLength(invocation.responseBody ?? ''),
      logs: invocation.logs,
      handlerMs: invocation.answeredInMs ?? invocation.elapsedMs,
      data: (response?.Data ?? {}) as Record<string, unknown>,
    };
  }

  private list(): void {
    this.options.onListing?.([...this.applied].map(([logicalId, a]) => ({ logicalId, physicalId: a.physicalId, type: this.resources[logicalId]?.Type ?? '' })));
  }

  /** The name CloudFormation gives a resource without one (IAM's limit of 64 characters). */
  private generatedName(logicalId: string, r: Resources[string]): string {
    if (r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName) return r.Properties.RoleName;
    return `${this.options.stackName}-${logicalId}`.slice(0, 51) + '-ABCDEFGHIJKL';
  }

  /** An ARN or attribute of a resource that exists, as CloudFormation resolves Fn::GetAtt. */
  private attribute(logicalId: string, attribute: string): unknown {
    const r = this.resources[logicalId];
    const applied = this.applied.get(logicalId);
    if (!applied) throw new Error(`${logicalId} is referred to before it exists`);
    if (isCustom(r.Type)) return applied.data[attribute];
    if (attribute !== 'Arn') return `${applied.physicalId}.${attribute}`;
    switch (r.Type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${ACCOUNT}:role${r.Properties?.Path ?? '/'}${applied.physicalId}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${applied.physicalId}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${applied.physicalId}:*`;
      default: return `arn:aws:${logicalId}`;
    }
  }

  /** The value as CloudFormation would pass it: references to resources replaced by what they are now. */
  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if ('Ref' in o) {
      const pseudo: Record<string, string> = {
        'AWS::Region': REGION,
        'AWS::AccountId': ACCOUNT,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackId': this.options.stackId,
        'AWS::StackName': this.options.stackName,
      };
      const ref = o.Ref as string;
      if (ref in pseudo) return pseudo[ref];
      const applied = this.applied.get(ref);
      if (!applied) throw new Error(`${ref} is referred to before it exists`);
      return applied.physicalId;
    }
    if ('Fn::GetAtt' in o) {
      const [id, attribute] = o['Fn::GetAtt'] as [string, string];
      return this.attribute(id, attribute);
    }
    if ('Fn::Join' in o) {
      const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => this.resolve(p)).join(separator);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }
}
