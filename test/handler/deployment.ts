/*
 * CloudFormation's part of a deployment, for the handler tests: the library's custom resources of a
 * synthesized stack sent to the bundled handler in CloudFormation's order (DependsOn, Ref and GetAtt),
 * as CloudFormation sends them (one stack ID, the logical IDs, every scalar a string, Refs replaced by
 * the physical IDs the handler returned); an update of a changed template (creates, updates, deletes of
 * replaced and removed resources, DeletionPolicy and UpdateReplacePolicy honoured), and the rollback of
 * a failed one. Nothing here knows the emulator: a test against a real node drives it the same way.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT, REGION, SynthesizedStack, stringifyScalars } from './events';
import { LambdaHarness } from './harness';

export interface Sent {
  readonly logicalId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly response: Record<string, any>;
}

export interface DeployOutcome {
  readonly ok: boolean;
  /** the reason of the first failure */
  readonly reason?: string;
  /** the logical ID that failed */
  readonly failed?: string;
  /** every request of this deployment (and of its rollback) */
  readonly sent: Sent[];
}

interface Deployed {
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly template: Record<string, any>;
}

/** Whether a template resource is one of this library's custom resources. */
const isOurs = (resource: { Type: string }) => resource.Type.startsWith('Custom::OpenSearch');

