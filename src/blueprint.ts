import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { customConfig, CustomConnectorOptions } from './blueprints/custom';
import { sageMakerEndpointConfig, SageMakerEndpointOptions } from './blueprints/sagemaker';

/**
 * One action of a connector: how OpenSearch calls the model for one kind of request.
 * The fields are those of an ml-commons connector action, in camelCase.
 */
export interface ConnectorAction {
  /**
   * The action type: `predict`; `execute` (OpenSearch 2.15+); `batch_predict`,
   * `cancel_batch_predict` or `batch_predict_status` (2.17+). Case-insensitive.
   */
  readonly actionType: string;

  /**
   * The HTTP method OpenSearch uses to call the model.
   *
   * @default 'POST'
   */
  readonly method?: string;

  /**
   * The URL OpenSearch calls. It may contain `${parameters.<name>}` placeholders, and
   * once they are filled it must match one of the domain's trusted connector endpoints.
   */
  readonly url: string;

  /**
   * HTTP headers OpenSearch sends to the model.
   *
   * @default - no headers
   */
  readonly headers?: { [name: string]: string };

  /**
   * The request body template, usually JSON with `${parameters.<name>}` placeholders.
   *
   * @default - no body
   */
  readonly requestBody?: string;

  /**
   * A built-in pre-process function (for example `connector.pre_process.default.embedding`)
   * or a Painless script.
   *
   * @default - none
   */
  readonly preProcessFunction?: string;

  /**
   * A built-in post-process function (for example `connector.post_process.default.embedding`)
   * or a Painless script.
   *
   * @default - none
   */
  readonly postProcessFunction?: string;
}

/**
 * What a blueprint learns about the connector it is bound to.
 */
export interface ConnectorBlueprintBindOptions {
  /** The region of the OpenSearch domain (may be a token). */
  readonly domainRegion: string;

  /**
   * The domain's OpenSearch version as 'major.minor', when the domain is defined in this app.
   *
   * @default - unknown (an imported domain)
   */
  readonly engineVersion?: string;
}

/**
 * Everything a blueprint decides about a connector: its body and the permissions
 * OpenSearch needs to call the model.
 */
export interface ConnectorBlueprintConfig {
  /** The SigV4 signing name of the model's service, for example `sagemaker`. */
  readonly serviceName: string;

  /** The region of the model. */
  readonly region: string;

  /** Connector name used when the connector's props give none. */
  readonly defaultName: string;

  /** Connector description used when the connector's props give none. */
  readonly defaultDescription: string;

  /**
   * The connector's parameters other than `region` and `service_name`, which are
   * added from `region` and `serviceName`.
   */
  readonly parameters: { [key: string]: any };

  /** The connector's actions. */
  readonly actions: ConnectorAction[];

  /** What the connector role may do: exactly the invoke actions on exactly the model's resources. */
  readonly policyStatements: iam.PolicyStatement[];

  /**
   * A role in the model's account that the connector role assumes to call the model
   * (`credential.externalAccountRoleArn`, OpenSearch 2.15+).
   *
   * @default - the model is called with the connector role itself
   */
  readonly externalAccountRoleArn?: string;

  /**
   * Why a policy statement needs a wildcard (for example the foundation model in every
   * region a cross-region inference profile may route to). Recorded on the connector role
   * as the reason of a cdk-nag AwsSolutions-IAM5 suppression.
   *
   * @default - the statements hold no wildcard
   */
  readonly wildcardReason?: string;
}

/**
 * A kind of model that a connector can call, with the connector body and the IAM
 * permissions that go with it.
 *
 * Use the static factory methods; `custom()` covers any AWS service that has no
 * typed factory yet.
 */
export abstract class ConnectorBlueprint {
  /**
   * An Amazon SageMaker real-time inference endpoint.
   *
   * The connector role may call `sagemaker:InvokeEndpoint` and `sagemaker:InvokeEndpointAsync`
   * on exactly this endpoint.
   */
  public static sageMakerEndpoint(options: SageMakerEndpointOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => sageMakerEndpointConfig(scope, options, bind));
  }

  /**
   * A connector to any AWS service, described action by action, with the IAM actions
   * and resources the connector role needs to call it.
   */
  public static custom(options: CustomConnectorOptions): ConnectorBlueprint {
    return new FactoryBlueprint((scope, bind) => customConfig(scope, options, bind));
  }

  /**
   * Decides the connector body and permissions for a connector in `scope`.
   */
  public abstract bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig;
}

/** A blueprint whose configuration is computed by a function of one service's module. */
class FactoryBlueprint extends ConnectorBlueprint {
  constructor(
    private readonly produce: (scope: Construct, options: ConnectorBlueprintBindOptions) => ConnectorBlueprintConfig,
  ) {
    super();
  }

  public bind(scope: Construct, options: ConnectorBlueprintBindOptions): ConnectorBlueprintConfig {
    return this.produce(scope, options);
  }
}
