import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EngineVersionNumber, atLeast, formatVersion } from '../engine-version';
import { MlValidationError, quote, requireType } from '../errors';
import { ACTION_TYPES, validateRegion } from '../validation';
import { AwsModelOptions, withAccount } from './aws-model';
import { checkBoolean, checkEnum } from './checks';
import { BlueprintContext, requireEngine } from './context';
import { TransformAssembleWith, TransformBatchStrategy, TransformDataProcessing, TransformS3DataType, TransformSplitType } from './sagemaker-enums';
import type { ConnectorAction, ConnectorBlueprintConfig } from './types';
import { partitionOf, runtimeUrl } from './urls';

/** IAM actions that invoke a SageMaker endpoint, synchronously and asynchronously. */
export const SAGEMAKER_INVOKE_ACTIONS: readonly string[] = ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'];

/** SageMaker's rule for endpoint names (CreateEndpoint API). */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * Options for `ConnectorBlueprint.sageMakerEndpoint()`.
 */
export interface SageMakerEndpointOptions extends AwsModelOptions {
  /** The name of the SageMaker real-time inference endpoint. */
  readonly endpointName: string;

  /**
   * The request body template sent to the endpoint.
   *
   * @default '${parameters.input}', with ml-commons' default embedding pre- and post-process functions
   */
  readonly requestBody?: string;

  /**
   * Pre-process function: a built-in such as `connector.pre_process.default.embedding`, or a Painless script.
   *
   * @default - `connector.pre_process.default.embedding` when `requestBody` is not given, otherwise none
   */
  readonly preProcessFunction?: string;

  /**
   * Post-process function: a built-in such as `connector.post_process.default.embedding`, or a Painless script.
   *
   * @default - `connector.post_process.default.embedding` when `requestBody` is not given, otherwise none
   */
  readonly postProcessFunction?: string;

  /**
   * HTTP headers sent to the endpoint, added to (or replacing) the default content type.
   *
   * @default { 'content-type': 'application/json' }
   */
  readonly headers?: { [name: string]: string };
}


/**
 * Options for `ConnectorBlueprint.sageMakerAsyncEndpoint()`.
 */
export interface SageMakerAsyncEndpointOptions extends AwsModelOptions {
  /** The name of the SageMaker asynchronous inference endpoint. */
  readonly endpointName: string;

  /**
   * The S3 URI of the request payload (`X-Amzn-SageMaker-InputLocation`). A prediction may
   * pass another one as the `input_location` parameter.
   *
   * @default - given with each prediction (`input_location` parameter)
   */
  readonly inputLocation?: string;

  /**
   * The MIME type of the payload (`X-Amzn-SageMaker-Content-Type`).
   *
   * @default 'application/json'
   */
  readonly contentType?: string;
}

/**
 * Options for `ConnectorBlueprint.sageMakerBatchTransform()`.
 */
export interface SageMakerBatchTransformOptions extends AwsModelOptions {
  /** The real-time endpoint that serves the connector's `predict` action. */
  readonly endpointName: string;

  /** The SageMaker model that the batch transform jobs run (`ModelName`). */
  readonly modelName: string;

  /**
   * The name of the transform job (`TransformJobName`). SageMaker needs a new name for every
   * job, so each batch prediction usually passes its own `TransformJobName` parameter.
   */
  readonly transformJobName: string;

  /**
   * The transform job names the connector role may create, describe and stop, as an IAM
   * resource pattern of names.
   *
   * @default - `transformJobName` and every name that starts with it (`<transformJobName>*`)
   */
  readonly transformJobNamePattern?: string;

  /** The S3 URI of the input (`TransformInput.DataSource.S3DataSource.S3Uri`). */
  readonly inputS3Uri: string;

  /** The S3 URI where SageMaker writes the results (`TransformOutput.S3OutputPath`). */
  readonly outputS3Uri: string;

  /** The ML compute instance type of the job, for example `ml.c5.xlarge` (`TransformResources.InstanceType`). */
  readonly instanceType: string;

  /**
   * How many instances run the job (`TransformResources.InstanceCount`).
   *
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * The MIME type of the input (`TransformInput.ContentType`).
   *
   * @default 'application/json'
   */
  readonly contentType?: string;