export class Deployment {
  public readonly stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/HandlerTest/${randomUUID()}`;
  /** what CloudFormation holds: logical ID → the resource as last deployed */
  public readonly deployed = new Map<string, Deployed>();

  constructor(private readonly lambda: LambdaHarness) {}

  /** The physical ID of the deployed resource whose logical ID starts with `prefix`. */
  public physicalIdOf(prefix: string): string {
    const [, resource] = [...this.deployed].find(([id]) => id.startsWith(prefix)) ?? [];
    if (!resource) throw new Error(`no deployed resource ${prefix}*: ${[...this.deployed.keys()].join(', ')}`);
    return resource.physicalId;
  }

  /** Deploys `stack`: the first time a create, then an update to it; a failure rolls back. */
  public async deploy(stack: SynthesizedStack): Promise<DeployOutcome> {
    const sent: Sent[] = [];
    const done: Array<{ logicalId: string; before?: Deployed }> = [];
    const replaced: Array<{ logicalId: string; old: Deployed }> = [];
    for (const logicalId of creationOrder(stack)) {
      const template = stack.resources[logicalId];
      const properties = this.propertiesOf(stack, logicalId);
      const before = this.deployed.get(logicalId);
      if (before && JSON.stringify(before.properties) === JSON.stringify(properties)) continue;
      const response = await this.send(sent, logicalId, template.Type, before ? 'Update' : 'Create', properties, before);
      done.push({ logicalId, before });
      this.deployed.set(logicalId, { type: template.Type, physicalId: response.PhysicalResourceId, properties, template });
      if (response.Status !== 'SUCCESS') {
        await this.rollBack(done, sent);
        return { ok: false, reason: response.Reason, failed: logicalId, sent };
      }
      if (before && before.physicalId !== response.PhysicalResourceId) replaced.push({ logicalId, old: before });
    }
    // Cleanup: replaced resources, then those the template no longer has, in reverse order.
    for (const { logicalId, old } of replaced) {
      if (old.template.UpdateReplacePolicy !== 'Retain') await this.send(sent, logicalId, old.type, 'Delete', old.properties, old);
    }
    const removed = [...this.deployed.keys()].filter((id) => !(id in stack.resources)).reverse();
    for (const logicalId of removed) await this.remove(logicalId, sent);
    return { ok: true, sent };
  }

  /** Deletes the stack: every resource in reverse order of creation, except those whose DeletionPolicy is Retain. */
  public async destroy(): Promise<DeployOutcome> {
    const sent: Sent[] = [];
    for (const logicalId of [...this.deployed.keys()].reverse()) await this.remove(logicalId, sent);
    return { ok: sent.every((s) => s.response.Status === 'SUCCESS'), sent };
  }

  /** What the handler answers to a Delete of the deployed resource `prefix`, whatever its DeletionPolicy says. */
  public async deleteIgnoringPolicy(prefix: string): Promise<Record<string, any>> {
    const [logicalId, resource] = [...this.deployed].find(([id]) => id.startsWith(prefix))!;
    this.deployed.delete(logicalId);
    return this.send([], logicalId, resource.type, 'Delete', resource.properties, resource);
  }

  private async remove(logicalId: string, sent: Sent[]): Promise<void> {
    const resource = this.deployed.get(logicalId)!;
    this.deployed.delete(logicalId);
    if (resource.template.DeletionPolicy !== 'Retain') await this.send(sent, logicalId, resource.type, 'Delete', resource.properties, resource);
  }

  /**
   * The rollback of a failed deployment, in reverse: what it created is deleted, what it replaced gets its
   * old resource back (the new one is deleted), what it updated is updated back (old and new swapped).
   */
  private async rollBack(done: Array<{ logicalId: string; before?: Deployed }>, sent: Sent[]): Promise<void> {
    for (const { logicalId, before } of done.reverse()) {
      const current = this.deployed.get(logicalId)!;
      if (!before || before.physicalId !== current.physicalId) {
        await this.send(sent, logicalId, current.type, 'Delete', current.properties, current);
      } else {
        await this.send(sent, logicalId, current.type, 'Update', before.properties, current);
      }
      if (before) this.deployed.set(logicalId, before);
      else this.deployed.delete(logicalId);
    }
  }

  /** One request to the handler; `current` is what CloudFormation holds (its physical ID and, for an update, the old properties). */
  private async send(
    sent: Sent[], logicalId: string, type: string, requestType: Sent['requestType'], properties: Record<string, unknown>, current?: Deployed,
  ): Promise<Record<string, any>> {
    const { response } = await this.lambda.invoke({
      RequestType: requestType,
      ServiceToken: properties.ServiceToken,
      StackId: this.stackId,
      RequestId: randomUUID(),
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceProperties: properties,
      ...(current ? { PhysicalResourceId: current.physicalId } : {}),
      ...(requestType === 'Update' ? { OldResourceProperties: current!.properties } : {}),
    });
    sent.push({ logicalId, requestType, response: response! });
    return response!;
  }

  /** ResourceProperties as CloudFormation sends them, Refs to our resources being their physical IDs. */
  private propertiesOf(stack: SynthesizedStack, logicalId: string): Record<string, unknown> {
    const { ServiceToken, ...rest } = stack.resources[logicalId].Properties;
    const resolved = stringifyScalars({ ServiceToken: stack.resolve(ServiceToken), ...(stack.resolve(rest) as object) });
    const text = JSON.stringify(resolved).replace(/"([A-Za-z0-9]+)"/g, (whole, id: string) => {
      const deployed = this.deployed.get(id);
      return deployed && id in stack.resources ? JSON.stringify(deployed.physicalId) : whole;
    });
    return JSON.parse(text);
  }
}

/** The library's custom resources in an order CloudFormation could create them: after what they depend on or refer to. */
export function creationOrder(stack: SynthesizedStack): string[] {
  const ours = Object.keys(stack.resources).filter((id) => isOurs(stack.resources[id]));
  const needs = new Map(ours.map((id) => {
    const resource = stack.resources[id];
    const text = JSON.stringify(resource.Properties);
    const referred = ours.filter((other) => other !== id && (text.includes(`{"Ref":"${other}"}`) || text.includes(`"Fn::GetAtt":["${other}"`)));
    const dependsOn = [resource.DependsOn ?? []].flat().filter((d: string) => ours.includes(d));
    return [id, new Set([...referred, ...dependsOn])];
  }));
  const order: string[] = [];
  while (order.length < ours.length) {
    const next = ours.find((id) => !order.includes(id) && [...needs.get(id)!].every((d) => order.includes(d)));
    if (!next) throw new Error('the custom resources depend on one another in a circle');
    order.push(next);
  }
  return order;
}
