export * from './connector';
export * from './blueprint';
export type { SageMakerEndpointOptions } from './blueprints/sagemaker';
export type { CustomConnectorOptions } from './blueprints/custom';