  /**
   * The MIME type of the output (`TransformOutput.Accept`).
   *
   * @default 'application/json'
   */
  readonly accept?: string;

  /**
   * What the input S3 URI names.
   *
   * @default TransformS3DataType.S3_PREFIX
   */
  readonly s3DataType?: TransformS3DataType;

  /**
   * How input files are split into records.
   *
   * @default TransformSplitType.LINE
   */
  readonly splitType?: TransformSplitType;

  /**
   * How results are put together.
   *
   * @default TransformAssembleWith.LINE
   */
  readonly assembleWith?: TransformAssembleWith;

  /**
   * How many records go in one request to the model.
   *
   * @default TransformBatchStrategy.SINGLE_RECORD
   */
  readonly batchStrategy?: TransformBatchStrategy;

  /**
   * Which parts of each record go to the model and into the output.
   *
   * @default - not sent: whole records in, results out
   */
  readonly dataProcessing?: TransformDataProcessing;

  /**
   * The most requests each instance handles at once (`MaxConcurrentTransforms`).
   *
   * @default - not sent: SageMaker's default
   */
  readonly maxConcurrentTransforms?: number;

  /**
   * Whether the connector also has the `batch_predict_status` (DescribeTransformJob) and
   * `cancel_batch_predict` (StopTransformJob) actions. OpenSearch 2.17 needs them to follow
   * and cancel jobs; ml-commons' own blueprint has only `batch_predict`.
   *
   * @default true
   */
  readonly statusAndCancelActions?: boolean;
}

/**
 * Options for `ConnectorBlueprint.sageMakerSemanticHighlighter()`.
 */
export interface SageMakerSemanticHighlighterOptions extends AwsModelOptions {
  /** The name of the SageMaker endpoint that serves the semantic highlighting model. */
  readonly endpointName: string;
}

/** Batch inference action types need OpenSearch 2.17. */
const BATCH_SINCE = ACTION_TYPES.batch_predict;

/** Single-record and batch inputs, as ml-commons' semantic highlighter blueprint reads them. */
const SEMANTIC_HIGHLIGHTER_PRE_PROCESS = [
  '// Unified pre-process function for backward compatibility',
  'if (params.question != null && params.context != null && params.inputs == null) {',
  '  // Single document format from older versions',
  '  return \'{"parameters":{"question":"\' + params.question + \'","context":"\' + params.context + \'"}}\';',
  '}',
  'else if (params.inputs != null) {',
  '  // Batch format from newer versions - pass inputs as JSON string',
  '  String inputsJson = params.inputs.toString();',
  '  return \'{"parameters":{"inputs":\' + inputsJson + \'}}\';',
  '}',
  'else {',
  '  throw new IllegalArgumentException("Invalid input format: must provide either (question and context) or (inputs)");',
  '}',
].join('\n');

function checkEndpointName(scope: Construct, name: string): void {
  if (!Token.isUnresolved(name) && !ENDPOINT_NAME.test(name)) {
    throw new MlValidationError(scope,
      `blueprint endpointName must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit; received ${quote(name)}.`);
  }
}

/** SageMaker ARNs hold names in lower case, whatever case they were created with. */
function sageMakerArn(scope: Construct, region: string, resource: string, name: string): string {
  return Stack.of(scope).formatArn({
    partition: partitionOf(region),
    service: 'sagemaker',
    region,
    resource,
    resourceName: Token.isUnresolved(name) ? name : name.toLowerCase(),
  });
}

function endpointUrl(region: string, name: string, operation: string): string {
  return `${runtimeUrl('runtime.sagemaker', region)}/endpoints/${name}/${operation}`;
}

function sageMakerRegion(scope: Construct, options: AwsModelOptions, context: BlueprintContext): string {
  const region = options.region ?? context.domainRegion;
  validateRegion(scope, 'blueprint region', region);
  return region;
}

