export * from './connector';
export { FineGrainedAccess, FineGrainedAccessMode } from './access';
export * from './blueprint';
export * from './client-config';
export type { SageMakerEndpointOptions } from './blueprints/sagemaker';
export type { CustomConnectorOptions } from './blueprints/custom';
