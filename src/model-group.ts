import { IResource, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MODEL_GROUP_RESOURCE_TYPE, ModelGroupResourceProperties } from './contract';
import { createMlResource } from './custom-resource';
import { MlValidationError, quote } from './errors';
import { MODEL_GROUP, isMarked, mark } from './markers';
import { MlTargetOptions, TargetBinding, bindTarget } from './target';
import { validateMlText, validateName } from './validation';

/**
 * Who may use the models of a model group, when the domain has model access control
 * enabled (`plugins.ml_commons.model_access_control_enabled`).
 */
export enum ModelGroupAccessMode {
  /** every user who may use models */
  PUBLIC = 'public',
  /** only the owner and admins */
  PRIVATE = 'private',
  /** the owner, admins, and users who share a backend role with the group */
  RESTRICTED = 'restricted',
}

/**
 * An ML Commons model group: a named set of model versions.
 */
export interface IMlModelGroup extends IResource {
  /**
   * The model group ID that OpenSearch generated.
   *
   * @attribute
   */
  readonly modelGroupId: string;
}

/**
 * Properties of an `MlModelGroup`.
 */
export interface MlModelGroupProps extends MlTargetOptions {
  /**
   * The group's name, unique on the domain.
   *
   * @default - a name derived from the construct path
   */
  readonly name?: string;

  /**
   * The group's description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Who may use the group's models. Only accepted by domains with model access control enabled.
   *
   * @default - not sent: the domain's default
   */
  readonly accessMode?: ModelGroupAccessMode;
}

/**
 * An ML Commons model group, created, renamed and deleted with the stack.
 *
 * @resource Custom::OpenSearchMlModelGroup
 */
export class MlModelGroup extends Resource implements IMlModelGroup {
  /**
   * Whether `x` is an `MlModelGroup` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isMlModelGroup(x: any): x is MlModelGroup {
    return isMarked(x, MODEL_GROUP);
  }

  /** Refers to a model group that exists already, by its ID. */
  public static fromModelGroupId(scope: Construct, id: string, modelGroupId: string): IMlModelGroup {
    return new ImportedModelGroup(scope, id, modelGroupId);
  }

  public readonly modelGroupId: string;

  /** The group's name in OpenSearch. */
  public readonly modelGroupName: string;

  /** @internal The group's domain or collection, and how the provider reaches it: a model in the group must be on the same. */
  public readonly _binding: TargetBinding;

  constructor(scope: Construct, id: string, props: MlModelGroupProps) {
    super(scope, id);
    mark(this, MODEL_GROUP);
    this.modelGroupName = props.name ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    validateName(this, 'name', this.modelGroupName);
    validateMlText(this, 'description', props.description);
    if (props.accessMode !== undefined && !Object.values(ModelGroupAccessMode).includes(props.accessMode)) {
      throw new MlValidationError(this,
        `accessMode must be one of ${Object.values(ModelGroupAccessMode).map(quote).join(', ')}; received ${quote(props.accessMode)}.`);
    }
    this._binding = bindTarget(this, props);
    claimGroupName(this, this._binding, this.modelGroupName, 'model group');
    const resource = createMlResource<ModelGroupResourceProperties>(this, 'Resource', MODEL_GROUP_RESOURCE_TYPE, this._binding, {
      modelGroup: {
        name: this.modelGroupName,
        ...(props.description !== undefined ? { description: props.description } : {}),
        ...(props.accessMode !== undefined ? { access_mode: props.accessMode } : {}),
      },
    });
    this.modelGroupId = resource.ref;
  }
}

/**
 * Model group names are unique on a domain, and OpenSearch names the group it creates for a model
 * without a group after the model. Rejects a second group of the same name on the same target in
 * the stack (an `MlModelGroup`, or a model without `modelGroup`), which would fail the deployment.
 */
export function claimGroupName(scope: Construct, binding: TargetBinding, name: string, kind: string): void {
  if (Token.isUnresolved(name)) return;
  const stack = Stack.of(binding.provider);
  const target = JSON.stringify(stack.resolve(binding.target.endpoint));
  const claimed = binding.provider.perTargetState(`groupNames ${target}`, () => new Map<string, { path: string; kind: string }>());
  const other = claimed.get(name);
  if (other) {
    throw new MlValidationError(scope,
      `name ${quote(name)} is also the name of the ${other.kind} ${other.path} on the same ${binding.domain ? 'domain' : 'collection'} in this stack. ` +
      'OpenSearch names the model group of a model without a modelGroup after the model, and model group names are unique, so one of the two would fail at deploy time. ' +
      'Give each its own name, or register the models in one MlModelGroup.');
  }
  claimed.set(name, { path: scope.node.path, kind });
}

class ImportedModelGroup extends Resource implements IMlModelGroup {
  constructor(scope: Construct, id: string, public readonly modelGroupId: string) {
    super(scope, id);
  }
}
