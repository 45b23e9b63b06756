import { IResource, Names, Resource } from 'aws-cdk-lib';
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

class ImportedModelGroup extends Resource implements IMlModelGroup {
  constructor(scope: Construct, id: string, public readonly modelGroupId: string) {
    super(scope, id);
  }
}