export function sageMakerEndpointConfig(
  scope: Construct, options: SageMakerEndpointOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const name = options.endpointName;
  checkEndpointName(scope, name);
  const region = sageMakerRegion(scope, options, context);

  const defaultBody = options.requestBody === undefined;
  const action: ConnectorAction = {
    actionType: 'predict',
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    url: endpointUrl(region, name, 'invocations'),
    requestBody: options.requestBody ?? '${parameters.input}',
    preProcessFunction: options.preProcessFunction ?? (defaultBody ? 'connector.pre_process.default.embedding' : undefined),
    postProcessFunction: options.postProcessFunction ?? (defaultBody ? 'connector.post_process.default.embedding' : undefined),
  };

  const known = !Token.isUnresolved(name);
  return withAccount(scope, context, options, {
    serviceName: 'sagemaker',
    region,
    defaultName: known ? `sagemaker: ${name}` : 'sagemaker endpoint',
    defaultDescription: known ? `Amazon SageMaker endpoint ${name}` : 'Amazon SageMaker endpoint',
    parameters: {},
    actions: [action],
    policyStatements: [new iam.PolicyStatement({ actions: [...SAGEMAKER_INVOKE_ACTIONS], resources: [sageMakerArn(scope, region, 'endpoint', name)] })],
  });
}

export function sageMakerAsyncEndpointConfig(
  scope: Construct, options: SageMakerAsyncEndpointOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const name = options.endpointName;
  checkEndpointName(scope, name);
  const region = sageMakerRegion(scope, options, context);
  const location = options.inputLocation;
  if (location !== undefined && !Token.isUnresolved(location) && !location.startsWith('s3://')) {
    throw new MlValidationError(scope, `blueprint inputLocation must be an S3 URI such as 's3://my-bucket/input/request.json'; received ${quote(location)}.`);
  }
  const known = !Token.isUnresolved(name);
  return withAccount(scope, context, options, {
    serviceName: 'sagemaker',
    region,
    defaultName: known ? `sagemaker async: ${name}` : 'sagemaker async endpoint',
    defaultDescription: known ? `Amazon SageMaker asynchronous endpoint ${name}` : 'Amazon SageMaker asynchronous endpoint',
    parameters: location !== undefined ? { input_location: location } : {},
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: endpointUrl(region, name, 'async-invocations'),
      headers: {
        'content-type': 'application/json',
        'X-Amzn-SageMaker-Content-Type': options.contentType ?? 'application/json',
        'X-Amzn-SageMaker-InputLocation': '${parameters.input_location}',
      },
      // The payload is read from the input location; ml-commons refuses a POST without a body.
      requestBody: '{}',
    }],
    policyStatements: [new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: [sageMakerArn(scope, region, 'endpoint', name)] })],
  });
}

export function sageMakerBatchTransformConfig(
  scope: Construct, options: SageMakerBatchTransformOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  checkEndpointName(scope, options.endpointName);
  const region = sageMakerRegion(scope, options, context);
  requireEngine(scope, context, BATCH_SINCE, 'blueprint sageMakerBatchTransform (the batch_predict action)');
  checkBatchTransform(scope, options);
  checkBoolean(scope, 'statusAndCancelActions', options.statusAndCancelActions);
  const statusAndCancel = options.statusAndCancelActions ?? true;
  const jobs = transformJobStatement(scope, region, options, statusAndCancel);
  const known = !Token.isUnresolved(options.modelName);
  return withAccount(scope, context, options, {
    serviceName: 'sagemaker',
    region,
    defaultName: known ? `sagemaker batch: ${options.modelName}` : 'sagemaker batch transform',
    defaultDescription: known ? `Amazon SageMaker batch transform of model ${options.modelName}` : 'Amazon SageMaker batch transform',
    parameters: batchTransformParameters(options),
    actions: batchTransformActions(region, options, statusAndCancel),
    policyStatements: [
      new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [sageMakerArn(scope, region, 'endpoint', options.endpointName)] }),
      jobs.statement,
    ],
    ...(jobs.wildcardReason ? { wildcardReason: jobs.wildcardReason } : {}),
  });
}

/** Rejects names, URIs, instance settings and enum values that SageMaker's CreateTransformJob would refuse. */
function checkBatchTransform(scope: Construct, options: SageMakerBatchTransformOptions): void {
  const jobName = options.transformJobName;
  if (!Token.isUnresolved(jobName) && !ENDPOINT_NAME.test(jobName)) {
    throw new MlValidationError(scope,
      `blueprint transformJobName must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit; received ${quote(jobName)}.`);
  }
  for (const [property, uri] of [['inputS3Uri', options.inputS3Uri], ['outputS3Uri', options.outputS3Uri]] as const) {
    if (!Token.isUnresolved(uri) && !uri.startsWith('s3://')) {
      throw new MlValidationError(scope, `blueprint ${property} must be an S3 URI such as 's3://my-bucket/batch/'; received ${quote(uri)}.`);
    }
  }
  if (!Token.isUnresolved(options.instanceType) && !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(options.instanceType)) {
    throw new MlValidationError(scope, `blueprint instanceType must be an ML instance type such as 'ml.c5.xlarge'; received ${quote(options.instanceType)}.`);
  }
  for (const [property, value] of [['instanceCount', options.instanceCount], ['maxConcurrentTransforms', options.maxConcurrentTransforms]] as const) {
    requireType(scope, `blueprint ${property}`, value, 'number');
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
      throw new MlValidationError(scope, `blueprint ${property} must be a whole number of at least 1; received ${quote(value)}.`);
    }
  }
  checkEnum(scope, 's3DataType', options.s3DataType, TransformS3DataType);
  checkEnum(scope, 'splitType', options.splitType, TransformSplitType);
  checkEnum(scope, 'assembleWith', options.assembleWith, TransformAssembleWith);
  checkEnum(scope, 'batchStrategy', options.batchStrategy, TransformBatchStrategy);
}

/** The `DataProcessing` parameter: only the filters that are given; undefined when none is. */
function dataProcessingOf(options: SageMakerBatchTransformOptions): Record<string, string> | undefined {
  const processing = options.dataProcessing;
  return processing && Object.fromEntries(Object.entries({
    InputFilter: processing.inputFilter, JoinSource: processing.joinSource, OutputFilter: processing.outputFilter,
  }).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** The CreateTransformJob request, as connector parameters (the `batch_predict` body reads them). */
function batchTransformParameters(options: SageMakerBatchTransformOptions): Record<string, unknown> {
  const dataProcessing = dataProcessingOf(options);
  return {
    ...(dataProcessing ? { DataProcessing: dataProcessing } : {}),
    ...(options.maxConcurrentTransforms !== undefined ? { MaxConcurrentTransforms: options.maxConcurrentTransforms } : {}),
    ModelName: options.modelName,
    TransformInput: {
      ContentType: options.contentType ?? 'application/json',
      DataSource: { S3DataSource: { S3DataType: options.s3DataType ?? TransformS3DataType.S3_PREFIX, S3Uri: options.inputS3Uri } },
      SplitType: options.splitType ?? TransformSplitType.LINE,
    },
    TransformJobName: options.transformJobName,
    TransformOutput: {
      AssembleWith: options.assembleWith ?? TransformAssembleWith.LINE,
      Accept: options.accept ?? 'application/json',
      S3OutputPath: options.outputS3Uri,
    },
    TransformResources: { InstanceCount: options.instanceCount ?? 1, InstanceType: options.instanceType },
    BatchStrategy: options.batchStrategy ?? TransformBatchStrategy.SINGLE_RECORD,
  };
}

/** `predict` on the real-time endpoint, `batch_predict` (CreateTransformJob) and, unless turned off, status and cancel. */
function batchTransformActions(region: string, options: SageMakerBatchTransformOptions, statusAndCancel: boolean): ConnectorAction[] {
  const fields = [
    '"BatchStrategy": "${parameters.BatchStrategy}"',
    '"ModelName": "${parameters.ModelName}"',
    ...(dataProcessingOf(options) ? ['"DataProcessing" : ${parameters.DataProcessing}'] : []),
    ...(options.maxConcurrentTransforms !== undefined ? ['"MaxConcurrentTransforms": ${parameters.MaxConcurrentTransforms}'] : []),
    '"TransformInput": ${parameters.TransformInput}',
    '"TransformJobName" : "${parameters.TransformJobName}"',
    '"TransformOutput" : ${parameters.TransformOutput}',
    '"TransformResources" : ${parameters.TransformResources}',
  ];
  const api = (operation: string) => `${runtimeUrl('api.sagemaker', region)}/${operation}`;
  const json = { 'content-type': 'application/json' };
  const jobNameBody = '{ "TransformJobName" : "${parameters.TransformJobName}"}';
  return [
    {
      actionType: 'predict',
      method: 'POST',
      headers: json,
      url: endpointUrl(region, options.endpointName, 'invocations'),
      requestBody: '${parameters.input}',
      preProcessFunction: 'connector.pre_process.default.embedding',
      postProcessFunction: 'connector.post_process.default.embedding',
    },
    { actionType: 'batch_predict', method: 'POST', headers: json, url: api('CreateTransformJob'), requestBody: `{ ${fields.join(', ')}}` },
    ...(statusAndCancel ? [
      // As in the Amazon OpenSearch Service developer guide's batch inference example.
      { actionType: 'batch_predict_status', method: 'GET', headers: json, url: api('DescribeTransformJob'), requestBody: jobNameBody },
      { actionType: 'cancel_batch_predict', method: 'POST', headers: json, url: api('StopTransformJob'), requestBody: jobNameBody },
    ] : []),
  ];
}

/** The transform job actions on the jobs named by the pattern, and why it holds a wildcard when it does. */
function transformJobStatement(
  scope: Construct, region: string, options: SageMakerBatchTransformOptions, statusAndCancel: boolean,
): { statement: iam.PolicyStatement; wildcardReason?: string } {
  const jobName = options.transformJobName;
  const pattern = options.transformJobNamePattern ?? (Token.isUnresolved(jobName) ? jobName : `${jobName}*`);
  // IAM compares ARNs case-sensitively, and SageMaker may report a job's ARN with its name in lower case.
  const patterns = Token.isUnresolved(pattern) ? [pattern] : [...new Set([pattern, pattern.toLowerCase()])];
  const jobArns = patterns.map((p) => Stack.of(scope).formatArn({ partition: partitionOf(region), service: 'sagemaker', region, resource: 'transform-job', resourceName: p }));
  const statement = new iam.PolicyStatement({
    actions: ['sagemaker:CreateTransformJob', ...(statusAndCancel ? ['sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob'] : [])],
    resources: jobArns,
  });
  if (Token.isUnresolved(pattern) || !pattern.includes('*')) return { statement };
  return {
    statement,
    wildcardReason: `SageMaker needs a new name for every transform job, so each batch prediction passes its own TransformJobName; the role may manage only transform jobs named ${pattern}.`,
  };
}

/** Semantic highlighting (the `semantic` highlighter) is an OpenSearch 3.0 feature. */
const SEMANTIC_HIGHLIGHTING_SINCE: EngineVersionNumber = [3, 0];

export function sageMakerSemanticHighlighterConfig(
  scope: Construct, options: SageMakerSemanticHighlighterOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const name = options.endpointName;
  checkEndpointName(scope, name);
  const region = sageMakerRegion(scope, options, context);
  const version = context.engineVersion;
  if (version !== undefined && !atLeast(version, SEMANTIC_HIGHLIGHTING_SINCE)) {
    Annotations.of(scope).addWarningV2('cdk-opensearch-ml:semanticHighlightingVersion',
      `blueprint sageMakerSemanticHighlighter (endpoint ${quote(name)}): the connector works on OpenSearch ${formatVersion(version)}, but semantic highlighting, which uses it, ` +
      `needs OpenSearch ${formatVersion(SEMANTIC_HIGHLIGHTING_SINCE)} or later.`);
  }
  const host = runtimeUrl('runtime.sagemaker', region).replace('https://', '').replace('${parameters.region}', region);
  return withAccount(scope, context, options, {
    serviceName: 'sagemaker',
    region,
    defaultName: Token.isUnresolved(name) ? 'sagemaker semantic highlighter' : `sagemaker semantic highlighter: ${name}`,
    defaultDescription: 'Semantic highlighting model on an Amazon SageMaker endpoint',
    // ml-commons' blueprint keeps the host as a parameter; the URL does not read it.
    parameters: { endpoint: host, model: name },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      url: `${runtimeUrl('runtime.sagemaker', region)}/endpoints/\${parameters.model}/invocations`,
      requestBody: '{ "question": "${parameters.question:-}", "context": "${parameters.context:-}", "inputs": ${parameters.inputs:-[]} }',
      preProcessFunction: SEMANTIC_HIGHLIGHTER_PRE_PROCESS,
    }],
    policyStatements: [new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [sageMakerArn(scope, region, 'endpoint', name)] })],
  });
}
